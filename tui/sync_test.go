package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/tui/kit"
)

// fakeSyncer answers syncs from a script; the last answer repeats.
type fakeSyncer struct {
	answers []fakeAnswer
	calls   int
}

type fakeAnswer struct {
	res SyncResult
	err error
}

func (f *fakeSyncer) Sync(ctx context.Context) (SyncResult, error) {
	if _, ok := ctx.Deadline(); !ok {
		return SyncResult{}, errors.New("sync without a deadline")
	}
	a := f.answers[min(f.calls, len(f.answers)-1)]
	f.calls++
	return a.res, a.err
}

// fakeSyncStatus is the local side the footer reads.
type fakeSyncStatus struct{ local SyncLocal }

func (f *fakeSyncStatus) SyncStatus() (SyncLocal, error) { return f.local, nil }

// syncHarness drives the root through Update with a fixed clock; timers
// fire at once when their Cmd is run, and their delays are recorded.
type syncHarness struct {
	t      *testing.T
	m      *Model
	st     *store.Store
	delays []time.Duration
}

func newSyncHarness(t *testing.T, lang string, opt *SyncOptions) *syncHarness {
	t.Helper()
	st := clStore(t)
	m := New(Options{Store: st, Method: method.Default(), Lang: lang, User: "test",
		Renderer: clRenderer(), Now: func() time.Time { return clToday }})
	h := &syncHarness{t: t, m: m, st: st}
	if opt != nil {
		m.EnableSync(*opt)
		m.sync.spinAfter = nil // the spinner has its own test (TestSyncFooterSpins)
	}
	m.sync.after = func(d time.Duration, msg tea.Msg) tea.Cmd {
		h.delays = append(h.delays, d)
		return func() tea.Msg { return msg }
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return h
}

// update sends msg and returns the messages its Cmds produce (one level).
func (h *syncHarness) update(msg tea.Msg) []tea.Msg {
	h.t.Helper()
	_, cmd := h.m.Update(msg)
	return clFlatten(cmd)
}

// feed sends every message of msgs (and only those) to the root and
// returns what they produce.
func (h *syncHarness) feed(msgs []tea.Msg) []tea.Msg {
	var out []tea.Msg
	for _, msg := range msgs {
		out = append(out, h.update(msg)...)
	}
	return out
}

func pick[T any](msgs []tea.Msg) []T {
	var out []T
	for _, m := range msgs {
		if v, ok := m.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// keep returns the messages of type T in msgs.
func keep[T any](msgs []tea.Msg) []tea.Msg {
	var out []tea.Msg
	for _, m := range msgs {
		if _, ok := m.(T); ok {
			out = append(out, m)
		}
	}
	return out
}

// only returns the one message of type T in msgs.
func only[T any](t *testing.T, msgs []tea.Msg) T {
	t.Helper()
	got := pick[T](msgs)
	if len(got) != 1 {
		var zero T
		t.Fatalf("want one %T among %d messages, got %d", zero, len(msgs), len(got))
	}
	return got[0]
}

func (h *syncHarness) footer() string { return h.m.syncFooter(80) }

// runInit runs the app's start (the footer's counts and the first sync)
// and returns what follows.
func (h *syncHarness) runInit() []tea.Msg {
	msgs := clFlatten(h.m.Init())
	out := h.feed(append(keep[syncLocalMsg](msgs), keep[syncDoneMsg](msgs)...))
	// The list's first load, which counts the conflicts for the footer.
	for _, msg := range msgs {
		switch msg.(type) {
		case syncLocalMsg, syncDoneMsg, syncTickMsg:
			continue
		}
		for _, next := range h.update(msg) {
			if c, ok := next.(kit.ConflictsCountedMsg); ok {
				h.update(c)
			}
		}
	}
	return out
}

func TestSyncOfflineThenOnlineWithDoublingBackoff(t *testing.T) {
	offline := fmt.Errorf("sync with http://x: %w", ErrSyncOffline)
	fs := &fakeSyncer{answers: []fakeAnswer{{err: offline}, {err: offline}, {err: offline}, {res: SyncResult{Pushed: 2}}}}
	status := &fakeSyncStatus{local: SyncLocal{Waiting: 2}}
	h := newSyncHarness(t, "nl", &SyncOptions{Syncer: fs, Status: status})
	if got := h.footer(); !strings.HasPrefix(got, "verbinden…") {
		t.Fatalf("footer before the first answer: %q", got)
	}
	msgs := clFlatten(h.m.Init())
	done := only[syncDoneMsg](t, msgs)
	h.feed(keep[syncLocalMsg](msgs))

	var tick syncTickMsg
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		out := h.update(done)
		tick = only[syncTickMsg](t, out)
		h.feed(keep[syncLocalMsg](out))
		if got := h.delays[len(h.delays)-1]; got != want {
			t.Fatalf("failure %d: retry after %v, want %v", i+1, got, want)
		}
		wantFooter := fmt.Sprintf("offline, opnieuw %s · 2 wachtend · nog geen sync · 0 geweigerd · 0 conflicten",
			clToday.Add(want).Format("15:04"))
		if got := h.footer(); got != wantFooter {
			t.Fatalf("footer %q\nwant    %q", got, wantFooter)
		}
		done = only[syncDoneMsg](t, h.update(tick))
	}
	status.local = SyncLocal{LastSync: clToday}
	out := h.update(done)
	h.feed(keep[syncLocalMsg](out))
	only[syncTickMsg](t, out)
	if got := h.delays[len(h.delays)-1]; got != time.Minute {
		t.Fatalf("after success the next sync is in %v, want a minute", got)
	}
	if h.m.sync.backoff != 0 {
		t.Fatalf("back-off %v kept after success", h.m.sync.backoff)
	}
	if got, want := h.footer(), "online · 0 wachtend · laatste sync 10:00 · 0 geweigerd · 0 conflicten"; got != want {
		t.Fatalf("footer %q, want %q", got, want)
	}
	if fs.calls != 4 {
		t.Fatalf("%d syncs, want 4", fs.calls)
	}
}

func TestSyncBackoffCapsAtTenMinutes(t *testing.T) {
	fs := &fakeSyncer{answers: []fakeAnswer{{err: ErrSyncOffline}}}
	h := newSyncHarness(t, "nl", &SyncOptions{Syncer: fs})
	done := only[syncDoneMsg](t, clFlatten(h.m.Init()))
	for range 14 {
		tick := only[syncTickMsg](t, h.update(done))
		done = only[syncDoneMsg](t, h.update(tick))
	}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600, 600, 600}
	for i, d := range want {
		if h.delays[i] != d*time.Second {
			t.Fatalf("delays %v, want %v s", h.delays, want)
		}
	}
}

func TestSyncFooterTexts(t *testing.T) {
	last := clToday.Add(-3 * time.Minute)
	status := &fakeSyncStatus{local: SyncLocal{Waiting: 3, Refused: 1, LastSync: last}}
	for _, tc := range []struct {
		lang, want string
	}{
		{"nl", "online · 3 wachtend · laatste sync 09:57 · 1 geweigerd · 2 conflicten"},
		{"en", "online · 3 waiting · last sync 09:57 · 1 refused · 2 conflicts"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			fs := &fakeSyncer{answers: []fakeAnswer{{}}}
			h := newSyncHarness(t, tc.lang, &SyncOptions{Syncer: fs, Status: status})
			addConflict(t, h.st, "Anna")
			addConflict(t, h.st, "Bram")
			h.runInit()
			h.feed(keep[syncLocalMsg](clFlatten(h.m.loadSyncLocal())))
			if got := h.footer(); got != tc.want {
				t.Fatalf("footer %q\nwant    %q", got, tc.want)
			}
			view := h.m.View()
			if lines := strings.Split(view, "\n"); len(lines) != 24 || !strings.Contains(lines[22], tc.want) {
				t.Fatalf("the footer is not the line above the help bar in a 24-line view:\n%s", view)
			}
		})
	}
	t.Run("other day", func(t *testing.T) {
		status := &fakeSyncStatus{local: SyncLocal{LastSync: time.Date(2025, 9, 2, 16, 5, 0, 0, time.UTC)}}
		for lang, want := range map[string]string{"nl": "laatste sync 2-9 16:05", "en": "last sync Sep 2 16:05"} {
			h := newSyncHarness(t, lang, &SyncOptions{Syncer: &fakeSyncer{answers: []fakeAnswer{{}}}, Status: status})
			h.runInit()
			if got := h.footer(); !strings.Contains(got, want) {
				t.Fatalf("%s footer %q lacks %q", lang, got, want)
			}
		}
	})
	t.Run("local", func(t *testing.T) {
		for lang, want := range map[string]string{"nl": "lokaal (geen server) · 1 conflict", "en": "local (no server) · 1 conflict"} {
			h := newSyncHarness(t, lang, nil)
			addConflict(t, h.st, "Cor")
			msgs := h.runInit()
			if len(pick[syncDoneMsg](msgs)) != 0 {
				t.Fatal("a sync ran without a server")
			}
			if got := h.footer(); got != want {
				t.Fatalf("%s footer %q, want %q", lang, got, want)
			}
			st := only[kit.StatusMsg](t, h.update(tea.KeyMsg{Type: tea.KeyCtrlR}))
			if !strings.Contains(st.Text, "brug login") {
				t.Fatalf("sync key without a server says %q", st.Text)
			}
		}
	})
	t.Run("not enrolled", func(t *testing.T) {
		fs := &fakeSyncer{answers: []fakeAnswer{{err: fmt.Errorf("x: %w", ErrSyncNotEnrolled)}}}
		h := newSyncHarness(t, "en", &SyncOptions{Syncer: fs})
		out := h.feed(keep[syncDoneMsg](clFlatten(h.m.Init())))
		if len(pick[syncTickMsg](out)) != 0 {
			t.Fatal("an unenrolled device keeps retrying")
		}
		if got := h.footer(); !strings.HasPrefix(got, "not enrolled: brug login") {
			t.Fatalf("footer %q", got)
		}
	})
	// A revoked device and a disabled user are told apart from a device
	// the server does not know: a new code helps the first only.
	for _, c := range []struct {
		err        error
		lang, want string
	}{
		{ErrSyncRevoked, "en", "device revoked by your admin: ask for a new code"},
		{ErrSyncRevoked, "nl", "apparaat ingetrokken door je beheerder: vraag een nieuwe code"},
		{ErrSyncDisabled, "en", "your account is disabled: contact your admin"},
		{ErrSyncDisabled, "nl", "je account is uitgeschakeld: neem contact op met je beheerder"},
		// Ordered wiped, but the wipe failed: the data is still here.
		{ErrSyncWipeFailed, "nl", "je beheerder vroeg deze laptop te wissen, maar dat lukte niet"},
		{ErrSyncWipeFailed, "en", "your admin asked for this laptop to be wiped, but that did not work"},
	} {
		t.Run(c.err.Error()+" "+c.lang, func(t *testing.T) {
			fs := &fakeSyncer{answers: []fakeAnswer{{err: fmt.Errorf("x: %w", c.err)}}}
			h := newSyncHarness(t, c.lang, &SyncOptions{Syncer: fs})
			out := h.feed(keep[syncDoneMsg](clFlatten(h.m.Init())))
			if len(pick[syncTickMsg](out)) != 0 {
				t.Fatal("a refused device keeps retrying")
			}
			if got := h.footer(); !strings.HasPrefix(got, c.want) {
				t.Fatalf("footer %q, want it to start with %q", got, c.want)
			}
		})
	}
	// A certificate this computer does not trust is not "offline": the
	// footer says so and why, and the app keeps retrying (IT may fix it).
	for _, c := range []struct {
		err        error
		lang, want string
	}{
		{ErrSyncUntrustedIssuer, "nl", "servercertificaat niet vertrouwd (onbekende uitgever): vraag je IT-afdeling"},
		{ErrSyncUntrustedIssuer, "en", "server certificate not trusted (unknown issuer): ask your IT team"},
		{ErrSyncUntrustedName, "nl", "servercertificaat niet vertrouwd (andere naam): controleer het adres"},
		{ErrSyncUntrustedName, "en", "server certificate not trusted (wrong name): check the address"},
		{ErrSyncUntrustedExpired, "nl", "servercertificaat niet vertrouwd (verlopen): controleer datum en tijd"},
		{ErrSyncUntrusted, "en", "server certificate not trusted: ask your IT team"},
	} {
		t.Run(c.err.Error()+" "+c.lang, func(t *testing.T) {
			fs := &fakeSyncer{answers: []fakeAnswer{{err: fmt.Errorf("x: %w", c.err)}}}
			h := newSyncHarness(t, c.lang, &SyncOptions{Syncer: fs})
			out := h.feed(keep[syncDoneMsg](clFlatten(h.m.Init())))
			only[syncTickMsg](t, out)
			got := h.footer()
			if !strings.HasPrefix(got, c.want) {
				t.Fatalf("footer %q, want it to start with %q", got, c.want)
			}
			if strings.Contains(got, "offline") {
				t.Errorf("footer blames the network: %q", got)
			}
		})
	}
	t.Run("other error", func(t *testing.T) {
		fs := &fakeSyncer{answers: []fakeAnswer{{err: errors.New("server answered 500: disk full\nmore")}}}
		h := newSyncHarness(t, "en", &SyncOptions{Syncer: fs})
		out := h.feed(keep[syncDoneMsg](clFlatten(h.m.Init())))
		only[syncTickMsg](t, out)
		if got := h.footer(); !strings.HasPrefix(got, "sync failed: server answered 500: disk full ·") {
			t.Fatalf("footer %q", got)
		}
	})
}

