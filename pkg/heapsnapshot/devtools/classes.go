package devtools

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unsafe"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// Class is one row of DevTools' Summary (constructor) view.
type Class struct {
	NameIndex uint32 // string index of the class name
	// HasLocation is set for classes of objects created by a user-script
	// constructor: DevTools keys them by script position as well as name.
	HasLocation bool
	ScriptID    uint32
	Line        uint32 // 0-based, as in the snapshot
	Column      uint32 // 0-based

	Count    int
	Self     uint64 // sum of adjusted self sizes
	Retained uint64 // sum of retained sizes of members with no same-class dominator
	Distance int32  // minimum member distance
	// Shadowed is set when a class with the same public key appears later:
	// DevTools' Summary then shows only the later one.
	Shadowed bool

	firstMember int64 // ordinal of the first member, -1 if none
	// keyOrder is where the public key was first inserted into DevTools'
	// aggregates object, which orders rows that tie on size and name.
	keyOrder int64
}

// Interface is an inferred plain-object interface ("{a, b}" class names).
type Interface struct {
	Name  string
	Props []string // raw property names, in the edge order they were seen
}

// ClassName returns the class's name.
func (r *Analysis) ClassName(c *Class) string { return r.Snapshot.Strings.String(c.NameIndex) }

// ClassKey returns the class's public key as DevTools forms it:
// "<script>,<line>,<column>,<name>" for located classes, ",<name>" otherwise.
func (r *Analysis) ClassKey(c *Class) string {
	if c.HasLocation {
		return fmt.Sprintf("%d,%d,%d,%s", c.ScriptID, c.Line, c.Column, r.ClassName(c))
	}
	return "," + r.ClassName(c)
}

// formatPropertyName is DevTools' formatPropertyName: names containing
// , ' " { or } are written as JSON.stringify writes them.
func formatPropertyName(p []byte) []byte {
	if bytes.ContainsAny(p, ",'\"{}") {
		return heapsnapshot.AppendJSString(nil, p)
	}
	return p
}

func (r *Analysis) isPlainObject(i uint32) bool {
	s := r.Snapshot
	return s.NodeType[i] == s.Types.Object && r.is(s.NodeName[i], nameObject)
}

// inferInterfaces is DevTools' inferInterfaceDefinitions: the property
// lists of plain objects ({a, b}), kept if common enough.
func (r *Analysis) inferInterfaces() []Interface {
	s := r.Snapshot
	type candidate struct {
		iface Interface
		count int
	}
	var cands []candidate
	index := map[string]int{}
	// Objects of one shape have the same property list, so the candidate
	// is worked out once per shape (its property names, as string
	// indices in edge order) and looked up after that.
	byShape := map[string]int{}
	var shape []uint32
	var name []byte
	var props []uint32
	plain := 0
	for i := range uint32(s.NodeCount) {
		if !r.isPlainObject(i) {
			continue
		}
		plain++
		shape = r.propertyShape(i, shape)
		if c, ok := byShape[shapeKey(shape)]; ok {
			if c >= 0 {
				cands[c].count++
			}
			continue
		}
		name = append(name[:0], '{')
		props = props[:0]
		width := 1 // UTF-16 length of name
		for _, p := range shape {
			if r.is(p, nameProto) {
				continue
			}
			f := formatPropertyName(s.Strings.Bytes(p))
			fw := heapsnapshot.UTF16Len(f)
			if width > 1 && width+fw > 120 {
				break
			}
			if width != 1 {
				name = append(name, ',', ' ')
				width += 2
			}
			name = append(name, f...)
			width += fw
			props = append(props, p)
		}
		if len(props) == 0 {
			byShape[strings.Clone(shapeKey(shape))] = -1
			continue
		}
		name = append(name, '}')
		c, ok := index[string(name)]
		if !ok {
			names := make([]string, len(props))
			for j, p := range props {
				names[j] = s.Strings.String(p)
			}
			c = len(cands)
			index[string(name)] = c
			cands = append(cands, candidate{iface: Interface{Name: string(name), Props: names}})
		}
		cands[c].count++
		byShape[strings.Clone(shapeKey(shape))] = c
	}
	slices.SortStableFunc(cands, func(a, b candidate) int { return b.count - a.count })
	minCount := max(2, float64(plain)/1000)
	var defs []Interface
	for _, c := range cands {
		if float64(c.count) < minCount {
			break
		}
		defs = append(defs, c.iface)
	}
	return defs
}

// propertyShape returns the names (string indices) of node i's property
// edges in edge order, reusing buf. DevTools' interface inference and
// matching depend on nothing else.
func (r *Analysis) propertyShape(i uint32, buf []uint32) []uint32 {
	s := r.Snapshot
	buf = buf[:0]
	for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
		if s.EdgeType[e] == s.Types.Property {
			buf = append(buf, s.EdgeName[e])
		}
	}
	return buf
}

