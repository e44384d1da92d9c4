package main

import (
	"testing"
)

// TestChooseGC: a flag wins, then GOGC or GOMEMLIMIT in the environment
// (which the runtime applied itself: serve leaves it), then brug's
// defaults; bad values are refused.
func TestChooseGC(t *testing.T) {
	for _, tc := range []struct {
		name       string
		percent    int
		percentSet bool
		limit      string
		limitSet   bool
		env        map[string]string
		want       gcSettings
		err        error
	}{
		{"defaults", 0, false, "", false, nil, gcSettings{percent: 400, setPercent: true, limit: 256 << 20, setLimit: true}, nil},
		{"environment", 0, false, "", false, map[string]string{"GOGC": "150", "GOMEMLIMIT": "1GiB"}, gcSettings{}, nil},
		{"GOGC only", 0, false, "", false, map[string]string{"GOGC": "off"}, gcSettings{limit: 256 << 20, setLimit: true}, nil},
		{"flags over environment", 800, true, "2GiB", true, map[string]string{"GOGC": "150", "GOMEMLIMIT": "1GiB"},
			gcSettings{percent: 800, setPercent: true, limit: 2 << 30, setLimit: true}, nil},
		{"no limit", 100, true, "off", true, nil, gcSettings{percent: 100, setPercent: true, setLimit: true}, nil},
		{"bytes", 100, true, "134217728", true, nil, gcSettings{percent: 100, setPercent: true, limit: 128 << 20, setLimit: true}, nil},
		{"percent 0", 0, true, "", false, nil, gcSettings{}, errGCPercent},
		{"percent below 0", -1, true, "", false, nil, gcSettings{}, errGCPercent},
		{"MB is no unit", 100, true, "256MB", true, nil, gcSettings{}, errMemoryLimit},
		{"negative", 100, true, "-1MiB", true, nil, gcSettings{}, errMemoryLimit},
		{"too large", 100, true, "99999999999TiB", true, nil, gcSettings{}, errMemoryLimit},
		{"bytes meant as GiB", 100, true, "12", true, nil, gcSettings{}, errMemoryLimit},
		{"below 16MiB", 100, true, "15MiB", true, nil, gcSettings{}, errMemoryLimit},
		{"16MiB", 100, true, "16MiB", true, nil, gcSettings{percent: 100, setPercent: true, limit: 16 << 20, setLimit: true}, nil},
	} {
		got, err := chooseGC(tc.percent, tc.percentSet, tc.limit, tc.limitSet, func(k string) string { return tc.env[k] })
		if err != tc.err || (err == nil && got != tc.want) {
			t.Errorf("%s: got %+v, %v; want %+v, %v", tc.name, got, err, tc.want, tc.err)
		}
	}
}
