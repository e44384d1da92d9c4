package plan

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode"

	"github.com/brug-nl/brug/store"
)

// FileBase is the file name, without extension, that the app saves a
// person's plan under: "plan-noor-hazelhoef-2025-03-14". Accents are
// folded and anything but letters and digits becomes a dash, so the name
// works on every file system; a name with nothing left gives "plan-DATE".
func FileBase(name string, day time.Time) string {
	var b strings.Builder
	dash := false
	for _, r := range store.FoldName(name) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			if b.Len() >= 40 {
				break
			}
			continue
		}
		dash = true
	}
	base := "plan-"
	if b.Len() > 0 {
		base += b.String() + "-"
	}
	return base + day.Format(time.DateOnly)
}

// Save writes the plan as base.html and base.md in dir, each to a
// temporary file first and renamed into place, readable by the user only:
// a half-written plan never exists. It returns the two paths.
func Save(p *Plan, dir, base string) (htmlPath, mdPath string, err error) {
	page, err := p.HTML()
	if err != nil {
		return "", "", err
	}
	htmlPath, mdPath = filepath.Join(dir, base+".html"), filepath.Join(dir, base+".md")
	if err := writeAtomic(htmlPath, page); err != nil {
		return "", "", err
	}
	if err := writeAtomic(mdPath, []byte(p.Markdown())); err != nil {
		return "", "", err
	}
	return htmlPath, mdPath, nil
}

func writeAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if runtime.GOOS != "windows" {
		if err = tmp.Chmod(0o600); err != nil {
			return err
		}
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
