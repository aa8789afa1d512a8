package devtools

import (
	"bytes"
	"hash/maphash"
	"math"
	"math/bits"

	"github.com/heapsnap/heapsnap/internal/bitset"
)

// knownName is a name DevTools compares node or edge names with.
type knownName int

const (
	nameObject knownName = iota
	nameArray
	nameNativeContext
	nameMapDescriptors
	nameSloppyFunctionMap
	nameArrayBufferData
	nameExternalStringData
	nameDocumentDOMTrees
	nameElements
	nameProto
	nameGlobalObject
	nameScriptContextTable
	numKnownNames
)

var knownTexts = [numKnownNames]string{
	nameObject:             "Object",
	nameArray:              "Array",
	nameNativeContext:      "system / NativeContext",
	nameMapDescriptors:     "(map descriptors)",
	nameSloppyFunctionMap:  "sloppy_function_map",
	nameArrayBufferData:    "system / JSArrayBufferData",
	nameExternalStringData: "system / ExternalStringData",
	nameDocumentDOMTrees:   "(Document DOM trees)",
	nameElements:           "elements",
	nameProto:              "__proto__",
	// For owner paths (internal/retainers), which end at a global object
	// or a script's top-level scope.
	nameGlobalObject:       "global_object",
	nameScriptContextTable: "system / ScriptContextTable",
}

// maxKnownLength is the length of the longest of knownTexts.
const maxKnownLength = 27

// Values of knownNames entries other than a string index.
const (
	noSuchString     = math.MaxUint32     // the text is not in the table
	duplicatedString = math.MaxUint32 - 1 // the text occurs more than once
)

// findKnownNames resolves each known text to its string index in one pass
// over the table, so that hot loops compare integers instead of bytes. V8
// deduplicates its strings, so a text normally has one index; if it has
// several, comparisons fall back to the text. Strings DevTools appends
// later ("Detached …", "(system)", "{a, b}", "<div>") never equal these
// texts, so indices found here stay complete.
func (r *Analysis) findKnownNames() {
	st := &r.Snapshot.Strings
	for k := range r.known {
		r.known[k] = noSuchString
	}
	// The texts by length: a string is compared with at most two.
	var byLength [maxKnownLength + 1][]knownName
	for k, text := range knownTexts {
		byLength[len(text)] = append(byLength[len(text)], knownName(k))
	}
	for i := 0; i < st.Len(); i++ {
		b := st.Bytes(uint32(i))
		if len(b) > maxKnownLength {
			continue
		}
		for _, k := range byLength[len(b)] {
			if string(b) == knownTexts[k] {
				if r.known[k] == noSuchString {
					r.known[k] = uint32(i)
				} else {
					r.known[k] = duplicatedString
				}
			}
		}
	}
}

// IsText reports whether string idx reads text: by index, without
// reading the string, when text is one of the names looked up once when
// the analysis starts (knownTexts).
func (r *Analysis) IsText(idx uint32, text string) bool {
	for k, t := range knownTexts {
		if t == text {
			return r.is(idx, knownName(k))
		}
	}
	return string(r.Snapshot.Strings.Bytes(idx)) == text
}

// is reports whether string idx has the known text k.
func (r *Analysis) is(idx uint32, k knownName) bool {
	switch want := r.known[k]; want {
	case noSuchString:
		return false
	case duplicatedString:
		return string(r.Snapshot.Strings.Bytes(idx)) == knownTexts[k]
	default:
		return idx == want
	}
}

// findWeakMapNames finds the strings that name WeakMap ephemeron edges
// ("1 / part of key (…) -> value (…) pair in WeakMap (table @N)") and
// parses each once, while the string table is read in order, so that edge
// loops test a bit instead of reading and parsing a name at a random place
// in the table (twice: for the distances and for the essential edges).
func (r *Analysis) findWeakMapNames() {
	st := &r.Snapshot.Strings
	r.weakMapNames = bitset.New(st.Len())
	x := &weakMapIndex{seed: maphash.MakeSeed()}
	marker := []byte("pair in WeakMap (table @")
	for i := 0; i < st.Len(); i++ {
		b := st.Bytes(uint32(i))
		if len(b) >= 40 && b[0]-'0' <= 9 && b[len(b)-1] == ')' && bytes.Contains(b, marker) {
			if at, table, ok := parseWeakMapName(b); ok {
				r.weakMapNames.Add(uint32(i))
				x.pairs = append(x.pairs, weakMapPair{table: table, hash: maphash.Bytes(x.seed, b[at:]), at: uint32(at)})
			}
		}
	}
	x.ranks = make([]uint32, len(r.weakMapNames))
	count := uint32(0)
	for w, word := range r.weakMapNames {
		x.ranks[w] = count
		count += uint32(bits.OnesCount64(word))
	}
	r.weakMapPairs = x
}
