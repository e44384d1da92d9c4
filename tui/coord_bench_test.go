package tui_test

import (
	"io"
	"reflect"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui"
	"github.com/brug-nl/brug/tui/kit"
)

// coordFrame builds a coordinator's app on s at 200x50, presses k on the
// client list and renders the frame of the screen it opens, once its load
// has answered: what a coordinator waits for after the key press.
func coordFrame(tb testing.TB, s *store.Store, k string) string {
	m := tui.New(tui.Options{Store: s, Method: s.Method(), Renderer: lipgloss.NewRenderer(io.Discard),
		User: "bench", Role: kit.RoleCoordinator})
	var model tea.Model = m
	model, _ = model.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	_, cmd := model.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
	queue := benchFlatten(cmd)
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 100 {
			tb.Fatal("commands do not settle")
		}
		msg := queue[0]
		queue = queue[1:]
		var next tea.Cmd
		model, next = model.Update(msg)
		queue = append(queue, benchFlatten(next)...)
	}
	return model.View()
}

// benchFlatten runs cmd and returns its messages, batches and sequences
// opened up in order.
func benchFlatten(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if msg == nil {
		return nil
	}
	v := reflect.ValueOf(msg)
	if v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
		var out []tea.Msg
		for i := range v.Len() {
			c, _ := v.Index(i).Interface().(tea.Cmd)
			out = append(out, benchFlatten(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// BenchmarkOpenReviewQueue: a coordinator presses B on the 10,000-client
// region: the queue is built from the list summaries (no dossier is read)
// and its first frame rendered.
func BenchmarkOpenReviewQueue(b *testing.B) {
	s, err := store.Open(benchRegionPath(b), store.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		if view := coordFrame(b, s, "B"); !strings.Contains(view, "wachten op beoordeling") {
			b.Fatalf("no queue in the frame:\n%s", view)
		}
	}
}

// BenchmarkOpenTeamOverview: the same for the team overview (O) over all
// 10,000 clients.
func BenchmarkOpenTeamOverview(b *testing.B) {
	s, err := store.Open(benchRegionPath(b), store.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		if view := coordFrame(b, s, "O"); !strings.Contains(view, "10.000 cliënten") {
			b.Fatalf("the overview does not count 10,000 clients:\n%s", view)
		}
	}
}
