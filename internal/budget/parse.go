package budget

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ClassKeys are the settings of one entry of check.classes.
var ClassKeys = []string{"name", "max_retained_size", "max_count", "max_growth"}

// ParseOptional parses a size or growth: nil when unset or "off".
func ParseOptional(s string, parse func(string) (Amount, error)) (*Amount, error) {
	if s == "" || s == "off" {
		return nil, nil
	}
	v, err := parse(s)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// ParseClassSpec parses PATTERN:key=value,key=value. The pattern ends at
// the last colon, since class names may contain colons but values do not.
func ParseClassSpec(spec string) (map[string]any, error) {
	spec = strings.TrimSpace(spec)
	colon := strings.LastIndex(spec, ":")
	if colon < 0 {
		return nil, fmt.Errorf("invalid class budget %q: want PATTERN:key=value,... e.g. Order:max_count=10000", spec)
	}
	fields := map[string]any{"name": spec[:colon]}
	for kv := range strings.SplitSeq(spec[colon+1:], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("invalid class budget %q: %q is not key=value", spec, kv)
		}
		fields[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	return fields, nil
}

// ParseClassBudget reads one class budget: name and limits, as a
// configuration file's check.classes entry holds them.
func ParseClassBudget(fields map[string]any) (ClassBudget, error) {
	var cb ClassBudget
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(ClassKeys, k) {
			return cb, fmt.Errorf("unknown key %q in a class budget: use %s", k, strings.Join(ClassKeys, ", "))
		}
	}
	str := func(k string) string {
		if fields[k] == nil {
			return ""
		}
		return strings.TrimSpace(fmt.Sprint(fields[k]))
	}
	name := str("name")
	if name == "" {
		return cb, errors.New("a class budget needs a name")
	}
	p, err := CompilePattern(name)
	if err != nil {
		return cb, err
	}
	cb.Name = p
	size := func(k string, parse func(string) (Amount, error)) (*Amount, error) {
		v, err := ParseOptional(str(k), parse)
		if err != nil {
			return nil, fmt.Errorf("class %s: %s: %w", name, k, err)
		}
		return v, nil
	}
	if cb.MaxRetainedSize, err = size("max_retained_size", ParseSize); err != nil {
		return cb, err
	}
	if cb.MaxGrowth, err = size("max_growth", ParseGrowth); err != nil {
		return cb, err
	}
	if s := str("max_count"); s != "" && s != "off" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return cb, fmt.Errorf("class %s: max_count: invalid count %q: want a whole number", name, s)
		}
		cb.MaxCount = &n
	}
	if cb.MaxRetainedSize == nil && cb.MaxCount == nil && cb.MaxGrowth == nil {
		return cb, fmt.Errorf("class %s sets no budget: add max_retained_size, max_count or max_growth", name)
	}
	return cb, nil
}
