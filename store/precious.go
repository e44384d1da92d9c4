package store

import (
	"bytes"
	"encoding/hex"
	"os"
)

// Precious reports whether path names an existing file that brug keeps
// and must not be written over by a command's output (an export or a plan
// given --out): a bbolt file (a laptop's or a server's data file, a key
// store, a backup) or a key file (64 hex digits: a master key, a demo's
// key). `brug export NAME --out brug.db` replaced the data file itself
// with the export, all the coach's work in it lost to one typo.
func Precious(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false // nothing there (or unreadable: the write says why)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	if fi.Size() <= 128 {
		b := make([]byte, fi.Size())
		if _, err := f.ReadAt(b, 0); err != nil {
			return false
		}
		k, err := hex.DecodeString(string(bytes.TrimSpace(b)))
		return err == nil && len(k) == 32
	}
	_, ok := readBoltMeta(f, 0)
	if !ok {
		// The first meta page may be the damaged one; bbolt keeps two.
		for _, size := range []int64{4096, 8192, 16384, 65536} {
			if _, ok = readBoltMeta(f, size); ok {
				break
			}
		}
	}
	return ok
}
