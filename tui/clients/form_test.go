package clients

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/texts"
)

// clForm is a new-client form on st at the given size.
func clForm(st kit.Store, width, height int) *ClientForm {
	ctx := clContext(st, width, height)
	s := NewClientForm(ctx)
	s.SetSize(width, height)
	return s.(*ClientForm)
}

func clCount(t *testing.T, st *store.Store) int {
	t.Helper()
	all, err := st.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	return len(all)
}

func TestFormValidationShowsErrorsAndSavesNothing(t *testing.T) {
	st := clStore(t)
	f := clForm(st, 80, 21)
	var s kit.Screen = f
	// An empty name and a birth year out of range.
	s, _ = clPress(t, s, "tab")
	s = clType(t, s, "1850")
	s, msgs := clPress(t, s, "ctrl+s")
	if n := clCount(t, st); n != 0 {
		t.Fatalf("an invalid form saved %d clients", n)
	}
	if len(msgs) != 1 {
		t.Fatalf("save of an invalid form: %v", msgs)
	}
	if sm, ok := msgs[0].(kit.StatusMsg); !ok || !sm.Err {
		t.Errorf("want an error status, got %#v", msgs[0])
	}
	v := s.View()
	for _, want := range []string{"Vul een naam in.", "Vul een jaartal in tussen 1900 en 2100"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if f.form.Focused() != fieldName {
		t.Errorf("focus after a failed save: field %d, want the first wrong one", f.form.Focused())
	}
	// Errors go away as they are fixed.
	s = clType(t, s, "Anna")
	if strings.Contains(s.View(), "Vul een naam in.") {
		t.Errorf("name error still shown after typing a name")
	}
	// English texts too.
	ctx := clContext(st, 80, 21)
	ctx.T = texts.NewTexts("en")
	en := NewClientForm(ctx)
	en, _ = clPress(t, en, "ctrl+s")
	if !strings.Contains(en.View(), "Enter a name.") {
		t.Errorf("English error missing:\n%s", en.View())
	}
}

func TestFormSavesExactlyOneClient(t *testing.T) {
	st := clStore(t)
	f := clForm(st, 80, 21)
	var s kit.Screen = f
	s = clType(t, s, "Anna de Vries")
	s, _ = clPress(t, s, "tab")
	s = clType(t, s, "1990")
	s, _ = clPress(t, s, "tab")
	s = clType(t, s, "Noord")
	s, _ = clPress(t, s, "tab")
	s = clType(t, s, "Piet, Kees")
	// Places: day activities and a work-experience place (the fourth).
	s, _ = clPress(t, s, "tab", " ", "right", "right", "right", " ")
	// Benefit: Wajong (the fourth code).
	s, _ = clPress(t, s, "tab", "right", "right", "right")
	// Route target: banenafspraak (none, then six places on).
	s, _ = clPress(t, s, "tab", "left", "left")
	// Save twice quickly: the second press must not make a second client.
	s, cmd1 := s.Update(clKey("enter"))
	s, cmd2 := s.Update(clKey("ctrl+s"))
	if cmd2 != nil {
		t.Errorf("a second save while saving returned a command")
	}
	s, msgs := clRun(t, s, cmd1)
	all, err := st.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 {
		t.Fatalf("saved %d clients, want 1", len(all))
	}
	c, err := st.Client(all[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{c.Name.Value, c.BirthYear.Value, c.Team.Value, c.Coaches.Value, c.Places.Value, c.Benefit.Value, c.RouteTarget.Value}
	want := []string{"Anna de Vries", "1990", "Noord", "Piet, Kees", "dagbesteding,werkervaringsplaats", "wajong", "banenafspraak"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("saved %q,\nwant %q", got, want)
	}
	// Then: back to the list with a refresh, the new overview, the status,
	// and the news that the dossier changed (so the app syncs it soon).
	if len(msgs) != 4 {
		t.Fatalf("after save: %#v", msgs)
	}
	if p, ok := msgs[0].(kit.PopMsg); !ok || !p.Refresh {
		t.Errorf("first %#v, want a refreshing pop", msgs[0])
	}
	if p, ok := msgs[1].(kit.OpenMsg); !ok || p.To != kit.OpenDossier || p.Dossier != c.ID {
		t.Errorf("second %#v, want the new client's overview opened", msgs[1])
	}
	if sm, ok := msgs[2].(kit.StatusMsg); !ok || sm.Err || sm.Text != "Cliënt aangemaakt." {
		t.Errorf("third %#v, want the created status", msgs[2])
	}
	if ch, ok := msgs[3].(kit.ChangedMsg); !ok || ch.Dossier != c.ID {
		t.Errorf("fourth %#v, want ChangedMsg for the new client", msgs[3])
	}
	_ = s
}

func TestFormStaleSaveAnswerIgnored(t *testing.T) {
	f := clForm(clStore(t), 80, 21)
	_, cmd := f.Update(clientCreatedMsg{seq: 42, id: "x"})
	if cmd != nil {
		t.Errorf("an answer to a save never asked for was acted on")
	}
}

func TestFormEscAsksBeforeDropping(t *testing.T) {
	st := clStore(t)
	// Empty: esc leaves at once.
	_, msgs := clPress(t, clForm(st, 80, 21), "esc")
	if len(msgs) != 1 {
		t.Fatalf("esc on an empty form: %v", msgs)
	}
	if _, ok := msgs[0].(kit.PopMsg); !ok {
		t.Errorf("esc on an empty form sent %#v", msgs[0])
	}
	// Filled: esc asks; n keeps the form, j drops it.
	var s kit.Screen = clForm(st, 80, 21)
	s = clType(t, s, "Anna")
	s, msgs = clPress(t, s, "esc")
	if len(msgs) != 0 || !strings.Contains(s.View(), "Weggooien?") {
		t.Fatalf("esc on a filled form did not ask: %v\n%s", msgs, s.View())
	}
	s, msgs = clPress(t, s, "n")
	if len(msgs) != 0 || strings.Contains(s.View(), "Weggooien?") {
		t.Errorf("n did not keep the form: %v", msgs)
	}
	if got := s.(*ClientForm).Inputs[fieldName].Value(); got != "Anna" {
		t.Errorf("answering n changed the name to %q", got)
	}
	s, _ = clPress(t, s, "esc")
	_, msgs = clPress(t, s, "j")
	if len(msgs) != 1 {
		t.Fatalf("j: %v", msgs)
	}
	if _, ok := msgs[0].(kit.PopMsg); !ok {
		t.Errorf("j sent %#v, want a pop", msgs[0])
	}
	if n := clCount(t, st); n != 0 {
		t.Errorf("dropping the form saved %d clients", n)
	}
}

func TestFormTypesGlobalKeys(t *testing.T) {
	var s kit.Screen = clForm(clStore(t), 80, 21)
	if !s.Capturing() {
		t.Fatal("the form must capture keys")
	}
	s = clType(t, s, "q?")
	if got := s.(*ClientForm).Inputs[fieldName].Value(); got != "q?" {
		t.Errorf("typed %q", got)
	}
}

func TestFormFitsWidth(t *testing.T) {
	for _, w := range []int{kit.MinWidth, 80, 200} {
		var s kit.Screen = clForm(clStore(t), w, 21)
		s, _ = clPress(t, s, "ctrl+s") // show the errors
		s, _ = clPress(t, s, "tab", "tab", "tab", "tab")
		for i, line := range strings.Split(s.View(), "\n") {
			if lw := lipgloss.Width(line); lw > w {
				t.Errorf("width %d: line %d is %d wide: %q", w, i, lw, line)
			}
		}
	}
}

func TestFormScrollsToFocus(t *testing.T) {
	var s kit.Screen = clForm(clStore(t), kit.MinWidth, 8)
	s, _ = clPress(t, s, "shift+tab") // the last field
	v := s.View()
	if got := len(strings.Split(v, "\n")); got > 8 {
		t.Errorf("view is %d lines high, want at most 8", got)
	}
	if !strings.Contains(v, "› Doel van de route") {
		t.Errorf("focused field not in view:\n%s", v)
	}
}

// With a sync server, a new client must be in one of the user's teams
// (the server refuses any other): a single team is filled in, a team typed
// in another case is saved under its exact name, and an unknown team is an
// error naming the user's teams, with nothing saved.
func TestFormTeamMustBeOneOfTheUsers(t *testing.T) {
	st := clStore(t)
	newForm := func(teams ...string) kit.Screen {
		f := clForm(st, 80, 21)
		f.ctx.Teams = teams
		return NewClientForm(f.ctx)
	}
	one := newForm("Team Noord").(*ClientForm)
	if got := one.Inputs[FieldTeam].Value(); got != "Team Noord" {
		t.Errorf("single team not filled in: %q", got)
	}

	s := newForm("Team Noord", "Team Zuid")
	s = clType(t, s, "Fout Team")
	s, _ = clPress(t, s, "tab", "tab")
	s = clType(t, s, "Team Zuidpool")
	s, cmd := s.Update(clKey("ctrl+s"))
	if cmd != nil {
		s, _ = clRun(t, s, cmd)
	}
	if all, _ := st.Summaries(); len(all) != 0 {
		t.Fatalf("saved a client in an unknown team: %+v", all)
	}
	if v := s.View(); !strings.Contains(v, "Kies een van je teams: Team Noord, Team Zuid.") {
		t.Errorf("no team error on screen:\n%s", v)
	}

	s = newForm("Team Noord", "Team Zuid")
	s = clType(t, s, "Goed Team")
	s, _ = clPress(t, s, "tab", "tab")
	s = clType(t, s, "  team zuid ")
	s, cmd = s.Update(clKey("ctrl+s"))
	clRun(t, s, cmd)
	all, _ := st.Summaries()
	if len(all) != 1 || all[0].Team != "Team Zuid" {
		t.Errorf("saved %+v, want one client in Team Zuid", all)
	}
}

// TestFormSpacePicksTheHighlightedChoice: in a single-choice field space
// picks the option under the cursor; it does not move on to the next one.
func TestFormSpacePicksTheHighlightedChoice(t *testing.T) {
	st := clStore(t)
	f := clForm(st, 80, 21)
	var s kit.Screen = f
	s = clType(t, s, "Anna")
	// Benefit: move to the third code, then space.
	s, _ = clPress(t, s, "tab", "tab", "tab", "tab", "tab", "right", "right", " ", " ")
	// Route target: the first place, then space.
	s, _ = clPress(t, s, "tab", "right", " ")
	clPress(t, s, "ctrl+s")
	all, err := st.Summaries()
	if err != nil || len(all) != 1 {
		t.Fatalf("saved %d clients, %v", len(all), err)
	}
	c, err := st.Client(all[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Benefit.Value != store.Benefits[2] || c.RouteTarget.Value != string(store.Places()[0]) {
		t.Errorf("saved benefit %q and target %q, want %q and %q", c.Benefit.Value, c.RouteTarget.Value, store.Benefits[2], store.Places()[0])
	}
}
