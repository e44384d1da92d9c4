package report

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit/kittest"
)

// TestFlowReportByEmployer: the report screen breaks the quarter down by
// the employers the moves named: moved on to them, placed there at the end.
func TestFlowReportByEmployer(t *testing.T) {
	st := kittest.FlowStore(t)
	ids := kittest.FlowData(t, st)
	var anna string
	for name, id := range ids {
		if strings.HasPrefix(name, "Anna") {
			anna = id
		}
	}
	if anna == "" {
		t.Fatalf("no Anna in %v", ids)
	}
	if _, err := st.RecordMoveEmployer(anna, []store.Place{store.PlaceRegulier}, "2025-09-01", "", "Garage Çelik"); err != nil {
		t.Fatal(err)
	}
	r := rpLoaded(t, st, 100, 60)
	if len(r.report.Employers) != 1 || r.report.Employers[0] != (store.EmployerFlow{Employer: "Garage Çelik", MovedOn: 1, AtEnd: 1}) {
		t.Fatalf("employers %+v", r.report.Employers)
	}
	view := strings.Join(r.lines(), "\n")
	for _, want := range []string{"Per werkgever", "Werkgever", "Garage Çelik"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	golden.RequireEqual(t, []byte(view))
}
