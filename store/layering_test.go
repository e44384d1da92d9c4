package store_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStoreDoesNotImportTUI keeps the layering: the store and its packages
// (export, plan, doctext, ...) never depend on the terminal app, in their
// code or their tests. The app depends on the store, not the other way.
func TestStoreDoesNotImportTUI(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not on PATH: cannot list the store's dependencies")
	}
	const mod = "github.com/brug-nl/brug"
	out, err := exec.Command(gobin, "list", "-deps", "-test", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, mod+"/store/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 10 {
		t.Fatalf("go list listed only %d packages: the check is broken", len(lines))
	}
	for _, l := range lines {
		fields := strings.Fields(l)
		if len(fields) == 0 {
			continue
		}
		for _, imp := range fields[1:] {
			if imp == mod+"/tui" || strings.HasPrefix(imp, mod+"/tui/") {
				t.Errorf("%s imports %s: the store must not depend on the app", fields[0], imp)
			}
		}
	}
}
