package coord

import (
	"slices"
	"testing"
)

// TestAllocate: columns fit the width and grow left to right up to their
// most; optional ones are left out first, highest drop first.
func TestAllocate(t *testing.T) {
	specs := []colSpec{{min: 10, max: 20}, {min: 5, max: 5}, {min: 8, max: 12, drop: 1}, {min: 6, max: 6, drop: 2}}
	tests := []struct {
		avail int
		want  []int
	}{
		{10 + 5 + 8 + 6 + 6, []int{10, 5, 8, 6}},
		{10 + 5 + 8 + 4, []int{10, 5, 8, 0}},
		{10 + 5 + 2 + 3, []int{13, 5, 0, 0}},
		{10 + 5 + 8 + 6 + 6 - 1, []int{17, 5, 8, 0}},
		{200, []int{20, 5, 12, 6}},
		{5, []int{10, 5, 0, 0}},
	}
	// A column of no width is left out, gap and all.
	if got := allocate(20, []colSpec{{min: 5, max: 5}, {}, {min: 5, max: 5}}); !slices.Equal(got, []int{5, 0, 5}) {
		t.Errorf("allocate with an empty column = %v", got)
	}
	for _, tt := range tests {
		if got := allocate(tt.avail, specs); !slices.Equal(got, tt.want) {
			t.Errorf("allocate(%d) = %v, want %v", tt.avail, got, tt.want)
		}
	}
}