// addConflict makes a client with two heads on a text field.
func addConflict(t *testing.T, st *store.Store, name string) {
	t.Helper()
	id, err := st.CreateClient(store.NewClient{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"een", "twee"} {
		if _, err := st.Commit(id, store.Edit("step/1/note", v, nil)); err != nil {
			t.Fatal(err)
		}
	}
}

// recorder is a screen that records what it is sent.
type recorder struct{ got []tea.Msg }

func (r *recorder) Init() tea.Cmd { return nil }
func (r *recorder) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	r.got = append(r.got, msg)
	return r, nil
}
func (r *recorder) View() string        { return "" }
func (r *recorder) SetSize(int, int)    {}
func (r *recorder) Title() string       { return "rec" }
func (r *recorder) Help() []key.Binding { return nil }
func (r *recorder) Capturing() bool     { return false }

func TestSyncThatPulledReloadsScreens(t *testing.T) {
	fs := &fakeSyncer{answers: []fakeAnswer{{res: SyncResult{Pushed: 1}}, {res: SyncResult{Pulled: 3}}, {res: SyncResult{Dropped: 1}}}}
	h := newSyncHarness(t, "nl", &SyncOptions{Syncer: fs})
	below, front := &recorder{}, &recorder{}
	h.m.stack = []kit.Screen{below, front}
	done := only[syncDoneMsg](t, clFlatten(h.m.Init()))
	for i, want := range []int{0, 1, 2} {
		out := h.update(done)
		for _, r := range []*recorder{below, front} {
			if n := len(pick[kit.ChangedMsg](r.got)); n != want {
				t.Fatalf("after sync %d a screen got %d ChangedMsg, want %d", i+1, n, want)
			}
		}
		if len(pick[kit.ChangedMsg](out)) != 0 {
			t.Fatal("the sync's ChangedMsg went back through Update: it would set off another sync")
		}
		if i < 2 {
			done = only[syncDoneMsg](t, h.update(only[syncTickMsg](t, out)))
		}
	}
}

