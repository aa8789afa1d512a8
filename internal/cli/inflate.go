package cli

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// addInflateFlag defines --max-inflate, the gzip bomb guard of every
// command that reads snapshots (heapsnapshot.Options.MaxInflate).
func (a *app) addInflateFlag(root *cobra.Command) {
	f := root.PersistentFlags()
	f.String("max-inflate", strconv.Itoa(heapsnapshot.DefaultMaxInflate), "stop reading a .gz snapshot that inflates to more than `N` times the least text its header needs (and 256 MiB), a likely gzip bomb; off turns the limit off")
	a.bindFlag("max_inflate", f.Lookup("max-inflate"))
}

// readInflateSetting checks max_inflate before any snapshot is read.
func (a *app) readInflateSetting() error {
	s := strings.ToLower(a.setting("max_inflate"))
	if s == "off" {
		a.maxInflate = -1
		return nil
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "x"), 64)
	if err != nil || v < 1 {
		return usagef("%s: invalid ratio %q: want a number of at least 1, such as %d, or off", a.origin("max_inflate"), s, heapsnapshot.DefaultMaxInflate)
	}
	a.maxInflate = v
	return nil
}
