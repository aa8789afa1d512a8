package cli

import (
	"bytes"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/viper"
)

// Docs returns the command reference in Markdown, one page per command
// (heapsnap.md, heapsnap_check.md, …), generated from the commands
// themselves. The pages carry no date, so the same commands always give
// the same bytes; docs/cli/ holds them (make docs).
func Docs() (map[string][]byte, error) {
	a := &app{streams: Streams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}, v: viper.New()}
	root := a.newRootCmd()
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() == "help" {
			c.Hidden = true // "heapsnap help CMD" is "heapsnap CMD --help"
		}
	}
	pages := map[string][]byte{}
	var walk func(*cobra.Command) error
	walk = func(c *cobra.Command) error {
		c.DisableAutoGenTag = true
		c.Long = fenceIndented(c.Long)
		var buf bytes.Buffer
		if err := doc.GenMarkdownCustom(c, &buf, func(s string) string { return s }); err != nil {
			return err
		}
		pages[strings.ReplaceAll(c.CommandPath(), " ", "_")+".md"] = buf.Bytes()
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() && !sub.IsAdditionalHelpTopicCommand() {
				if err := walk(sub); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(root); err != nil {
		return nil, err
	}
	return pages, nil
}

// fenceIndented puts the indented blocks of a help text (tables, YAML,
// the exit status list) in code fences, so that Markdown keeps their
// lines and spacing as the terminal shows them.
func fenceIndented(text string) string {
	lines := strings.Split(text, "\n")
	indented := func(l string) bool { return strings.HasPrefix(l, "  ") }
	var out []string
	in := false
	for i, l := range lines {
		blank := strings.TrimSpace(l) == ""
		switch {
		case !in && indented(l):
			out = append(out, "```")
			in = true
		case in && blank:
			// A blank line ends the block unless more indented lines follow.
			next := i + 1
			for next < len(lines) && strings.TrimSpace(lines[next]) == "" {
				next++
			}
			if next == len(lines) || !indented(lines[next]) {
				out = append(out, "```")
				in = false
			}
		case in && !indented(l):
			out = append(out, "```")
			in = false
		}
		out = append(out, l)
	}
	if in {
		out = append(out, "```")
	}
	return strings.Join(out, "\n")
}