func TestSyncOnlyOneInFlight(t *testing.T) {
	fs := &fakeSyncer{answers: []fakeAnswer{{res: SyncResult{Pushed: 1, Pulled: 2}}}}
	h := newSyncHarness(t, "en", &SyncOptions{Syncer: fs})
	first := h.m.Init() // the first sync is in flight, not yet run
	if out := h.update(tea.KeyMsg{Type: tea.KeyCtrlR}); len(out) != 0 {
		t.Fatalf("the key started a second sync while one was in flight: %v", out)
	}
	out := h.feed(keep[syncDoneMsg](clFlatten(first)))
	// The sync asked for meanwhile starts at once, not after a timer.
	if len(pick[syncTickMsg](out)) != 0 {
		t.Fatal("the asked-for sync waits for a timer")
	}
	done := only[syncDoneMsg](t, out)
	out = h.update(done)
	st := only[kit.StatusMsg](t, out)
	if st.Text != "Synced: 1 sent, 2 received, 0 refused." || st.Err {
		t.Fatalf("status after the key: %+v", st)
	}
	if fs.calls != 2 {
		t.Fatalf("%d syncs, want 2", fs.calls)
	}
	// A timer from before the key is stale once a newer one is set.
	old := only[syncTickMsg](t, out)
	h.update(tea.KeyMsg{Type: tea.KeyCtrlR})
	if out := h.update(old); len(out) != 0 {
		t.Fatalf("a stale timer started a sync: %v", out)
	}
}

