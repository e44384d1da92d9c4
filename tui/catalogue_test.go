package tui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/clients"
	"github.com/brug-nl/brug/tui/texts"
)

// catalogueKeysUsed returns every literal catalogue key in the non-test
// files of tui and its packages, with where it is used: the first argument
// of any .S(...) or .F(...) call, the help key of keys.go's b(...), and in the files of
// the list, form and overview any string literal that names a key of their
// own (form.err.name is picked in one place and shown in another).
func catalogueKeysUsed(t *testing.T) map[string]string {
	t.Helper()
	files := codeFiles(t)
	ownKey := regexp.MustCompile(`^(list|form|overview|widget)\.[a-z0-9_.-]+$`)
	own := map[string]bool{"list.go": true, "form.go": true, "overview.go": true, "widgets.go": true}
	used := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if len(n.Args) == 0 {
					return true
				}
				lit, ok := n.Args[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				isText := false
				switch fn := n.Fun.(type) {
				case *ast.SelectorExpr:
					isText = fn.Sel.Name == "S" || fn.Sel.Name == "F"
				case *ast.Ident:
					isText = filepath.Base(name) == "keys.go" && fn.Name == "b"
				}
				if isText {
					k, _ := strconv.Unquote(lit.Value)
					used[k] = fset.Position(lit.Pos()).String()
				}
			case *ast.BasicLit:
				if k, err := strconv.Unquote(n.Value); err == nil && own[filepath.Base(name)] && n.Kind == token.STRING && ownKey.MatchString(k) {
					used[k] = fset.Position(n.Pos()).String()
				}
			}
			return true
		})
	}
	return used
}

// codeFiles lists the non-test Go files of tui and its packages, the
// catalogue's own excepted.
func codeFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "texts" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestCatalogueComplete guards every part of the catalogue, the other
// screens' too: each key used in code exists, every text has Dutch and
// English, and no key is defined in two parts.
func TestCatalogueComplete(t *testing.T) {
	defined := map[string]string{}
	for i, part := range texts.Parts() {
		for k, v := range part {
			if j, dup := defined[k]; dup {
				t.Errorf("key %q is defined in catalogue parts %s and %s", k, j, i)
			}
			defined[k] = i
			if strings.TrimSpace(v[0]) == "" || strings.TrimSpace(v[1]) == "" {
				t.Errorf("key %q lacks Dutch or English text: %q", k, v)
			}
			if a, b := verbs(v[0]), verbs(v[1]); !slices.Equal(a, b) {
				t.Errorf("key %q: Dutch has verbs %v, English %v", k, a, b)
			}
		}
	}
	used := catalogueKeysUsed(t)
	if len(used) < 50 {
		t.Fatalf("found only %d keys in code: the scan is broken", len(used))
	}
	for k, where := range used {
		if _, ok := defined[k]; !ok {
			t.Errorf("%s: key %q is not in the catalogue", where, k)
		}
	}
}

// verbs lists the fmt verbs of a text, in order.
func verbs(s string) []string {
	return regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z%]`).FindAllString(s, -1)
}

// TestCatalogueDynamicKeys checks the keys made from codes: places,
// benefits, step statuses, months and sort orders.
func TestCatalogueDynamicKeys(t *testing.T) {
	var keys []string
	for _, p := range store.Places() {
		keys = append(keys, "place."+string(p))
	}
	for _, b := range store.Benefits {
		keys = append(keys, "benefit."+b)
	}
	for _, s := range []store.StepStatus{store.StepOpen, store.StepActive, store.StepDone, store.StepSignedOff} {
		keys = append(keys, "stepstatus."+string(s))
	}
	for m := 1; m <= 12; m++ {
		keys = append(keys, "month."+strconv.Itoa(m))
	}
	keys = append(keys, clients.SortKeys[:]...)
	for _, lang := range []string{"nl", "en"} {
		tx := texts.NewTexts(lang)
		for _, k := range keys {
			if !tx.Has(k) {
				t.Errorf("%s: key %q missing", lang, k)
			}
		}
	}
}

// TestCatalogueListPartUsed finds texts of the list's part that no code
// names any more (keys made from codes, such as place.*, excepted).
func TestCatalogueListPartUsed(t *testing.T) {
	files := codeFiles(t)
	literals := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					literals[s] = true
				}
			}
			return true
		})
	}
	dynamic := []string{"place.", "benefit.", "stepstatus.", "month."}
	for k := range texts.Parts()["list"] {
		if literals[k] || slices.ContainsFunc(dynamic, func(p string) bool { return strings.HasPrefix(k, p) }) {
			continue
		}
		t.Errorf("catalogue key %q is not used", k)
	}
}
