// Command hostilesnap writes one of the hostile heap snapshots of
// internal/hostile, for measuring what the parser spends on them
// (docs/robustness.md):
//
//	go run ./internal/tools/hostilesnap -class array-space -size 512MiB -o /tmp/space.heapsnapshot
//	go run ./internal/tools/hostilesnap -class locations -size 256MiB -gzip -o /tmp/loc.heapsnapshot.gz
//	go run ./internal/tools/hostilesnap -list
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/heapsnap/heapsnap/internal/budget"
	"github.com/heapsnap/heapsnap/internal/hostile"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hostilesnap:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("hostilesnap", flag.ContinueOnError)
	var (
		class = fs.String("class", "", "the kind of filler (see -list)")
		size  = fs.String("size", "64MiB", "bytes of filler, e.g. 512MiB")
		gz    = fs.Bool("gzip", false, "gzip-compress the snapshot (best compression)")
		bomb  = fs.Bool("bomb", false, "write a gzip bomb: the filler as one compressed mebibyte repeated")
		out   = fs.String("o", "-", "output file, or - for standard output")
		list  = fs.Bool("list", false, "list the classes")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		for _, c := range hostile.Classes {
			verdict := "refused"
			if c.Accepted {
				verdict = "valid"
			}
			fmt.Fprintf(stdout, "%-15s %-8s %s\n", c.Name, verdict, c.Doc)
		}
		return nil
	}
	c, err := hostile.Lookup(*class)
	if err != nil {
		return err
	}
	n, err := budget.ParseSize(*size)
	if err != nil {
		return err
	}
	w := stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	switch {
	case *bomb:
		err = c.WriteBomb(w, int64(n.Bytes))
	case *gz:
		err = c.WriteGzip(w, int64(n.Bytes))
	default:
		err = c.Write(w, int64(n.Bytes))
	}
	if err != nil {
		return err
	}
	if f, ok := w.(*os.File); ok && f != os.Stdout {
		return f.Close()
	}
	return nil
}
