// Command synthsnap writes a synthetic V8 heap snapshot (see
// internal/synth) of any size, for benchmarks and tests.
//
//	go run ./internal/tools/synthsnap -nodes 31000000 -seed 1 -o big.heapsnapshot
//	go run ./internal/tools/synthsnap -nodes 100000 -o - | gzip > small.heapsnapshot.gz
//
// Statistics go to standard error.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/heapsnap/heapsnap/internal/synth"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "synthsnap:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("synthsnap", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg     synth.Config
		nodes   = fs.String("nodes", "1000000", "number of nodes (accepts k/M/G suffixes, e.g. 31M)")
		strs    = fs.String("strings-bytes", "0", "target size of the strings section in bytes (k/M/G suffixes; 0 = natural)")
		fields  = fs.String("node-fields", "v8", "node field layout: v8 (7 fields), no-detachedness (6) or minimal (5)")
		out     = fs.String("o", "", "output file, or - for standard output (required)")
		planned = fs.Bool("plan", false, "print the statistics without writing the snapshot")
	)
	fs.Float64Var(&cfg.EdgesPerNode, "edges-per-node", 2.75, "target average edges per node (the structural minimum is about 2.7)")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "pseudo-random seed; the same flags give the same bytes")
	fs.BoolVar(&cfg.BigSelfSizes, "big-self-sizes", false, "add native backing stores so that the total self size exceeds 2^32")
	fs.IntVar(&cfg.Workers, "workers", 0, "formatting goroutines (0 = GOMAXPROCS); does not change the output")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: synthsnap -nodes N [flags] -o FILE|-\n\nWrites a synthetic V8 .heapsnapshot shaped like a Node.js service heap.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if cfg.Nodes, err = parseSize(*nodes); err != nil {
		return fmt.Errorf("-nodes: %w", err)
	}
	if cfg.StringsBytes, err = parseSize(*strs); err != nil {
		return fmt.Errorf("-strings-bytes: %w", err)
	}
	if cfg.NodeFields, err = synth.ParseNodeFields(*fields); err != nil {
		return fmt.Errorf("-node-fields: %w", err)
	}
	if *planned {
		st, err := synth.Plan(cfg)
		if err != nil {
			return err
		}
		printStats(stderr, st)
		return nil
	}
	if *out == "" {
		fs.Usage()
		return fmt.Errorf("-o is required")
	}
	var w io.Writer = stdout
	var f *os.File
	if *out != "-" {
		if f, err = os.Create(*out); err != nil {
			return err
		}
		defer f.Close()
		w = f
	} else {
		bw := bufio.NewWriterSize(stdout, 1<<20)
		defer bw.Flush()
		w = bw
	}
	st, err := synth.Write(w, cfg)
	if err != nil {
		return err
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return err
		}
	}
	printStats(stderr, st)
	return nil
}

func printStats(w io.Writer, st synth.Stats) {
	fmt.Fprintf(w, "nodes %d  edges %d (%.2f/node)  strings %d  locations %d\n",
		st.Nodes, st.Edges, float64(st.Edges)/float64(st.Nodes), st.Strings, st.Locations)
	fmt.Fprintf(w, "total self size %d (%.2f GiB)\n", st.TotalSelfSize, float64(st.TotalSelfSize)/(1<<30))
	fmt.Fprintf(w, "shape: %d clusters, %d sessions, %d cache entries, %d listeners, %d WeakMap entries, %d unreachable nodes\n",
		st.Clusters, st.Sessions, st.CacheEntries, st.Listeners, st.WeakMapEntries, st.Unreachable)
	if st.Bytes > 0 {
		fmt.Fprintf(w, "wrote %d bytes (%.1f MB: nodes %.1f, edges %.1f, strings %.1f) in %.2fs, %.0f MB/s\n",
			st.Bytes, mb(st.Bytes), mb(st.NodesBytes), mb(st.EdgesBytes), mb(st.StringsBytes),
			st.Duration.Seconds(), st.MBPerSecond())
	}
}

func mb(n int64) float64 { return float64(n) / 1e6 }

// parseSize parses an integer with an optional k, M or G suffix (powers of
// 1000) or Ki, Mi, Gi suffix (powers of 1024).
func parseSize(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && strings.ContainsAny(s, ".eE") {
		return int64(f * float64(mult)), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, err
	}
	return n * mult, nil
}