// shapeKey views a property shape as a map key without copying: fine for
// lookups, but a key stored in a map must be cloned, since the shape's
// buffer is reused.
func shapeKey(shape []uint32) string {
	if len(shape) == 0 {
		return ""
	}
	return unsafe.String((*byte)(unsafe.Pointer(unsafe.SliceData(shape))), 4*len(shape))
}

// ifaceNode is a node of the tree DevTools builds over the interface
// definitions' sorted property names.
type ifaceNode struct {
	next     map[string]*ifaceNode
	greatest []byte // largest child key; nil when there are no children
	match    *ifaceMatch
}

type ifaceMatch struct {
	name  string
	props int
	index int
}

// better picks DevTools' preferred match: more properties, then the earlier
// definition. nil stands for "no interface".
func better(a, b *ifaceMatch) *ifaceMatch {
	switch {
	case b == nil:
		return a
	case a == nil || b.props > a.props:
		return b
	case a.props > b.props:
		return a
	case a.index <= b.index:
		return a
	}
	return b
}

func buildIfaceTree(defs []Interface) *ifaceNode {
	tree := &ifaceNode{next: map[string]*ifaceNode{}}
	for k, d := range defs {
		props := slices.Clone(d.Props)
		slices.SortFunc(props, func(a, b string) int { return heapsnapshot.CompareUTF16([]byte(a), []byte(b)) })
		cur := tree
		for _, p := range props {
			nx := cur.next[p]
			if nx == nil {
				nx = &ifaceNode{next: map[string]*ifaceNode{}}
				cur.next[p] = nx
				if cur.greatest == nil || heapsnapshot.CompareUTF16(cur.greatest, []byte(p)) < 0 {
					cur.greatest = []byte(p)
				}
			}
			cur = nx
		}
		if cur.match == nil {
			cur.match = &ifaceMatch{name: d.Name, props: len(d.Props), index: k}
		}
	}
	return tree
}

// classNamer computes DevTools' class name (as a string index) per node.
type classNamer struct {
	r     *Analysis
	added map[string]uint32 // names appended by this pass, by text
	tree  *ifaceNode
	// pending strings get indices from base on; see appendString.
	pending []string
	base    uint32
	// byShape remembers each property shape's match (see propertyShape):
	// the interface's string index, or noInterface.
	byShape map[string]uint32
	// scratch for interface matching
	shape  []uint32
	props  [][]byte
	states []*ifaceNode
}

const noInterface = ^uint32(0)

func (c *classNamer) appended(name []byte) uint32 {
	if idx, ok := c.added[string(name)]; ok {
		return idx
	}
	idx := c.appendString(string(name))
	c.added[string(name)] = idx
	return idx
}

// appendString gives name the string index it will have once flush
// appends it. Appending is deferred so that naming classes can run while
// another stage reads the string table.
func (c *classNamer) appendString(name string) uint32 {
	c.pending = append(c.pending, name)
	return c.base + uint32(len(c.pending)) - 1
}

// flush appends the strings the namer gave indices to.
func (c *classNamer) flush() {
	for _, name := range c.pending {
		c.r.Snapshot.Strings.Append([]byte(name))
	}
	c.pending = nil
}

func newClassNamer(r *Analysis, defs []Interface) *classNamer {
	if r.interfaceNames == nil {
		r.interfaceNames = map[string]uint32{}
	}
	return &classNamer{r: r, added: map[string]uint32{}, tree: buildIfaceTree(defs), base: uint32(r.Snapshot.Strings.Len())}
}

// interfaceName returns the interface class of plain object i, or false.
func (c *classNamer) interfaceName(i uint32) (uint32, bool) {
	c.shape = c.r.propertyShape(i, c.shape)
	if c.byShape == nil {
		c.byShape = map[string]uint32{}
	}
	if idx, ok := c.byShape[shapeKey(c.shape)]; ok {
		return idx, idx != noInterface
	}
	idx, ok := c.matchInterface()
	if !ok {
		idx = noInterface
	}
	c.byShape[strings.Clone(shapeKey(c.shape))] = idx
	return idx, ok
}

