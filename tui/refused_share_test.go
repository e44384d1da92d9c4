package tui

import (
	"testing"

	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/tui/texts"
)

// TestRefusedShareCodesHaveTheirText: a change refused because the
// dossier is shared to read only, or a move refused for want of consent
// for the other organisation, is listed with what went wrong.
func TestRefusedShareCodesHaveTheirText(t *testing.T) {
	for _, code := range []string{protocol.RefuseReadOnly, protocol.RefuseNoOrgConsent} {
		for _, lang := range []string{"nl", "en"} {
			got := texts.NewTexts(lang).RefusedWhy(code, "")
			if got == "" || got == texts.NewTexts(lang).RefusedWhy("other", "") {
				t.Errorf("%s %s: %q", lang, code, got)
			}
		}
	}
}