func TestSyncSoonAfterChangeDebounced(t *testing.T) {
	fs := &fakeSyncer{answers: []fakeAnswer{{}, {}, {err: ErrSyncOffline}}}
	h := newSyncHarness(t, "nl", &SyncOptions{Syncer: fs})
	h.feed(keep[syncDoneMsg](clFlatten(h.m.Init())))
	first := only[syncTickMsg](t, h.update(kit.ChangedMsg{Dossier: "x"}))
	second := only[syncTickMsg](t, h.update(kit.ChangedMsg{Dossier: "x"}))
	if d := h.delays[len(h.delays)-1]; d != syncAfterEdit {
		t.Fatalf("sync after a change waits %v, want %v", d, syncAfterEdit)
	}
	if out := h.update(first); len(out) != 0 {
		t.Fatal("the first of two quick changes started a sync")
	}
	done := only[syncDoneMsg](t, h.update(second))
	if fs.calls != 2 {
		t.Fatalf("%d syncs, want 2", fs.calls)
	}
	// While backing off from an unreachable server, a change only updates
	// the counts.
	h.update(done)
	tick := pick[syncTickMsg](h.update(kit.ChangedMsg{}))
	_ = tick
	done = only[syncDoneMsg](t, h.update(syncTickMsg{gen: h.m.sync.gen}))
	h.update(done) // offline now
	if out := h.update(kit.ChangedMsg{}); len(pick[syncTickMsg](out)) != 0 {
		t.Fatal("a change cut the back-off short")
	}
}

