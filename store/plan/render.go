package plan

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
)

// Markdown renders the plan as a Markdown document. People's words are
// escaped, so they show as written and never as Markdown or HTML.
func (p *Plan) Markdown() string {
	var b strings.Builder
	para := func(s string) { b.WriteString(s + "\n\n") }
	head := func(s string) { para("## " + md(s)) }
	para("# " + md(p.Title))
	para(md(p.Intro) + " " + md(p.Date))
	if p.Closed != "" {
		para("**" + md(p.Closed) + "**")
	}
	head(p.GoalHead)
	para(md(p.Goal))
	head(p.NowHead)
	for _, s := range p.Now {
		para(md(s))
	}
	if len(p.Route) > 0 {
		para(md(p.RouteHead))
		for i, r := range p.Route {
			line := mdNum(i+1) + " " + md(r.Place)
			if r.Mark != "" {
				line += " — **" + md(r.Mark) + "**"
			}
			b.WriteString(line + "\n")
		}
		b.WriteString("\n")
	}
	head(p.NextHead)
	for _, s := range p.Next {
		b.WriteString("- " + md(s) + "\n")
	}
	b.WriteString("\n")
	head(p.AgreementsHead)
	if len(p.Agreements) == 0 {
		para(md(p.NoAgreements))
	}
	for _, a := range p.Agreements {
		b.WriteString("- **" + md(a.What) + "**  \n")
		if a.Who != "" {
			b.WriteString("  " + md(a.Who) + "  \n")
		}
		b.WriteString("  " + md(a.When) + "\n")
	}
	if len(p.Agreements) > 0 {
		b.WriteString("\n")
	}
	head(p.ContactsHead)
	if len(p.Contacts) == 0 {
		para(md(p.NoContacts))
	}
	for _, c := range p.Contacts {
		line := "- **" + md(c.Name) + "**"
		if c.About != "" {
			line += " (" + md(c.About) + ")"
		}
		for _, s := range []string{c.Phone, c.Email} {
			if s != "" {
				line += "  \n  " + md(s)
			}
		}
		b.WriteString(line + "\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func mdNum(n int) string { return strconv.Itoa(n) + "." }

// md escapes text so that Markdown shows it as written: no emphasis,
// links, HTML, headings or list markers out of a person's words.
func md(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '~', '&':
			b.WriteByte('\\')
		case '-', '+', '=':
			if i == 0 {
				b.WriteByte('\\')
			}
		case '.', ')':
			if i > 0 && onlyDigits(s[:i]) {
				b.WriteByte('\\') // "1." would start a numbered list
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

func onlyDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// HTML renders the plan as one self-contained page for the browser and
// the printer: inline CSS with A4 print styles, no scripts, no external
// resources. html/template escapes every text, people's words included.
func (p *Plan) HTML() ([]byte, error) {
	var b bytes.Buffer
	if err := page.Execute(&b, p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

var page = template.Must(template.New("plan").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.DocTitle}}</title>
<style>
@page { size: A4; margin: 18mm 18mm 20mm 18mm; }
html { font-size: 13pt; }
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; line-height: 1.5; color: #111; background: #fff; max-width: 44em; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 1.8em; margin: 0 0 .3em; color: #0b4f6c; }
h2 { font-size: 1.3em; margin: 1.3em 0 .4em; padding-bottom: .15em; border-bottom: 2px solid #0b4f6c; color: #0b4f6c; }
p { margin: .4em 0; }
ul, ol { margin: .4em 0; padding-left: 1.4em; }
li { margin: .35em 0; }
.intro { font-size: 1.05em; }
.date { color: #444; }
.closed { font-weight: bold; }
.mark { font-weight: bold; color: #0b4f6c; }
.what { font-weight: bold; }
.line { display: block; }
section { page-break-inside: avoid; break-inside: avoid; }
li { page-break-inside: avoid; break-inside: avoid; }
h1, h2 { page-break-after: avoid; break-after: avoid; }
@media print {
  html { font-size: 12pt; }
  body { margin: 0; padding: 0; max-width: none; }
  h1, h2 { color: #000; border-color: #000; }
  .mark { color: #000; }
}
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<p class="intro">{{.Intro}}</p>
<p class="date">{{.Date}}</p>
{{if .Closed}}<p class="closed">{{.Closed}}</p>{{end}}
</header>
<section>
<h2>{{.GoalHead}}</h2>
<p>{{.Goal}}</p>
</section>
<section>
<h2>{{.NowHead}}</h2>
{{range .Now}}<p>{{.}}</p>
{{end}}{{if .Route}}<p>{{.RouteHead}}</p>
<ol>
{{range .Route}}<li>{{.Place}}{{if .Mark}} — <span class="mark">{{.Mark}}</span>{{end}}</li>
{{end}}</ol>
{{end}}</section>
<section>
<h2>{{.NextHead}}</h2>
<ul>
{{range .Next}}<li>{{.}}</li>
{{end}}</ul>
</section>
<section>
<h2>{{.AgreementsHead}}</h2>
{{if .Agreements}}<ul>
{{range .Agreements}}<li><span class="what line">{{.What}}</span>{{if .Who}}<span class="line">{{.Who}}</span>{{end}}<span class="line">{{.When}}</span></li>
{{end}}</ul>
{{else}}<p>{{.NoAgreements}}</p>
{{end}}</section>
<section>
<h2>{{.ContactsHead}}</h2>
{{if .Contacts}}<ul>
{{range .Contacts}}<li><span class="what">{{.Name}}</span>{{if .About}} ({{.About}}){{end}}{{if .Phone}}<span class="line">{{.Phone}}</span>{{end}}{{if .Email}}<span class="line">{{.Email}}</span>{{end}}</li>
{{end}}</ul>
{{else}}<p>{{.NoContacts}}</p>
{{end}}</section>
</body>
</html>
`))
