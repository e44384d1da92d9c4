package dossier

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/plan"
	"github.com/brug-nl/brug/tui/kit"
)

// PlanScreen shows the person's own plan (store/plan) in a scrollable
// view, in the app's language (Dutch by default; L switches to the other),
// and saves it as HTML (to print) and Markdown in the context's SaveDir.
type PlanScreen struct {
	ctx *kit.Context
	kit.DossierView
	lang   string // the plan's language: the app's, or the other after L
	offset int    // first line shown
	width  int
	height int
}

// PlanSavedMsg answers a save of the plan: the two files, or an error.
type PlanSavedMsg struct {
	To        *PlanScreen
	HTML, MD  string
	Err       error
	NoSaveDir bool
}

// NewPlanScreen shows the plan of client dossier.
func NewPlanScreen(ctx *kit.Context, dossier string) kit.Screen {
	p := &PlanScreen{ctx: ctx, DossierView: kit.DossierView{Dossier: dossier}, lang: ctx.T.Lang}
	p.SetSize(ctx.Width, ctx.Height)
	return p
}

// Init loads the dossier.
func (p *PlanScreen) Init() tea.Cmd {
	return kit.LoadDossier(p.ctx.Store, p, p.Loads.Next(), p.Dossier)
}

// Update handles the loaded dossier, changes to it, a save's answer and keys.
func (p *PlanScreen) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	t := p.ctx.T
	switch msg := msg.(type) {
	case kit.DossierMsg:
		_, cmd := p.Take(p.ctx, p, msg)
		p.offset = min(p.offset, p.maxOffset())
		return p, cmd
	case kit.ChangedMsg:
		if msg.Touches(p.Dossier) {
			return p, p.Init()
		}
	case PlanSavedMsg:
		if msg.To != p {
			return p, nil
		}
		switch {
		case msg.NoSaveDir:
			return p, kit.Status(t.S("plan.save.nodir"), true)
		case msg.Err != nil:
			return p, kit.StatusErr(t.F("plan.save.err", msg.Err), msg.Err)
		}
		return p, kit.Status(t.F("plan.saved", msg.HTML, msg.MD), false)
	case tea.KeyMsg:
		return p, p.key(msg)
	}
	return p, nil
}

func (p *PlanScreen) key(msg tea.KeyMsg) tea.Cmd {
	k := p.ctx.Keys
	switch {
	case key.Matches(msg, k.Up):
		p.offset = max(0, p.offset-1)
	case key.Matches(msg, k.Down):
		p.offset = min(p.maxOffset(), p.offset+1)
	case key.Matches(msg, k.PageUp):
		p.offset = max(0, p.offset-max(1, p.height-1))
	case key.Matches(msg, k.PageDown):
		p.offset = min(p.maxOffset(), p.offset+max(1, p.height-1))
	case key.Matches(msg, k.Home):
		p.offset = 0
	case key.Matches(msg, k.End):
		p.offset = p.maxOffset()
	case key.Matches(msg, k.Save):
		return p.save()
	case key.Matches(msg, k.OnPlan.Lang):
		p.lang = map[string]string{"nl": "en", "en": "nl"}[p.lang]
		p.offset = min(p.offset, p.maxOffset())
	}
	return nil
}

// save writes the plan as HTML and Markdown in a command. There is no
// folder to save to on the server (an SSH session): saving says so.
func (p *PlanScreen) save() tea.Cmd {
	if p.Client == nil {
		return nil
	}
	dir, to := p.ctx.SaveDir, p
	if dir == "" {
		return func() tea.Msg { return PlanSavedMsg{To: to, NoSaveDir: true} }
	}
	pl := p.build()
	base := plan.FileBase(p.Client.Name.Value, p.ctx.Now())
	// Saving the plan to print or hand over is a print for the laptop's
	// read log (docs/sharing.md); a plan whose print cannot be logged is
	// not saved.
	rl, logs := p.ctx.Store.(readLogger)
	id, user, role := p.Client.ID, p.ctx.User, p.ctx.Role
	return func() tea.Msg {
		if logs {
			if err := rl.LogRead(store.ReadEntry{User: user, Role: role, Dossier: id, Action: store.ReadPrint, Channel: store.ChannelApp}); err != nil {
				return PlanSavedMsg{To: to, Err: err}
			}
		}
		h, m, err := plan.Save(pl, dir, base)
		return PlanSavedMsg{To: to, HTML: h, MD: m, Err: err}
	}
}