// matchInterface is DevTools' applyInterfaceDefinitions for one object,
// whose property names are in c.shape.
func (c *classNamer) matchInterface() (uint32, bool) {
	s := c.r.Snapshot
	c.props = c.props[:0]
	for _, p := range c.shape {
		c.props = append(c.props, s.Strings.Bytes(p))
	}
	slices.SortFunc(c.props, heapsnapshot.CompareUTF16)
	c.states = append(c.states[:0], c.tree)
	match := c.tree.match
	var snapshot []*ifaceNode
	for _, p := range c.props {
		snapshot = append(snapshot[:0], c.states...)
		for _, st := range snapshot {
			if st.greatest == nil || heapsnapshot.CompareUTF16(p, st.greatest) >= 0 {
				if k := slices.Index(c.states, st); k >= 0 {
					c.states = slices.Delete(c.states, k, k+1)
				}
			}
			if nx := st.next[string(p)]; nx != nil {
				if !slices.Contains(c.states, nx) {
					c.states = append(c.states, nx)
				}
				match = better(match, nx.match)
			}
		}
	}
	if match == nil {
		return 0, false
	}
	if idx, ok := c.r.interfaceNames[match.name]; ok {
		return idx, true
	}
	idx := c.appendString(match.name)
	c.r.interfaceNames[match.name] = idx
	return idx, true
}

// assignClasses is DevTools' calculateObjectNames plus
// applyInterfaceDefinitions(defs), followed by class keys: it fills r.Class
// and r.Classes.
func (r *Analysis) assignClasses(defs []Interface) {
	c := r.nameClasses(defs)
	c.flush()
	r.keyClasses()
}

// nameClasses sets r.Class to each node's class name (a string index) as
// calculateObjectNames and applyInterfaceDefinitions(defs) do. It only
// reads the snapshot: the names it adds to the string table are appended
// by the returned namer's flush, which must come before keyClasses.
func (r *Analysis) nameClasses(defs []Interface) *classNamer {
	s := r.Snapshot
	k := &s.Types
	n := uint32(s.NodeCount)
	c := newClassNamer(r, defs)
	system := c.appended([]byte("(system)"))
	compiledCode := c.appended([]byte("(compiled code)"))
	function := c.appended([]byte("Function"))
	regExp := c.appended([]byte("RegExp"))
	typeClass := make([]uint32, len(s.Meta.NodeTypes))
	for t, name := range s.Meta.NodeTypes {
		switch uint8(t) {
		case k.Hidden, k.Object, k.Native, k.Code, k.Closure, k.RegExp:
		default:
			typeClass[t] = c.appended([]byte("(" + name + ")"))
		}
	}
	cls := make([]uint32, n) // class name index first, class id below
	var buf []byte
	for i := range n {
		switch t := s.NodeType[i]; t {
		case k.Hidden:
			cls[i] = system
		case k.Object, k.Native:
			name := s.NodeNameBytes(i)
			switch {
			case len(name) > 0 && name[0] == '<':
				if sp := bytes.IndexByte(name, ' '); sp >= 0 {
					name = append(append(buf[:0], name[:sp]...), '>')
					buf = name
				}
				cls[i] = c.appended(name)
			case bytes.HasPrefix(name, []byte("Detached <")):
				if sp := bytes.IndexByte(name[10:], ' '); sp >= 0 {
					name = append(append(buf[:0], name[:10+sp]...), '>')
					buf = name
				}
				cls[i] = c.appended(name)
			default:
				cls[i] = s.NodeName[i]
			}
		case k.Code:
			cls[i] = compiledCode
		case k.Closure:
			cls[i] = function
		case k.RegExp:
			cls[i] = regExp
		default:
			cls[i] = typeClass[t]
		}
	}
	for i := range n {
		if r.isPlainObject(i) {
			if idx, ok := c.interfaceName(i); ok {
				cls[i] = idx
			}
		}
	}
	r.Class = cls
	return c
}

// keyClasses turns r.Class from class name indices into class ids, one per
// DevTools class key.
func (r *Analysis) keyClasses() {
	s := r.Snapshot
	type locKey struct{ script, line, col, name uint32 }
	byName := make([]int32, s.Strings.Len())
	for i := range byName {
		byName[i] = -1
	}
	byLoc := map[locKey]uint32{}
	var classes []Class
	object := s.Types.Object
	locs := s.Locations
	for i := range uint32(s.NodeCount) {
		name := r.Class[i]
		// Locations are sorted by node, so advance through them in step.
		for len(locs) > 0 && locs[0].Node < i {
			locs = locs[1:]
		}
		if s.NodeType[i] == object && len(locs) > 0 && locs[0].Node == i {
			l := locs[0]
			key := locKey{l.ScriptID, l.Line, l.Column, name}
			id, ok := byLoc[key]
			if !ok {
				id = uint32(len(classes))
				byLoc[key] = id
				classes = append(classes, Class{NameIndex: name, HasLocation: true, ScriptID: l.ScriptID, Line: l.Line, Column: l.Column, firstMember: -1})
			}
			r.Class[i] = id
			continue
		}
		if byName[name] < 0 {
			byName[name] = int32(len(classes))
			classes = append(classes, Class{NameIndex: name, firstMember: -1})
		}
		r.Class[i] = uint32(byName[name])
	}
	r.Classes = classes
	r.mergeLocatedClasses()
}

