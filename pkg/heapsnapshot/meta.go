package heapsnapshot

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/buger/jsonparser"
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
}

// Header is the parsed "snapshot" object.
type Header struct {
	Meta               Meta
	NodeCount          int
	EdgeCount          int
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

// parseHeader decodes the value of the top-level "snapshot" key.
func parseHeader(b []byte) (*Header, error) {
	var h Header
	meta, typ, _, err := jsonparser.Get(b, "meta")
	if err != nil || typ != jsonparser.Object {
		return nil, errors.New(`snapshot header has no "meta" object`)
	}
	if h.Meta.NodeFields, err = stringArray(meta, "node_fields"); err != nil {
		return nil, err
	}
	if h.Meta.EdgeFields, err = stringArray(meta, "edge_fields"); err != nil {
		return nil, err
	}
	if h.Meta.NodeTypes, err = typeEnum(meta, "node_types", h.Meta.NodeFields); err != nil {
		return nil, err
	}
	if h.Meta.EdgeTypes, err = typeEnum(meta, "edge_types", h.Meta.EdgeFields); err != nil {
		return nil, err
	}
	for _, f := range []string{"type", "name", "id", "self_size", "edge_count"} {
		if err := requireOnce(h.Meta.NodeFields, "node_fields", f); err != nil {
			return nil, err
		}
	}
	for _, f := range []string{"type", "name_or_index", "to_node"} {
		if err := requireOnce(h.Meta.EdgeFields, "edge_fields", f); err != nil {
			return nil, err
		}
	}
	if _, _, _, err := jsonparser.Get(meta, "location_fields"); err == nil {
		if h.Meta.LocationFields, err = stringArray(meta, "location_fields"); err != nil {
			return nil, err
		}
		for _, f := range []string{"object_index", "script_id", "line", "column"} {
			if err := requireOnce(h.Meta.LocationFields, "location_fields", f); err != nil {
				return nil, err
			}
		}
	}
	if h.NodeCount, err = count(b, "node_count", true); err != nil {
		return nil, err
	}
	if h.EdgeCount, err = count(b, "edge_count", true); err != nil {
		return nil, err
	}
	if h.TraceFunctionCount, err = count(b, "trace_function_count", false); err != nil {
		return nil, err
	}
	extra, err := count(b, "extra_native_bytes", false)
	if err != nil {
		return nil, err
	}
	h.ExtraNativeBytes = uint64(extra)
	root, err := count(b, "root_index", false)
	if err != nil {
		return nil, err
	}
	h.RootIndex = uint64(root)
	if h.NodeCount == 0 {
		return nil, errors.New("snapshot has no nodes (node_count is 0)")
	}
	if h.RootIndex%uint64(len(h.Meta.NodeFields)) != 0 || h.RootIndex/uint64(len(h.Meta.NodeFields)) >= uint64(h.NodeCount) {
		return nil, fmt.Errorf("root_index %d is not a node index", h.RootIndex)
	}
	return &h, nil
}

func stringArray(obj []byte, key string) ([]string, error) {
	v, typ, _, err := jsonparser.Get(obj, key)
	if err != nil {
		return nil, fmt.Errorf("snapshot meta has no %q", key)
	}
	if typ != jsonparser.Array {
		return nil, fmt.Errorf("snapshot meta %q is not an array", key)
	}
	return decodeStrings(v, key)
}

func decodeStrings(arr []byte, what string) ([]string, error) {
	var out []string
	var bad error
	_, err := jsonparser.ArrayEach(arr, func(v []byte, typ jsonparser.ValueType, _ int, _ error) {
		if bad != nil {
			return
		}
		if typ != jsonparser.String {
			bad = fmt.Errorf("snapshot meta %q holds a non-string", what)
			return
		}
		s, err := jsonparser.ParseString(v)
		if err != nil {
			bad = fmt.Errorf("snapshot meta %q: %v", what, err)
			return
		}
		out = append(out, s)
	})
	if bad != nil {
		return nil, bad
	}
	if err != nil {
		return nil, fmt.Errorf("snapshot meta %q: %v", what, err)
	}
	return out, nil
}

// typeEnum reads the enum of the "type" field: meta.X_types[position of "type"].
func typeEnum(meta []byte, key string, fields []string) ([]string, error) {
	pos := slices.Index(fields, "type")
	if pos < 0 {
		return nil, fmt.Errorf(`snapshot meta %q has no "type" field`, key[:len(key)-len("types")]+"fields")
	}
	v, typ, _, err := jsonparser.Get(meta, key, fmt.Sprintf("[%d]", pos))
	if err != nil || typ != jsonparser.Array {
		return nil, fmt.Errorf("snapshot meta %q has no list of type names at position %d", key, pos)
	}
	names, err := decodeStrings(v, key)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 || len(names) > 255 {
		return nil, fmt.Errorf("snapshot meta %q declares %d type names", key, len(names))
	}
	return names, nil
}

func requireOnce(fields []string, what, name string) error {
	n := 0
	for _, f := range fields {
		if f == name {
			n++
		}
	}
	switch n {
	case 0:
		return fmt.Errorf("snapshot meta %s lacks %q", what, name)
	case 1:
		return nil
	}
	return fmt.Errorf("snapshot meta %s lists %q %d times", what, name, n)
}

// count reads a non-negative integer header field. V8 writes some counts
// through a double, so an integral float is accepted too.
func count(b []byte, key string, required bool) (int, error) {
	v, typ, _, err := jsonparser.Get(b, key)
	if err != nil {
		if required {
			return 0, fmt.Errorf("snapshot header has no %q", key)
		}
		return 0, nil
	}
	if typ == jsonparser.Null && !required {
		return 0, nil
	}
	if typ != jsonparser.Number {
		return 0, fmt.Errorf("snapshot header %q is not a number", key)
	}
	f, err := jsonparser.ParseFloat(v)
	if err != nil || f < 0 || f != math.Trunc(f) || f > 1<<53 {
		return 0, fmt.Errorf("snapshot header %q is %s, not a count", key, v)
	}
	return int(f), nil
}
