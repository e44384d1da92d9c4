// Package unlock is the screen that asks for the passphrase of an
// encrypted brug file, or a new one for a file that has no keyring to
// keep its key. It is a small Bubble Tea model of its own, run before the
// app (or a command) opens the file.
package unlock

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// Mode is what the screen asks.
type Mode int

const (
	// Unlock asks the passphrase of a file locked with one.
	Unlock Mode = iota
	// Choose asks a new passphrase, twice.
	Choose
)

// ErrWrong is what Try returns for a passphrase that does not open the
// file: the screen says so and asks again. Any other error ends it.
var ErrWrong = errors.New("wrong passphrase")

// MinLength is the shortest new passphrase the screen takes.
const MinLength = 10

// Result is what the screen ended with.
type Result struct {
	// OK: Try accepted a passphrase.
	OK bool
	// Err is the error that ended it (not ErrWrong); nil on esc.
	Err error
}

// Model is the unlock screen.
type Model struct {
	mode   Mode
	lang   string
	path   string
	try    func(pass []byte) error
	in     textinput.Model
	first  string // Choose: the passphrase typed first
	msg    string // the last complaint
	tries  int
	result *Result
	width  int
}

// New makes the screen for the file at path; try opens the file with a
// passphrase (and keeps the store on success). The result lands in res.
func New(mode Mode, lang, path string, try func(pass []byte) error, res *Result) Model {
	in := textinput.New()
	in.EchoMode = textinput.EchoPassword
	in.EchoCharacter = '•'
	in.Prompt = "> "
	in.CharLimit = 256
	in.Focus()
	return Model{mode: mode, lang: lang, path: path, try: try, in: in, result: res}
}

// Init starts the cursor blinking.
func (m Model) Init() tea.Cmd { return textinput.Blink }

// Update handles keys: enter tries, esc or ctrl+c quits.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width = msg.Width
		return m, nil
	case tea.KeyMsg:
		switch msg.Type {
		case tea.KeyEsc, tea.KeyCtrlC:
			return m, tea.Quit
		case tea.KeyEnter:
			return m.enter()
		}
	}
	var cmd tea.Cmd
	m.in, cmd = m.in.Update(msg)
	return m, cmd
}

func (m Model) enter() (tea.Model, tea.Cmd) {
	pass := m.in.Value()
	m.in.SetValue("")
	if m.mode == Choose {
		if m.first == "" {
			if len([]rune(pass)) < MinLength {
				m.msg = m.t("short")
				return m, nil
			}
			m.first, m.msg = pass, ""
			return m, nil
		}
		if pass != m.first {
			m.first, m.msg = "", m.t("mismatch")
			return m, nil
		}
	}
	if pass == "" {
		return m, nil
	}
	err := m.try([]byte(pass))
	switch {
	case err == nil:
		m.result.OK = true
		return m, tea.Quit
	case errors.Is(err, ErrWrong):
		m.tries++
		m.msg = m.t("wrong")
		return m, nil
	default:
		m.result.Err = err
		return m, tea.Quit
	}
}

// View draws the screen.
func (m Model) View() string {
	bold := lipgloss.NewStyle().Bold(true)
	warn := lipgloss.NewStyle().Foreground(lipgloss.Color("1"))
	var b strings.Builder
	if m.mode == Choose {
		b.WriteString(bold.Render(m.t("title.choose")) + "\n\n")
		b.WriteString(wrap(m.t("explain.choose"), m.width) + "\n\n")
	} else {
		b.WriteString(bold.Render(m.t("title.unlock")) + "\n\n")
		b.WriteString(m.path + "\n\n")
	}
	b.WriteString(wrap(m.t("lost"), m.width) + "\n\n")
	label := m.t("ask")
	if m.mode == Choose && m.first != "" {
		label = m.t("again")
	}
	b.WriteString(label + "\n" + m.in.View() + "\n")
	if m.msg != "" {
		b.WriteString("\n" + warn.Render(m.msg) + "\n")
	}
	b.WriteString("\n" + m.t("keys") + "\n")
	return b.String()
}

func wrap(s string, width int) string {
	if width <= 10 {
		width = 80
	}
	return lipgloss.NewStyle().Width(width - 2).Render(s)
}

func (m Model) t(key string) string {
	t, ok := texts[key]
	if !ok {
		return "«" + key + "»"
	}
	if m.lang == "en" {
		return t[1]
	}
	return t[0]
}

// texts: key -> {nl, en}.
var texts = map[string][2]string{
	"title.unlock": {"Dit bestand is op slot", "This file is locked"},
	"title.choose": {"Kies een wachtwoordzin", "Choose a passphrase"},
	"explain.choose": {
		"Je dossiers worden versleuteld opgeslagen. Deze computer heeft geen sleutelbos om de sleutel in te bewaren, dus kies je een wachtwoordzin (minstens 10 tekens; een paar woorden is goed). Je typt hem bij elke start.",
		"Your dossiers are stored encrypted. This computer has no keyring to keep the key in, so you choose a passphrase (at least 10 characters; a few words is good). You type it at every start.",
	},
	"lost": {
		"Let op: ben je de wachtwoordzin kwijt, dan kan niemand dit bestand meer openen. Wat je al gesynchroniseerd hebt staat op de server; wat nog niet gesynchroniseerd is, ben je dan kwijt.",
		"Mind: if you lose the passphrase, nobody can open this file any more. What you synced is on the server; what was not synced yet is then lost.",
	},
	"ask":      {"Wachtwoordzin:", "Passphrase:"},
	"again":    {"Nog een keer, ter controle:", "Once more, to check:"},
	"short":    {"Te kort: gebruik minstens 10 tekens.", "Too short: use at least 10 characters."},
	"mismatch": {"De twee waren niet gelijk. Begin opnieuw.", "The two did not match. Start again."},
	"wrong":    {"Die wachtwoordzin klopt niet. Probeer het opnieuw.", "That passphrase is not right. Try again."},
	"keys":     {"enter: verder · esc: stoppen", "enter: continue · esc: quit"},
}
