package clients

import (
	"fmt"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/kit/kittest"
)

// fillDup types a client that matches "Zoë Çelik" (1990) but for case and
// accents.
func fillDup(t *testing.T, st kit.Store) kit.Screen {
	t.Helper()
	var s kit.Screen = clForm(st, 80, 24)
	s = clType(t, s, "zoe CELIK")
	s, _ = clPress(t, s, "tab")
	s = clType(t, s, "1990")
	s, _ = clPress(t, s, "tab")
	return clType(t, s, "Noord")
}

func TestDuplicateAtCreationWarnsAndOpens(t *testing.T) {
	st := clStore(t)
	old := kittest.Create(t, st, store.NewClient{Name: "Zoë Çelik", BirthYear: "1990", Team: "Zuid"})
	kittest.Create(t, st, store.NewClient{Name: "Zoë Çelik", BirthYear: "1975", Team: "Noord"}) // another person
	s := fillDup(t, st)
	s, msgs := clPress(t, s, "ctrl+s")
	if n := clCount(t, st); n != 2 {
		t.Fatalf("a likely duplicate was created: %d clients", n)
	}
	if len(msgs) != 0 {
		t.Errorf("the warning sent %#v", msgs)
	}
	if v := s.View(); !strings.Contains(v, "Er is al een cliënt Zoë Çelik (1990) in team Zuid") {
		t.Fatalf("no duplicate warning:\n%s", v)
	}
	// enter opens the one that is there.
	_, msgs = clPress(t, s, "enter")
	var opened bool
	for _, m := range msgs {
		if o, ok := m.(kit.OpenMsg); ok && o.To == kit.OpenDossier && o.Dossier == old {
			opened = true
		}
	}
	if !opened || clCount(t, st) != 2 {
		t.Fatalf("enter on the warning: %#v, %d clients", msgs, clCount(t, st))
	}
}

func TestDuplicateAtCreationCanBeCreatedAnyway(t *testing.T) {
	st := clStore(t)
	kittest.Create(t, st, store.NewClient{Name: "Zoë Çelik", BirthYear: "1990", Team: "Zuid"})
	s := fillDup(t, st)
	s, _ = clPress(t, s, "ctrl+s")
	// esc goes back to the form without creating; ctrl+s on the warning
	// creates the new client anyway.
	s, _ = clPress(t, s, "esc")
	if strings.Contains(s.View(), "Er is al een cliënt") || clCount(t, st) != 1 {
		t.Fatalf("esc on the warning:\n%s", s.View())
	}
	s, _ = clPress(t, s, "ctrl+s", "ctrl+s")
	if n := clCount(t, st); n != 2 {
		t.Fatalf("ctrl+s on the warning made %d clients, want 2", n)
	}
	_ = s
}

// TestListMarksLikelyDuplicates: the client list marks the clients with
// the same folded name and birth year as another (the same person entered
// on two laptops), not a namesake born in another year nor a withdrawn
// one.
func TestListMarksLikelyDuplicates(t *testing.T) {
	st := clStore(t)
	kittest.Create(t, st, store.NewClient{Name: "Zoë Çelik", BirthYear: "1990", Team: "Zuid"})
	kittest.Create(t, st, store.NewClient{Name: "zoe celik", BirthYear: "1990", Team: "Noord"})
	kittest.Create(t, st, store.NewClient{Name: "Zoe Celik", BirthYear: "1975", Team: "Noord"})
	kittest.Create(t, st, store.NewClient{Name: "Piet de Vries", BirthYear: "1975", Team: "Noord"})
	gone := kittest.Create(t, st, store.NewClient{Name: "Piet de  Vries", BirthYear: "1975", Team: "Noord"})
	if _, err := st.Commit(gone, store.Withdraw()); err != nil {
		t.Fatal(err)
	}
	var s kit.Screen = NewClientList(clContext(st, 120, 24))
	s, _ = clRun(t, s, s.Init())
	lines := strings.Split(s.View(), "\n")
	marked := map[string]bool{}
	for _, l := range lines {
		for _, name := range []string{"Zoë Çelik", "zoe celik", "Zoe Celik", "Piet de Vries"} {
			if strings.Contains(l, name) {
				marked[name] = strings.Contains(l, "(dubbel?)")
			}
		}
	}
	want := map[string]bool{"Zoë Çelik": true, "zoe celik": true, "Zoe Celik": false, "Piet de Vries": false}
	for name, w := range want {
		if marked[name] != w {
			t.Errorf("%s marked %v, want %v:\n%s", name, marked[name], w, s.View())
		}
	}
}

// countingStore counts the dossiers read whole.
type countingStore struct {
	kit.Store
	reads int
}

func (c *countingStore) Client(id string) (*store.Client, error) {
	c.reads++
	return c.Store.Client(id)
}

// TestListMarksDuplicatesAmongManyNamesakes: the duplicate mark comes from
// the summaries' name and birth year, so it holds with more than 400
// namesakes (where it used to be skipped, each namesake's dossier being
// read for its birth year) and the list reads no dossier for it.
func TestListMarksDuplicatesAmongManyNamesakes(t *testing.T) {
	st := clStore(t)
	// 400 namesakes, five born in each year from 1920 to 1999: all likely
	// duplicates; one more, born in 1910, is not.
	for i := 0; i < 400; i++ {
		kittest.Create(t, st, store.NewClient{Name: "Jan de Jong", BirthYear: fmt.Sprint(1920 + i%80), Team: "Noord"})
	}
	kittest.Create(t, st, store.NewClient{Name: "jan de  Jong", BirthYear: "1910", Team: "Zuid"})
	cs := &countingStore{Store: st}
	var s kit.Screen = NewClientList(clContext(cs, 120, 24))
	s, _ = clRun(t, s, s.Init())
	rows := s.(*ClientList).Rows
	if len(rows) != 401 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		if want := r.BirthYear != "1910"; r.dup != want {
			t.Errorf("%s (%s) marked %v, want %v", r.Name, r.BirthYear, r.dup, want)
		}
	}
	if cs.reads != 0 {
		t.Errorf("the list read %d dossiers to mark duplicates", cs.reads)
	}
}
