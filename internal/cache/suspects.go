package cache

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cespare/xxhash/v2"

	"github.com/heapsnap/heapsnap/internal/sources"
	"github.com/heapsnap/heapsnap/internal/suspects"
)

// FileState is what a cached result knows of a file it read (a source
// map, a script): the result holds while the file is as it was.
type FileState struct {
	Path    string
	Exists  bool
	Size    int64
	ModTime int64
}

// StateOf returns the file's state now.
func StateOf(path string) FileState {
	st, err := os.Stat(path)
	if err != nil {
		return FileState{Path: path}
	}
	return FileState{Path: path, Exists: true, Size: st.Size(), ModTime: st.ModTime().UnixNano()}
}

// TreeState sums up the files under dirs (a source-map search path): a
// file added, removed or changed there changes it.
func TreeState(dirs []string) uint64 {
	h := xxhash.New()
	for _, d := range dirs {
		_ = filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			s := StateOf(p)
			h.WriteString(p)
			h.Write([]byte{0, byte(s.Size), byte(s.Size >> 8), byte(s.Size >> 16), byte(s.Size >> 24),
				byte(s.ModTime), byte(s.ModTime >> 8), byte(s.ModTime >> 16), byte(s.ModTime >> 24), byte(s.ModTime >> 32)})
			return nil
		})
	}
	return h.Sum64()
}

// suspectsMeta is a suspects file: the suspects found with one set of
// options, and what they depend on besides the snapshot.
type suspectsMeta struct {
	Options string
	Files   []FileState
	Dirs    uint64
	// Problems are the source maps that could not be used, which the
	// run reports.
	Problems []sources.Problem
	Suspects []suspects.Suspect
}

func suspectsKind(options string) string {
	return fmt.Sprintf("suspects-%08x", xxhash.Sum64String(options)>>32)
}

// LoadSuspects returns the suspects cached for options (the detectors'
// settings and the source-map settings, written out), provided the
// files they read are unchanged and dirs sum to the same TreeState.
func (e *Entry) LoadSuspects(options string, dirs uint64) ([]suspects.Suspect, []sources.Problem, bool) {
	kind := suspectsKind(options)
	m := e.open(kind)
	if m == nil {
		return nil, nil, false
	}
	var meta suspectsMeta
	if err := m.meta(&meta); err != nil {
		e.drop(kind, err)
		return nil, nil, false
	}
	if meta.Options != options || meta.Dirs != dirs {
		return nil, nil, false
	}
	for _, f := range meta.Files {
		if StateOf(f.Path) != f {
			return nil, nil, false
		}
	}
	if meta.Suspects == nil {
		meta.Suspects = []suspects.Suspect{} // gob writes no empty slice
	}
	return meta.Suspects, meta.Problems, true
}

// SaveSuspects writes what LoadSuspects reads, in the background.
func (e *Entry) SaveSuspects(options string, dirs uint64, files []FileState, problems []sources.Problem, found []suspects.Suspect) {
	e.save(suspectsKind(options), suspectsMeta{Options: options, Files: files, Dirs: dirs, Problems: problems, Suspects: found}, nil)
}
