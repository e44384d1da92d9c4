package tui

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/kit/kittest"
)

func TestFlowReportOpensFromTheList(t *testing.T) {
	st := kittest.FlowStore(t)
	kittest.FlowData(t, st)
	l := clLoadedList(t, st, 80, 20)
	_, root := clPress(t, l, "F")
	if len(root) != 1 {
		t.Fatalf("root messages %v", root)
	}
	if open, ok := root[0].(kit.OpenMsg); !ok || open.To != kit.OpenFlowReport {
		t.Errorf("F sent %#v, want OpenMsg for the flow report", root[0])
	}
	if !slices.ContainsFunc(l.Help(), func(b key.Binding) bool { return b.Help().Key == "F" }) {
		t.Error("the list's help does not name F")
	}
}

// TestGoldenFlowReport pins the look of the report at 80x24 and 200x50,
// without colour. Run `go test ./tui -run TestGoldenFlowReport -update` to
// regenerate, and read the diff like code.
func TestGoldenFlowReport(t *testing.T) {
	for _, size := range []struct{ w, h int }{{60, 20}, {80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			st := kittest.FlowStore(t)
			kittest.FlowData(t, st)
			m := New(Options{Store: st, Method: method.Default(), Lang: "nl", User: "coordinator",
				Renderer: clRenderer(), Now: func() time.Time { return clToday }})
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size.w, size.h))
			clWaitFor(t, tm, "Anna", "Fleur")
			tm.Type("F")
			clWaitFor(t, tm, "doorgestroomd")
			golden.RequireEqual(t, clFinalView(t, tm, size.w, size.h))
		})
	}
}
