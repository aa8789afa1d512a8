package heapsnapshot

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Meta describes a snapshot's layout as declared in snapshot.meta. Field
// positions differ between V8 versions (and DevTools' own test files), so
// they are always looked up by name.
type Meta struct {
	NodeFields     []string
	NodeTypes      []string // enum of the "type" node field
	EdgeFields     []string
	EdgeTypes      []string // enum of the "type" edge field, as written in the file
	LocationFields []string // nil when the snapshot has no locations
	// The layouts of the allocation trace sections; nil when meta does
	// not describe them (V8 always does, even without traces).
	TraceFunctionInfoFields []string
	TraceNodeFields         []string
	SampleFields            []string
}

// Header is the parsed "snapshot" object.
type Header struct {
	Meta      Meta
	NodeCount int
	EdgeCount int
	// TraceFunctionCount is the number of trace_function_infos entries: 0
	// unless the snapshot was taken with allocation tracking on.
	TraceFunctionCount int
	// ExtraNativeBytes is written by newer V8 versions only.
	ExtraNativeBytes uint64
	// RootIndex is the node index of the root (DevTools honours a non-zero
	// root_index; V8 never writes one, so it is normally 0).
	RootIndex uint64
}

// NodeTypeIndex returns the numeric value of a node type name, or -1.
func (m *Meta) NodeTypeIndex(name string) int { return slices.Index(m.NodeTypes, name) }

// EdgeTypeIndex returns the numeric value of an edge type name, or -1.
func (m *Meta) EdgeTypeIndex(name string) int { return slices.Index(m.EdgeTypes, name) }

// NodeTypeName returns the name of node type t.
func (m *Meta) NodeTypeName(t uint8) string {
	if int(t) < len(m.NodeTypes) {
		return m.NodeTypes[t]
	}
	return fmt.Sprintf("type%d", t)
}

// EdgeTypeName returns the name of edge type t.
func (m *Meta) EdgeTypeName(t uint8) string {
	if int(t) < len(m.EdgeTypes) {
		return m.EdgeTypes[t]
	}
	return fmt.Sprintf("type%d", t)
}

// parseHeader decodes the value of the top-level "snapshot" key, b, which
// starts at stream offset base. Errors point at bytes of b.
func parseHeader(b []byte, base int64) (*Header, *jsonError) {
	if err := validateJSON(b, base); err != nil {
		return nil, err
	}
	var h Header
	top := jsonObject(b, 0)
	meta := member(top, "meta")
	if meta == nil || meta.value[0] != '{' {
		return nil, jsonErrorf(0, `snapshot header has no "meta" object`)
	}
	m := jsonObject(meta.value, meta.valueAt)
	var err *jsonError
	if h.Meta.NodeFields, err = stringArray(m, meta.at, "node_fields", true); err != nil {
		return nil, err
	}
	if h.Meta.EdgeFields, err = stringArray(m, meta.at, "edge_fields", true); err != nil {
		return nil, err
	}
	if h.Meta.NodeTypes, err = typeEnum(m, meta.at, "node_types", h.Meta.NodeFields); err != nil {
		return nil, err
	}
	if h.Meta.EdgeTypes, err = typeEnum(m, meta.at, "edge_types", h.Meta.EdgeFields); err != nil {
		return nil, err
	}
	layouts := []struct {
		key      string
		fields   *[]string
		required []string
		optional bool
	}{
		{"node_fields", &h.Meta.NodeFields, []string{"type", "name", "id", "self_size", "edge_count"}, false},
		{"edge_fields", &h.Meta.EdgeFields, []string{"type", "name_or_index", "to_node"}, false},
		{"location_fields", &h.Meta.LocationFields, []string{"object_index", "script_id", "line", "column"}, true},
		{"trace_function_info_fields", &h.Meta.TraceFunctionInfoFields, []string{"function_id", "name", "script_name", "script_id", "line", "column"}, true},
		{"trace_node_fields", &h.Meta.TraceNodeFields, []string{"id", "function_info_index", "count", "size", "children"}, true},
		{"sample_fields", &h.Meta.SampleFields, []string{"timestamp_us", "last_assigned_id"}, true},
	}
	for _, l := range layouts {
		if l.optional {
			if *l.fields, err = stringArray(m, meta.at, l.key, false); err != nil {
				return nil, err
			}
			if *l.fields == nil {
				continue
			}
		}
		at := member(m, l.key).valueAt
		for _, f := range l.required {
			if err := requireOnce(*l.fields, l.key, f, at); err != nil {
				return nil, err
			}
		}
	}
	counts := []struct {
		key      string
		value    *int
		required bool
	}{
		{"node_count", &h.NodeCount, true},
		{"edge_count", &h.EdgeCount, true},
		{"trace_function_count", &h.TraceFunctionCount, false},
	}
	for _, c := range counts {
		if *c.value, err = count(top, c.key, c.required); err != nil {
			return nil, err
		}
	}
	extra, err := count(top, "extra_native_bytes", false)
	if err != nil {
		return nil, err
	}
	h.ExtraNativeBytes = uint64(extra)
	root, err := count(top, "root_index", false)
	if err != nil {
		return nil, err
	}
	h.RootIndex = uint64(root)
	if h.NodeCount == 0 {
		return nil, jsonErrorf(member(top, "node_count").valueAt, "snapshot has no nodes (node_count is 0)")
	}
	if h.RootIndex%uint64(len(h.Meta.NodeFields)) != 0 || h.RootIndex/uint64(len(h.Meta.NodeFields)) >= uint64(h.NodeCount) {
		return nil, jsonErrorf(member(top, "root_index").valueAt, "root_index %d is not a node index", h.RootIndex)
	}
	return &h, nil
}