// The footer takes one line from the body: the whole view still fits the
// window, at the smallest size too.
func TestSyncFooterKeepsViewHeight(t *testing.T) {
	for _, size := range [][2]int{{MinWidth, MinHeight}, {80, 24}, {200, 50}} {
		h := newSyncHarness(t, "nl", nil)
		h.m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		if n := len(strings.Split(h.m.View(), "\n")); n != size[1] {
			t.Fatalf("%dx%d: view is %d lines", size[0], size[1], n)
		}
		if _, bh := h.m.bodySize(); bh != size[1]-4 {
			t.Fatalf("body %d lines at height %d", bh, size[1])
		}
	}
}

// TestSyncNewMethodSaidOnce: a sync that brought a new method of the
// region says once, in the user's language, that brug must restart; the
// next sync (same method) says nothing.
func TestSyncNewMethodSaidOnce(t *testing.T) {
	for lang, want := range map[string]string{
		"nl": "De regio gebruikt een nieuwe versie van de methode; start brug opnieuw.",
		"en": "The region uses a new version of the method; restart brug.",
	} {
		t.Run(lang, func(t *testing.T) {
			fs := &fakeSyncer{answers: []fakeAnswer{{res: SyncResult{MethodChanged: true}}, {}}}
			h := newSyncHarness(t, lang, &SyncOptions{Syncer: fs})
			done := only[syncDoneMsg](t, clFlatten(h.m.Init()))
			out := h.update(done)
			if st := only[kit.StatusMsg](t, out); st.Text != want || st.Err {
				t.Fatalf("status %+v, want %q", st, want)
			}
			done = only[syncDoneMsg](t, h.update(only[syncTickMsg](t, out)))
			if got := pick[kit.StatusMsg](h.update(done)); len(got) != 0 {
				t.Fatalf("second sync said %+v; want nothing", got)
			}
		})
	}
}
