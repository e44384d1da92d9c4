// Package kittest helps test screens on their own, without the root model:
// a store on a temporary file, a context as the root builds it, and key
// presses run until the screen settles, with the messages meant for the
// root handed back. Feature packages' tests and the app's tests share it.
package kittest

import (
	"io"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/texts"
)

// Today is the fixed "now" of the list, form and overview tests.
var Today = time.Date(2025, 9, 15, 10, 0, 0, 0, time.UTC)

// Store opens a store on a temporary file, closed when the test ends.
func Store(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "brug.db"), store.Options{NoSync: true, Author: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Renderer is a renderer without colour or attributes, so views compare
// as plain text.
func Renderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return r
}

// Context is a context as the root builds it, on st, at the fixed day.
func Context(st kit.Store, width, height int) *kit.Context {
	t := texts.NewTexts("nl")
	return &kit.Context{Width: width, Height: height, Styles: kit.NewStyles(Renderer(), kit.DefaultPalette()),
		Keys: kit.NewKeyMap(t), T: t, Store: st, Method: method.Default(), User: "test",
		Now: func() time.Time { return Today }}
}

// Run runs cmd and everything it leads to, feeding each screen message
// back into s, and returns the messages meant for the root (push, open,
// pop, status, changed). Batches and sequences are flattened in order.
func Run(t testing.TB, s kit.Screen, cmd tea.Cmd) (kit.Screen, []tea.Msg) {
	t.Helper()
	var root []tea.Msg
	queue := Flatten(cmd)
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 1000 {
			t.Fatal("commands do not settle")
		}
		msg := queue[0]
		queue = queue[1:]
		switch msg.(type) {
		case kit.PushMsg, kit.OpenMsg, kit.PopMsg, kit.StatusMsg, kit.ChangedMsg:
			root = append(root, msg)
			continue
		}
		var next tea.Cmd
		s, next = s.Update(msg)
		queue = append(queue, Flatten(next)...)
	}
	return s, root
}

// Flatten runs cmd and returns its messages, batches and sequences
// opened up in order.
func Flatten(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if msg == nil {
		return nil
	}
	// tea.BatchMsg is exported, the sequence message is not; both are
	// slices of commands.
	v := reflect.ValueOf(msg)
	if v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
		var out []tea.Msg
		for i := range v.Len() {
			c, _ := v.Index(i).Interface().(tea.Cmd)
			out = append(out, Flatten(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// Key makes the key message for a key name as Bubble Tea spells it.
func Key(name string) tea.KeyMsg {
	for kt, s := range map[tea.KeyType]string{
		tea.KeyEnter: "enter", tea.KeyEsc: "esc", tea.KeyUp: "up", tea.KeyDown: "down",
		tea.KeyPgUp: "pgup", tea.KeyPgDown: "pgdown", tea.KeyHome: "home", tea.KeyEnd: "end",
		tea.KeyTab: "tab", tea.KeyShiftTab: "shift+tab", tea.KeyLeft: "left", tea.KeyRight: "right",
		tea.KeyBackspace: "backspace", tea.KeyCtrlS: "ctrl+s", tea.KeySpace: " ",
	} {
		if s == name {
			if kt == tea.KeySpace {
				return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
			}
			return tea.KeyMsg{Type: kt}
		}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(name)}
}

// Type sends each rune of text as a key.
func Type(t testing.TB, s kit.Screen, text string) kit.Screen {
	t.Helper()
	for _, r := range text {
		var cmd tea.Cmd
		s, cmd = s.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		s, _ = Run(t, s, cmd)
	}
	return s
}

// Press sends named keys and returns the root messages they lead to.
func Press(t testing.TB, s kit.Screen, keys ...string) (kit.Screen, []tea.Msg) {
	t.Helper()
	var all []tea.Msg
	for _, k := range keys {
		var cmd tea.Cmd
		s, cmd = s.Update(Key(k))
		var root []tea.Msg
		s, root = Run(t, s, cmd)
		all = append(all, root...)
	}
	return s, all
}

// Create makes a client with the store API and returns its id.
func Create(t testing.TB, st *store.Store, n store.NewClient) string {
	t.Helper()
	id, err := st.CreateClient(n)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Add adds an entity to a dossier.
func Add(t testing.TB, st *store.Store, id, kind string, fields map[string]string) {
	t.Helper()
	if _, err := st.AddEntity(id, kind, fields); err != nil {
		t.Fatal(err)
	}
}