// member returns the member of an object with the given key, or nil.
// Repeated keys have equal values (strictJSON checks), so the first will do.
func member(members []jsonMember, key string) *jsonMember {
	for i := range members {
		if members[i].key == key {
			return &members[i]
		}
	}
	return nil
}

// stringArray reads meta[key], an array of strings. A missing optional
// key gives nil.
func stringArray(meta []jsonMember, metaAt int, key string, required bool) ([]string, *jsonError) {
	m := member(meta, key)
	if m == nil {
		if required {
			return nil, jsonErrorf(metaAt, "snapshot meta has no %q", key)
		}
		return nil, nil
	}
	if m.value[0] != '[' {
		return nil, jsonErrorf(m.valueAt, "snapshot meta %q is not an array", key)
	}
	return decodeStrings(m.value, m.valueAt, key)
}

func decodeStrings(arr []byte, at int, what string) ([]string, *jsonError) {
	out := []string{}
	for _, v := range jsonArray(arr) {
		if v[0] != '"' {
			return nil, jsonErrorf(at, "snapshot meta %q holds a non-string", what)
		}
		out = append(out, string(decodeJSONBody(v[1:len(v)-1])))
	}
	return out, nil
}

// typeEnum reads the enum of the "type" field: meta.X_types[position of "type"].
func typeEnum(meta []jsonMember, metaAt int, key string, fields []string) ([]string, *jsonError) {
	pos := slices.Index(fields, "type")
	if pos < 0 {
		return nil, jsonErrorf(metaAt, `snapshot meta %q has no "type" field`, key[:len(key)-len("types")]+"fields")
	}
	m := member(meta, key)
	if m == nil {
		return nil, jsonErrorf(metaAt, "snapshot meta has no %q", key)
	}
	var enum []byte
	if m.value[0] == '[' {
		if items := jsonArray(m.value); pos < len(items) && items[pos][0] == '[' {
			enum = items[pos]
		}
	}
	if enum == nil {
		return nil, jsonErrorf(m.valueAt, "snapshot meta %q has no list of type names at position %d", key, pos)
	}
	names, err := decodeStrings(enum, m.valueAt, key)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 || len(names) > 255 {
		return nil, jsonErrorf(m.valueAt, "snapshot meta %q declares %d type names", key, len(names))
	}
	return names, nil
}

func requireOnce(fields []string, what, name string, at int) *jsonError {
	n := 0
	for _, f := range fields {
		if f == name {
			n++
		}
	}
	switch n {
	case 0:
		return jsonErrorf(at, "snapshot meta %s lacks %q", what, name)
	case 1:
		return nil
	}
	return jsonErrorf(at, "snapshot meta %s lists %q %d times", what, name, n)
}

// count reads a non-negative integer header field. V8 writes some counts
// through a double, so an integral float is accepted too.
func count(top []jsonMember, key string, required bool) (int, *jsonError) {
	m := member(top, key)
	if m == nil {
		if required {
			return 0, jsonErrorf(0, "snapshot header has no %q", key)
		}
		return 0, nil
	}
	if string(m.value) == "null" && !required {
		return 0, nil
	}
	if c := m.value[0]; c != '-' && (c < '0' || c > '9') {
		return 0, jsonErrorf(m.valueAt, "snapshot header %q is not a number", key)
	}
	f, err := strconv.ParseFloat(string(m.value), 64)
	if err != nil || f < 0 || f != math.Trunc(f) || f > 1<<53 {
		return 0, jsonErrorf(m.valueAt, "snapshot header %q is %s, not a count", key, quoteInput(m.value))
	}
	return int(f), nil
}
