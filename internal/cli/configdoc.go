package cli

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/heapsnap/heapsnap/internal/budget"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// ConfigDoc returns docs/config.md: every configuration section and key
// with its flag, environment variable and default, generated from the
// commands' bindings so that it cannot go stale (make docs).
func ConfigDoc() []byte {
	a := &app{streams: Streams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}, v: viper.New()}
	root := a.newRootCmd()
	var b bytes.Buffer
	b.WriteString(`# Configuration: every setting, its flag, environment variable and config key

<!-- Generated from the commands by ` + "`make docs`" + ` (internal/cli/configdoc.go); do not edit. -->

Every setting of every command comes from, in this order of precedence:

1. its **flag** (` + "`--max-total-size 512MiB`" + `);
2. its **environment variable**, ` + "`HEAPSNAP_<SECTION>_<KEY>`" + ` (` + "`HEAPSNAP_CHECK_MAX_TOTAL_SIZE=512MiB`" + `);
3. its **key** in the command's section of the **config file** (` + "`check:` / `max_total_size: 512MiB`" + `);
4. its default.

The config file is the one ` + "`--config FILE`" + ` names, else the one ` + "`$HEAPSNAP_CONFIG`" + ` names,
else ` + "`" + defaultConfigFile + "`" + ` in the working directory if there is one. It is YAML (or JSON or TOML,
by its extension). A key the file sets that no command knows is an error, with the nearest
known key suggested, so that a misspelt budget cannot pass unnoticed; so is a value a setting
refuses, and the message names the flag, variable or key (and file) it came from. A mistake
in one command's section is reported when that command runs: a typo under ` + "`check:`" + ` stops
` + "`heapsnap check`" + `, not ` + "`heapsnap nodes`" + `.

Each command has its own section, and each of its settings its own variable: a setting
made for one command never changes another (` + "`HEAPSNAP_CHECK_FORMAT=markdown`" + ` leaves
` + "`heapsnap nodes`" + ` alone). The few settings under [Every command](#every-command) are shared
by every command that reads snapshots, at the top level of the file. Variables named before
settings carried their section (` + "`HEAPSNAP_MAX_TOTAL_SIZE`" + `) are not read; a command warns
when it sees one meant for it.

A config file for CI might read:

` + "```yaml" + `
check:
  max_total_size: 512MiB
  max_growth: 20%           # needs --baseline, unless baseline_optional: true
  max_listeners: 100
  classes:
    - name: "Detached HTML*"
      max_count: 0
  fail_on_suspects: [listeners, timers]
  listener_threshold: 50    # the detectors' thresholds, as in analyze
analyze:
  top: 50
  listener_threshold: 50
max_inflate: 64             # every command
` + "```" + `

Sizes are byte counts with an optional unit: B, kB, MB, GB, TB (powers of 1000) or KiB,
MiB, GiB, TiB (powers of 1024). A list (` + "`fail_on_suspects`" + `, ` + "`source_maps`" + `) is a YAML list in the
file and items separated by commas in a variable. True/false settings take ` + "`true`" + ` or ` + "`false`" + `.

`)
	sections := []string{""}
	bySection := map[string][]string{}
	for _, key := range a.config.keys {
		section, _, ok := strings.Cut(key, ".")
		if !ok {
			section = ""
		}
		if _, seen := bySection[section]; !seen && section != "" {
			sections = append(sections, section)
		}
		bySection[section] = append(bySection[section], key)
	}
	b.WriteString("Sections: [every command](#every-command)")
	for _, s := range sections[1:] {
		fmt.Fprintf(&b, ", [`%s:`](#%s)", s, s)
	}
	b.WriteString(", [environment only](#environment-only).\n")
	for _, section := range sections {
		if section == "" {
			b.WriteString("\n## Every command\n\nAt the top level of the config file (`--config` and `--quiet` are flags only):\n\n")
		} else {
			fmt.Fprintf(&b, "\n## %s\n\n", section)
			cmd, _, _ := root.Find([]string{section})
			fmt.Fprintf(&b, "`heapsnap %s`: %s. In the config file under `%s:`.\n\n", section, cmd.Short, section)
		}
		b.WriteString("| key | flag | environment variable | default | meaning |\n|---|---|---|---|---|\n")
		for _, key := range bySection[section] {
			bind := a.config.bound[key]
			name := strings.TrimPrefix(key, section+".")
			if bind.flag == nil {
				fmt.Fprintf(&b, "| `%s` | — | `%s` | %s | %s |\n", name, bind.env, bind.def, cell(bind.doc))
				continue
			}
			fmt.Fprintf(&b, "| `%s` | `--%s` | `%s` | %s | %s |\n", name, bind.flag.Name, bind.env, defaultCell(bind.flag), cell(usageOf(bind.flag)))
		}
		if section == "check" {
			fmt.Fprintf(&b, "\nEach entry of `classes` is a mapping with the keys %s (at least one limit); from `--class` or `HEAPSNAP_CHECK_CLASSES` it is `PATTERN:key=value,...` (specs separated by `;` in the variable). `name` is an exact class name or a glob (`*`, `?`, `[...]`). Any size or growth may be `off`, which turns off a budget the file sets.\n", "`"+strings.Join(budget.ClassKeys, "`, `")+"`")
		}
	}
	fmt.Fprintf(&b, `
## Environment only

| variable | meaning |
|---|---|
| `+"`HEAPSNAP_CONFIG`"+` | the config file, when `+"`--config`"+` is not given |
| `+"`HEAPSNAP_SPILL_DIR`"+` | where the analysis of a snapshot of more than %d nodes writes the columns compression does not make small enough (default: the system's temporary directory; `+"`off`"+` keeps them in memory) |
| `+"`HEAPSNAP_TRACE`"+` | when set, each stage's wall time, CPU time and memory on stderr (docs/performance.md) |
| `+"`HEAPSNAP_CGROUP_ROOT`"+` | where `+"`capture`"+` finds the cgroup filesystem, to measure a process's memory headroom (default `+"`/sys/fs/cgroup`"+`) |
| `+"`HEAPSNAP_CPUPROFILE`"+` | a file to write a pprof CPU profile of heapsnap itself to |
| `+"`COLUMNS`"+` | the width tables and help texts fit, over the terminal's (`+"`--wide`"+` keeps table cells whole) |
| `+"`CI`"+` | when set, no progress bar |
| `+"`GITHUB_ACTIONS`"+` | `+"`true`"+`: `+"`check`"+` also writes each exceeded budget as an `+"`::error`"+` annotation |

The default gzip inflate limit (`+"`max_inflate`"+`) is %d.
`, parkThreshold, heapsnapshot.DefaultMaxInflate)
	return b.Bytes()
}

func usageOf(f *pflag.Flag) string {
	_, usage := pflag.UnquoteUsage(f)
	return usage
}

func defaultCell(f *pflag.Flag) string {
	switch d := f.DefValue; {
	case d == "" || d == "[]":
		return "none"
	case f.Value.Type() == "bool" && d == "false":
		return "`false`"
	default:
		return "`" + d + "`"
	}
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