// mergeLocatedClasses joins located classes whose keys have the same text
// but different name indices (a DevTools-appended string equal to a V8
// one): DevTools keys located classes by text.
func (r *Analysis) mergeLocatedClasses() {
	seen := map[string]uint32{}
	remap := make([]uint32, len(r.Classes))
	merged := false
	for id := range r.Classes {
		remap[id] = uint32(id)
		c := &r.Classes[id]
		if !c.HasLocation {
			continue
		}
		key := r.ClassKey(c)
		if first, ok := seen[key]; ok {
			remap[id] = first
			merged = true
			continue
		}
		seen[key] = uint32(id)
	}
	if !merged {
		return
	}
	for i, id := range r.Class {
		r.Class[i] = remap[id]
	}
}

// aggregate fills the Summary numbers of every class: DevTools'
// buildAggregates and calculateClassesRetainedSize.
func (r *Analysis) aggregate() {
	r.countMembers()
	r.classRetainedSizes(nil)
	r.markShadowedClasses()
}

// countMembers fills each class's count, self size and distance: every
// node with a non-zero adjusted self size is a member.
func (r *Analysis) countMembers() {
	s := r.Snapshot
	for i, size := range s.NodeSelfSize {
		if size == 0 {
			continue
		}
		c := &r.Classes[r.Class[i]]
		if c.Count == 0 {
			c.firstMember = int64(i)
			c.Distance = r.Distance[i]
		}
		c.Count++
		c.Self += uint64(size)
		c.Distance = min(c.Distance, r.Distance[i])
	}
}

// classRetainedSizes adds up, per class, the retained sizes of members that
// have no member of the same class above them in the dominator tree. Like
// DevTools it walks the tree from the root, iteratively. The tree's
// children lists go in scratch when it is long enough.
func (r *Analysis) classRetainedSizes(scratch []uint32) {
	s := r.Snapshot
	root := s.Root()
	childFirst, children := dominatedNodes(r.Dominator, root, scratch)
	open := make([]uint32, len(r.Classes)) // members of each class on the current path
	type frame struct{ node, next uint32 }
	enter := func(i uint32) {
		if s.NodeSelfSize[i] == 0 {
			return
		}
		c := r.Class[i]
		if open[c] == 0 {
			r.Classes[c].Retained += r.Retained.At(i)
		}
		open[c]++
	}
	stack := []frame{{root, childFirst[root]}}
	enter(root)
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next < childFirst[top.node+1] {
			child := children[top.next]
			top.next++
			enter(child)
			stack = append(stack, frame{child, childFirst[child]})
			continue
		}
		if s.NodeSelfSize[top.node] != 0 {
			open[r.Class[top.node]]--
		}
		stack = stack[:len(stack)-1]
	}
}

// markShadowedClasses reproduces DevTools' public-key collision: classes
// are inserted in order of their first member into a plain object keyed by
// public key, so a later class with an equal key hides the earlier one.
func (r *Analysis) markShadowedClasses() {
	order := make([]int, 0, len(r.Classes))
	for id := range r.Classes {
		if r.Classes[id].Count > 0 {
			order = append(order, id)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		return int(r.Classes[a].firstMember - r.Classes[b].firstMember)
	})
	last := map[string]int{}
	for _, id := range order {
		c := &r.Classes[id]
		key := r.ClassKey(c)
		c.keyOrder = c.firstMember
		if prev, ok := last[key]; ok {
			// The key keeps its first position; its value is replaced.
			r.Classes[prev].Shadowed = true
			c.keyOrder = r.Classes[prev].keyOrder
		}
		last[key] = id
	}
}

// SummaryRows returns the classes DevTools' Summary lists: every class with
// members that is not shadowed, sorted as its grid sorts them: by retained
// size (descending), then name, then (the sort being stable) the order of
// DevTools' aggregates object.
func (r *Analysis) SummaryRows() []*Class {
	var rows []*Class
	for id := range r.Classes {
		if c := &r.Classes[id]; c.Count > 0 && !c.Shadowed {
			rows = append(rows, c)
		}
	}
	slices.SortFunc(rows, func(a, b *Class) int {
		if a.Retained != b.Retained {
			if a.Retained > b.Retained {
				return -1
			}
			return 1
		}
		if c := heapsnapshot.CompareUTF16(r.Snapshot.Strings.Bytes(a.NameIndex), r.Snapshot.Strings.Bytes(b.NameIndex)); c != 0 {
			return c
		}
		return int(a.keyOrder - b.keyOrder)
	})
	return rows
}
