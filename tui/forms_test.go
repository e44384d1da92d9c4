package tui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestOneFormEngine keeps one form engine, kit.Form: a form screen outside
// tui/kit (a struct type named ...Form) holds a *kit.Form for its fields'
// state instead of inputs and focus of its own.
func TestOneFormEngine(t *testing.T) {
	fset := token.NewFileSet()
	forms := 0
	for _, name := range codeFiles(t) {
		if filepath.Dir(name) == "kit" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || !strings.HasSuffix(ts.Name.Name, "Form") {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return true
			}
			forms++
			for _, fl := range st.Fields.List {
				if star, ok := fl.Type.(*ast.StarExpr); ok {
					if sel, ok := star.X.(*ast.SelectorExpr); ok && sel.Sel.Name == "Form" {
						if id, ok := sel.X.(*ast.Ident); ok && id.Name == "kit" {
							return true
						}
					}
				}
			}
			t.Errorf("%s: %s is a form of its own; build it on kit.Form", fset.Position(ts.Pos()), ts.Name.Name)
			return true
		})
	}
	if forms == 0 {
		t.Fatal("found no form type: the scan is broken")
	}
}
