package unlock

import (
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

func typeText(m tea.Model, s string) tea.Model {
	for _, r := range s {
		m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	return m
}

func TestUnlockRetriesAndIsMasked(t *testing.T) {
	var res Result
	var got []string
	try := func(p []byte) error {
		got = append(got, string(p))
		if string(p) != "goed wachtwoord" {
			return ErrWrong
		}
		return nil
	}
	var m tea.Model = New(Unlock, "nl", "/tmp/brug.db", try, &res)
	v := m.View()
	if !strings.Contains(v, "op slot") || !strings.Contains(v, "ben je dan kwijt") {
		t.Fatalf("the screen does not say what a lost passphrase means:\n%s", v)
	}
	for _, r := range "geheim" {
		m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	if strings.Contains(m.View(), "geheim") {
		t.Fatal("the passphrase is shown as typed")
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if !strings.Contains(m.View(), "klopt niet") || res.OK {
		t.Fatalf("wrong passphrase not said:\n%s", m.View())
	}
	typeText(m, "goed wachtwoord")
	if !res.OK || len(got) != 2 {
		t.Fatalf("result %+v after %q", res, got)
	}
}

func TestChooseAsksTwiceAndEnglish(t *testing.T) {
	var res Result
	var chosen string
	var m tea.Model = New(Choose, "en", "", func(p []byte) error { chosen = string(p); return nil }, &res)
	if !strings.Contains(m.View(), "Choose a passphrase") {
		t.Fatal(m.View())
	}
	m = typeText(m, "kort")
	if !strings.Contains(m.View(), "Too short") {
		t.Fatal(m.View())
	}
	m = typeText(m, "lange zin een")
	m = typeText(m, "lange zin twee")
	if !strings.Contains(m.View(), "did not match") || res.OK {
		t.Fatal(m.View())
	}
	m = typeText(m, "lange zin een")
	typeText(m, "lange zin een")
	if !res.OK || chosen != "lange zin een" {
		t.Fatalf("%+v %q", res, chosen)
	}
}

func TestEscQuitsAndOtherErrorsEnd(t *testing.T) {
	var res Result
	var m tea.Model = New(Unlock, "nl", "x", func([]byte) error { return errors.New("damaged") }, &res)
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	if cmd == nil || res.OK {
		t.Fatal("esc does not quit")
	}
	typeText(m, "iets langs genoeg")
	if res.Err == nil || res.OK {
		t.Fatalf("%+v", res)
	}
}
