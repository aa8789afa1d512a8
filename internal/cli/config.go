package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// renamedKeys maps settings that changed their name to the new one, so
// that the old name in a config file, the environment or on the command
// line says where the setting went rather than just "unknown".
var renamedKeys = map[string]string{
	"analyze.max_listeners": "analyze.listener_threshold",
}

// defaultConfigFile is read from the working directory when neither
// --config nor HEAPSNAP_CONFIG names a file.
const defaultConfigFile = ".heapsnap.yaml"

// keyAnnotation on a flag names its configuration key when that differs
// from the flag's name (--class sets check.classes).
const keyAnnotation = "heapsnap_config_key"

// configState is what the run knows about configuration: the --config
// flag, the file read, and every key a file may set.
type configState struct {
	flag  string
	file  string
	bound map[string]binding
	// keys lists the bound keys in the order they were bound: commands
	// in the root's order, each command's flags sorted (docs/config.md).
	keys []string
	// sections maps a command to its section of keys.
	sections map[*cobra.Command]string
}

// binding is where a configuration key may also come from; a key with no
// flag carries its default and meaning for docs/config.md.
type binding struct {
	flag     *pflag.Flag
	env      string
	def, doc string
}

// describe documents a key that has no flag.
func (c *configState) describe(key, def, doc string) {
	b := c.bound[key]
	b.def, b.doc = def, doc
	c.bound[key] = b
}

func (c *configState) bind(key string, f *pflag.Flag, env string) {
	if c.bound == nil {
		c.bound = map[string]binding{}
	}
	if _, ok := c.bound[key]; ok {
		panic("configuration key " + key + " bound twice") // one key, one meaning
	}
	c.bound[key] = binding{flag: f, env: env}
	c.keys = append(c.keys, key)
}

func (c *configState) section(cmd *cobra.Command, name string) {
	if c.sections == nil {
		c.sections = map[*cobra.Command]string{}
	}
	c.sections[cmd] = name
}

// warnUnscopedEnv warns about environment variables named as heapsnap
// named them before every variable carried its command's section
// (HEAPSNAP_MAX_TOTAL_SIZE for HEAPSNAP_CHECK_MAX_TOTAL_SIZE): they are
// not read, and a CI gate that lost a budget should not pass unnoticed.
func (a *app) warnUnscopedEnv(cmd *cobra.Command) {
	section, ok := a.config.sections[cmd]
	if !ok {
		return
	}
	for _, key := range a.config.keys {
		name, found := strings.CutPrefix(key, section+".")
		if !found {
			continue
		}
		old := envName(name)
		if _, global := a.config.bound[name]; global || os.Getenv(old) == "" {
			continue
		}
		fmt.Fprintf(a.streams.Err, "heapsnap: warning: %s is not read: %s reads %s\n", old, cmd.Name(), a.config.bound[key].env)
	}
	for from, to := range renamedKeys {
		if strings.HasPrefix(from, section+".") {
			for _, old := range []string{envName(from), envName(strings.TrimPrefix(from, section+"."))} {
				if os.Getenv(old) != "" {
					fmt.Fprintf(a.streams.Err, "heapsnap: warning: %s is not read: %s reads %s\n", old, cmd.Name(), envName(to))
				}
			}
		}
	}
}

// usesConfig reports whether cmd has settings a config file can hold.
func (c *configState) usesConfig(cmd *cobra.Command) bool {
	uses := false
	cmd.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
		for _, b := range c.bound {
			if b.flag == f {
				uses = true
			}
		}
	})
	return uses
}

// readConfig reads the configuration file for commands that have
// settings: --config, else $HEAPSNAP_CONFIG, else .heapsnap.yaml in the
// working directory if there is one. A key the file sets that the
// command's section or the top level does not know is an error, so that
// a misspelt budget cannot pass unnoticed; one in another command's
// section is that command's to report, so that a mistake made for check
// does not stop nodes.
func (a *app) readConfig(cmd *cobra.Command) error {
	if !a.config.usesConfig(cmd) {
		return nil
	}
	path := a.config.flag
	if path == "" {
		path = os.Getenv("HEAPSNAP_CONFIG")
	}
	if path == "" {
		if _, err := os.Stat(defaultConfigFile); errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		path = defaultConfigFile
	}
	a.v.SetConfigFile(path)
	if ext := strings.TrimPrefix(filepath.Ext(path), "."); !slices.Contains(viper.SupportedExts, ext) {
		a.v.SetConfigType("yaml")
	}
	if err := a.v.ReadInConfig(); err != nil {
		var pathErr *fs.PathError
		var parseErr viper.ConfigParseError
		switch {
		case errors.As(err, &pathErr):
			err = pathErr.Err
		case errors.As(err, &parseErr):
			err = parseErr.Unwrap()
		}
		return usagef("config %s: %v", path, err)
	}
	a.config.file = path
	keys := a.v.AllKeys()
	slices.Sort(keys)
	own := a.config.sections[cmd]
	for _, key := range keys {
		if _, ok := a.config.bound[key]; ok {
			continue
		}
		if section, _, ok := strings.Cut(key, "."); ok && section != own && a.config.isSection(section) {
			continue // another command's mistake, reported when that command runs
		}
		if a.config.isSection(key) {
			return usagef("config %s: %q must be a mapping of settings", path, key)
		}
		msg := fmt.Sprintf("config %s: unknown key %q", path, key)
		if s, ok := renamedKeys[key]; ok {
			msg += fmt.Sprintf(" (renamed %q)", s)
		} else if s := a.config.suggest(key); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return usagef("%s", msg)
	}
	return nil
}

// isSection reports whether key is a section name such as "check".
func (c *configState) isSection(key string) bool {
	for k := range c.bound {
		if strings.HasPrefix(k, key+".") {
			return true
		}
	}
	return false
}

// suggest returns the known key closest to an unknown one, if it is close.
func (c *configState) suggest(key string) string {
	best, bestDist := "", 4
	for k := range c.bound {
		if d := editDistance(key, k); d < bestDist || d == bestDist && k < best {
			best, bestDist = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// origin says where a key's value comes from, for error messages: the
// flag, the environment variable, or the key in the config file.
func (a *app) origin(key string) string {
	b := a.config.bound[key]
	switch {
	case b.flag != nil && b.flag.Changed:
		return "--" + b.flag.Name
	case b.env != "" && os.Getenv(b.env) != "":
		return b.env
	case a.config.file != "" && a.v.InConfig(key):
		return key + " in " + a.config.file
	}
	return key
}

// setting returns a key's value as a string: "" when unset.
func (a *app) setting(key string) string {
	v := a.v.Get(key)
	if v == nil {
		return ""
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

// settingList returns a list-valued key: a YAML list, or a string of
// items separated by commas or spaces (flags and environment variables).
func (a *app) settingList(key string) []string {
	var items []string
	switch v := a.v.Get(key).(type) {
	case nil:
	case []string:
		items = v
	case []any:
		for _, x := range v {
			items = append(items, fmt.Sprint(x))
		}
	default:
		items = strings.Split(fmt.Sprint(v), ",")
	}
	var out []string
	for _, it := range items {
		out = append(out, strings.FieldsFunc(it, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })...)
	}
	return out
}
