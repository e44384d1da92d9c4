package kit

import (
	"reflect"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/termsafe"
)

// what the screens show of a dossier was typed on other devices. Since
// the server refuses control and format characters, none should arrive,
// but a file may hold some from before: an escape sequence in a client's
// name would steer the terminal of every colleague and coordinator whose
// list shows it. Screens therefore show dossiers through these, which
// write such characters as visible escapes (termsafe). Editing a field
// shown this way stores the escaped text, which repairs it.

// SafeSummaries returns sums with their shown texts escaped; the slice is
// copied only when something needed escaping, so the store's own slice is
// never changed.
func SafeSummaries(sums []store.Summary) []store.Summary {
	var out []store.Summary
	for i := range sums {
		s := &sums[i]
		name, team, places, what := termsafe.Escape(s.Name), termsafe.Escape(s.Team), termsafe.Escape(s.Places), termsafe.Escape(s.NextWhat)
		if name == s.Name && team == s.Team && places == s.Places && what == s.NextWhat {
			continue
		}
		if out == nil {
			out = append([]store.Summary(nil), sums...)
		}
		out[i].Name, out[i].Team, out[i].Places, out[i].NextWhat = name, team, places, what
	}
	if out == nil {
		return sums
	}
	return out
}

// SafeClient returns c with every text in it escaped (line breaks kept), as
// a copy when something needed escaping.
func SafeClient(c *store.Client) *store.Client {
	if c == nil {
		return nil
	}
	v, changed := escapeStrings(reflect.ValueOf(*c))
	if !changed {
		return c
	}
	out := v.Interface().(store.Client)
	return &out
}

// SafeCopy returns x with every text in it escaped (line breaks kept), as
// a copy when something needed escaping: for what the server sent, such
// as the reasons of refused ops.
func SafeCopy[T any](x T) T {
	v, changed := escapeStrings(reflect.ValueOf(x))
	if !changed {
		return x
	}
	return v.Interface().(T)
}

// escapeStrings returns v with termsafe.EscapeText applied to every string
// in its exported fields, slices and maps, copying only what changes.
func escapeStrings(v reflect.Value) (reflect.Value, bool) {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		e := termsafe.EscapeText(s)
		if e == s {
			return v, false
		}
		out := reflect.New(v.Type()).Elem()
		out.SetString(e)
		return out, true
	case reflect.Struct:
		var out reflect.Value
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				continue
			}
			f, ok := escapeStrings(v.Field(i))
			if !ok {
				continue
			}
			if !out.IsValid() {
				out = reflect.New(v.Type()).Elem()
				out.Set(v)
			}
			out.Field(i).Set(f)
		}
		if out.IsValid() {
			return out, true
		}
	case reflect.Slice:
		var out reflect.Value
		for i := range v.Len() {
			e, ok := escapeStrings(v.Index(i))
			if !ok {
				continue
			}
			if !out.IsValid() {
				out = reflect.MakeSlice(v.Type(), v.Len(), v.Len())
				reflect.Copy(out, v)
			}
			out.Index(i).Set(e)
		}
		if out.IsValid() {
			return out, true
		}
	case reflect.Map:
		changed := false
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			k, kok := escapeStrings(it.Key())
			e, ok := escapeStrings(it.Value())
			changed = changed || ok || kok
			out.SetMapIndex(k, e)
		}
		if changed {
			return out, true
		}
	case reflect.Pointer:
		if v.IsNil() {
			return v, false
		}
		e, ok := escapeStrings(v.Elem())
		if ok {
			p := reflect.New(v.Type().Elem())
			p.Elem().Set(e)
			return p, true
		}
	}
	return v, false
}
