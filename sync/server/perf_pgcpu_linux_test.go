//go:build linux

package server

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of /proc's CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// dbCPU is the CPU time used so far by the PostgreSQL cluster serving
// the database of dsn: its postmaster and all its children (backends,
// WAL writer, checkpointer), user and system, read from /proc. Only
// processes alive now count, so a backend that exited since the last call
// is missed (the benchmark's pools keep theirs for the run). 0 when dsn
// is not a PostgreSQL URL or no backend of its database is found.
func dbCPU(dsn string) time.Duration {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return 0
	}
	db := " " + strings.TrimPrefix(u.Path, "/") + " "
	if db == "  " {
		return 0
	}
	type proc struct {
		ppid int
		cpu  time.Duration
	}
	procs := map[int]proc{}
	master := 0
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		comm, err := os.ReadFile(d + "/comm")
		if err != nil || !bytes.HasPrefix(comm, []byte("postgres")) {
			continue
		}
		stat, err := os.ReadFile(d + "/stat")
		if err != nil {
			continue
		}
		// After the command in parentheses: state ppid ... utime(14) stime(15).
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 13 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		procs[pid] = proc{ppid, time.Duration(ut+st) * clockTick}
		if master == 0 {
			if cmd, err := os.ReadFile(d + "/cmdline"); err == nil && strings.Contains(string(cmd), db) {
				master = ppid
			}
		}
	}
	if master == 0 {
		return 0
	}
	total := procs[master].cpu
	for _, p := range procs {
		if p.ppid == master {
			total += p.cpu
		}
	}
	return total
}
