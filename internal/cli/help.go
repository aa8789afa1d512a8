package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// helpWidth is the width help texts wrap at: the output's width, as
// tables fit it (outputWidth), else 80, the width the texts are written
// for.
func (a *app) helpWidth() int {
	if n := outputWidth(a.streams.Out); n > 0 {
		return max(n, 20)
	}
	return 80
}

// setHelp makes every command's help and usage wrap at helpWidth and end
// with where its settings also come from.
func (a *app) setHelp(root *cobra.Command) {
	root.SetUsageFunc(func(c *cobra.Command) error {
		a.writeUsage(c.OutOrStderr(), c, a.helpWidth())
		return nil
	})
	root.SetHelpFunc(func(c *cobra.Command, _ []string) {
		width := a.helpWidth()
		out := c.OutOrStdout()
		text := c.Long
		if text == "" {
			text = c.Short
		}
		fmt.Fprintf(out, "%s\n\n", strings.TrimRight(wrapText(text, width), "\n "))
		a.writeUsage(out, c, width)
	})
}

// writeUsage is cobra's usage text with flags wrapped at width and a
// line saying how the command's flags map to environment variables and
// config keys.
func (a *app) writeUsage(w io.Writer, c *cobra.Command, width int) {
	fmt.Fprint(w, "Usage:")
	if c.Runnable() {
		fmt.Fprintf(w, "\n  %s", c.UseLine())
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n  %s [command]", c.CommandPath())
	}
	if c.HasExample() {
		fmt.Fprintf(w, "\n\nExamples:\n%s", c.Example)
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprint(w, "\n\nAvailable Commands:")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(w, "\n  %-*s %s", sub.NamePadding(), sub.Name(), sub.Short)
			}
		}
	}
	if c.HasAvailableLocalFlags() {
		fmt.Fprintf(w, "\n\nFlags:\n%s", flagUsages(c.LocalFlags(), width))
	}
	if c.HasAvailableInheritedFlags() {
		fmt.Fprintf(w, "\n\nGlobal Flags:\n%s", flagUsages(c.InheritedFlags(), width))
	}
	if note := a.settingsNote(c); note != "" {
		fmt.Fprintf(w, "\n\n%s", strings.Join(wrapWords(note, width), "\n"))
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n\nUse \"%s [command] --help\" for more information about a command.", c.CommandPath())
	}
	fmt.Fprintln(w)
}

// flagUsages lists flags wrapped at width, without trailing spaces.
func flagUsages(f *pflag.FlagSet, width int) string {
	lines := strings.Split(strings.TrimRight(f.FlagUsagesWrapped(width), " \n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// settingsNote says, with one of the command's flags as the example, that
// every flag is also an environment variable and a config key.
func (a *app) settingsNote(c *cobra.Command) string {
	section, ok := a.config.sections[c]
	if !ok {
		return ""
	}
	var example *pflag.Flag
	var key string
	c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
		for k, b := range a.config.bound {
			if b.flag == f && example == nil && f.Value.Type() != "bool" {
				example, key = f, k
			}
		}
	})
	if example == nil {
		return ""
	}
	return fmt.Sprintf("Settings: every flag is also an environment variable and a key of the %s section of the config file: --%s is %s and %s (docs/config.md lists them all).",
		section, example.Name, a.config.bound[key].env, strings.TrimPrefix(key, section+"."))
}

// wrapText rewraps the prose paragraphs of a help text to width when the
// width is less than the 80 columns the texts are written for: lines that
// start with a space (tables, examples, YAML) are kept as they are.
func wrapText(text string, width int) string {
	if width >= 80 {
		return text
	}
	var out []string
	var para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, wrapWords(strings.Join(para, " "), width)...)
			para = nil
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, " ") {
			flush()
			out = append(out, line)
			continue
		}
		para = append(para, strings.TrimSpace(line))
	}
	flush()
	return strings.Join(out, "\n")
}

// wrapWords breaks words into lines of at most width columns (a longer
// word gets a line of its own).
func wrapWords(s string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case len([]rune(line))+1+len([]rune(word)) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
