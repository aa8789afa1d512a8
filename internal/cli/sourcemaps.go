package cli

import (
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"
)

// Source maps are a setting of every command that writes locations, so
// they are root flags, bound to the keys source_maps and no_source_maps
// (a config file may set them) and to HEAPSNAP_SOURCE_MAPS and
// HEAPSNAP_NO_SOURCE_MAPS.
func (a *app) addSourceMapFlags(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringArray("source-maps", nil, "directory holding the scripts' source maps (or the scripts), matched by path suffix, e.g. a container's /app/dist/x.js finds DIR/x.js.map (repeatable)")
	f.Bool("no-source-maps", false, "show compiled locations: read no source map")
	a.bindFlag("source_maps", f.Lookup("source-maps"))
	a.bindFlag("no_source_maps", f.Lookup("no-source-maps"))
}

// readSourceMapSettings checks that every --source-maps entry is a
// directory, before any snapshot is read.
func (a *app) readSourceMapSettings() error {
	a.sourceMapDirs = nil
	for _, dir := range a.settingList("source_maps") {
		st, err := os.Stat(dir)
		switch {
		case err != nil:
			return usagef("%s: %v", a.origin("source_maps"), err)
		case !st.IsDir():
			return usagef("%s: %s is not a directory", a.origin("source_maps"), dir)
		}
		a.sourceMapDirs = append(a.sourceMapDirs, dir)
	}
	return nil
}

func (a *app) noSourceMaps() bool { return a.v.GetBool("no_source_maps") }

// maxSourceMapWarnings bounds the warnings printed at the end of a run.
const maxSourceMapWarnings = 5

// warnSourceMaps prints, once, on stderr, the source maps the run found
// but could not use: their scripts' locations were shown compiled.
func (a *app) warnSourceMaps() {
	seen := map[string]bool{}
	var lines []string
	problems := slices.Clone(a.cache.problems)
	for _, r := range a.resolvers {
		problems = append(problems, r.Problems()...)
	}
	for _, p := range problems {
		if s := p.String(); !seen[s] {
			seen[s] = true
			lines = append(lines, s)
		}
	}
	for k, s := range lines {
		if k == maxSourceMapWarnings {
			fmt.Fprintf(a.streams.Err, "heapsnap: warning: %d more source maps could not be used\n", len(lines)-k)
			break
		}
		fmt.Fprintf(a.streams.Err, "heapsnap: warning: source map not used, locations are compiled ones: %s\n", s)
	}
	if len(lines) > 0 && len(a.sourceMapDirs) == 0 {
		fmt.Fprintln(a.streams.Err, "heapsnap: hint: --source-maps DIR names a directory holding copies of the maps (or of the scripts); --no-source-maps silences this")
	}
}
