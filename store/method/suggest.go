package method

import (
	"fmt"
	"strings"
)

// This file suggests the key a user probably meant when a method file has
// an unknown one.

// dutchKeys maps keys a Dutch author may write by habit to the real key.
var dutchKeys = map[string]string{
	"naam": "name", "versie": "version", "stappen": "steps", "stap": "steps",
	"nummer": "n", "nr": "n", "number": "n", "titel": "title", "doel": "goal",
	"checklijst": "checklist", "vragen": "questions", "vraag": "questions",
	"question": "questions", "items": "checklist", "tip": "tips",
	"tekst": "nl", "text": "nl", "engels": "en", "nederlands": "nl",
}

// suggest returns " (did you mean title?)", in Dutch " (bedoel je
// title?)", for a key that is a likely slip for one of specs: a Dutch word
// or a small typo. It returns an empty phrase when nothing is close.
func suggest(key string, specs []keySpec) phrase {
	lower := strings.ToLower(key)
	if want, ok := dutchKeys[lower]; ok && hasKey(specs, want) {
		return didYouMean(want)
	}
	best, bestDist := "", 3
	for _, s := range specs {
		limit := 2
		if len(s.name) <= 3 {
			limit = 1
		}
		if d := distance(lower, s.name, limit+1); d <= limit && d < bestDist {
			best, bestDist = s.name, d
		}
	}
	if best == "" {
		return phrase{}
	}
	return didYouMean(best)
}

func didYouMean(key string) phrase {
	return phrase{fmt.Sprintf(" (did you mean %s?)", key), fmt.Sprintf(" (bedoel je %s?)", key)}
}

// distance is the Levenshtein distance between a and b, or limit when it is
// at least limit (keys are short; long input gives up early).
func distance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit)
}
