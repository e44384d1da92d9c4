package main

import "testing"

// TestTextPartsAreCompleteAndUnique: every CLI message has both languages,
// and no key is in two parts (one would hide the other).
func TestTextPartsAreCompleteAndUnique(t *testing.T) {
	seen := map[string]int{}
	for i, part := range textParts() {
		for k, v := range part {
			if j, ok := seen[k]; ok {
				t.Errorf("key %q is in parts %d and %d", k, j, i)
			}
			seen[k] = i
			if v[0] == "" || v[1] == "" {
				t.Errorf("key %q lacks a language: %q", k, v)
			}
		}
	}
	m := newMsgs("en")
	if got := m.f("key.removed", "SHA256:x"); got != "Removed key SHA256:x; new logins with it are refused." {
		t.Errorf("a message of another part: %q", got)
	}
}