func (p *PlanScreen) build() *plan.Plan {
	return plan.Build(p.Client, kit.DossierMethod(p.ctx), p.lang, p.ctx.Now())
}

// lines lays the plan out for the terminal: headings, paragraphs wrapped
// to the width, lists with hanging indents.
func (p *PlanScreen) lines() []string {
	if p.Client == nil {
		return nil
	}
	st, w := p.ctx.Styles, max(10, p.width)
	pl := p.build()
	var out []string
	para := func(s string) { out = append(out, kit.WrapText(s, w)...) }
	item := func(mark, s string, extra ...string) {
		ind := strings.Repeat(" ", ansi.StringWidth(mark)+1)
		for i, l := range kit.WrapText(s, w-len(ind)) {
			if i == 0 {
				out = append(out, mark+" "+l)
			} else {
				out = append(out, ind+l)
			}
		}
		for _, e := range extra {
			if e != "" {
				out = append(out, kit.IndentLines(kit.WrapText(e, w-len(ind)), ind)...)
			}
		}
	}
	head := func(s string) { out = append(out, "", st.Section.Render(kit.Truncate(s, w))) }
	out = append(out, st.Title.Render(kit.Truncate(pl.Title, w)))
	para(pl.Intro)
	out = append(out, kit.IndentLines(kit.WrapText(pl.Date, w), "")...)
	if pl.Closed != "" {
		para(pl.Closed)
	}
	head(pl.GoalHead)
	para(pl.Goal)
	head(pl.NowHead)
	for _, s := range pl.Now {
		para(s)
	}
	if len(pl.Route) > 0 {
		para(pl.RouteHead)
		for i, r := range pl.Route {
			s := r.Place
			if r.Mark != "" {
				s += " ← " + r.Mark
			}
			item(" "+strconv.Itoa(i+1)+".", s)
		}
	}
	head(pl.NextHead)
	for _, s := range pl.Next {
		item(" •", s)
	}
	head(pl.AgreementsHead)
	if len(pl.Agreements) == 0 {
		para(pl.NoAgreements)
	}
	for _, a := range pl.Agreements {
		item(" •", a.What, a.Who, a.When)
	}
	head(pl.ContactsHead)
	if len(pl.Contacts) == 0 {
		para(pl.NoContacts)
	}
	for _, c := range pl.Contacts {
		name := c.Name
		if c.About != "" {
			name += " (" + c.About + ")"
		}
		item(" •", name, c.Phone, c.Email)
	}
	return out
}

func (p *PlanScreen) maxOffset() int { return max(0, len(p.lines())-p.height) }

// SetSize keeps the body size for View.
func (p *PlanScreen) SetSize(width, height int) {
	p.width, p.height = width, height
	p.offset = min(p.offset, p.maxOffset())
}

// View shows the part of the plan that fits.
func (p *PlanScreen) View() string {
	st := p.ctx.Styles
	switch {
	case p.LoadErr != "":
		return st.Bad.Render(kit.Truncate(p.LoadErr, p.width))
	case p.Client == nil:
		return st.Muted.Render(kit.Truncate(p.ctx.T.S("overview.loading"), p.width))
	}
	return strings.Join(kit.WindowLines(p.lines(), p.offset, p.height), "\n")
}

// Title names the screen.
func (p *PlanScreen) Title() string { return p.ctx.T.S("plan.screen.title") }

// Help lists the plan screen's keys.
func (p *PlanScreen) Help() []key.Binding {
	k := p.ctx.Keys
	return []key.Binding{k.Save, k.OnPlan.Lang, k.Up, k.Down, k.PageDown}
}

// Capturing is false: the plan has no input.
func (p *PlanScreen) Capturing() bool { return false }
