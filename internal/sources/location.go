package sources

import (
	"fmt"
	"strings"
)

// Position is a place in a file, 1-based as an editor shows it. File is
// empty when the snapshot does not name the script; Line is 0 when only
// the file is known.
type Position struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// String formats the position as file:line:column.
func (p Position) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.File == "":
		return fmt.Sprintf("<unknown>:%d:%d", p.Line, p.Column)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Location is where V8 recorded something (the compiled script that ran),
// and, when a source map covers that place, where it is in the original
// source. In JSON the compiled position's fields come first, as a plain
// Position's would, and the original is the "source" object:
//
//	{"file":"dist/x.js","line":24,"column":37,"source":{"file":"src/x.ts","line":45,"column":31}}
type Location struct {
	Position
	Source *Original `json:"source,omitempty"`
}

// Original is a position in an original source file, with the name the
// source map gives the code there, if any.
type Original struct {
	Position
	Name string `json:"name,omitempty"`
}

// String formats the location as "original (compiled)" when it is mapped,
// as src/data-processor.ts:45:31 (dist/data-processor.js:24:37), and as
// the compiled position alone otherwise.
func (l Location) String() string {
	if l.Source == nil {
		return l.Position.String()
	}
	return l.Source.Position.String() + " (" + l.Position.String() + ")"
}

// Frame is one frame of an allocation stack: the function and where it
// is, through source maps.
type Frame struct {
	Function string `json:"function"`
	Location
}

// String writes the frame as "parseOrder at src/orders.ts:31:5 (…)".
func (f Frame) String() string {
	name := f.Function
	if name == "" {
		name = "(anonymous)"
	}
	if f.File == "" && f.Line == 0 {
		return name
	}
	return name + " at " + f.Location.String()
}

// IsRuntimeScript reports whether a script is the runtime's own rather
// than the program's: Node's node:…, Deno's ext:…, V8's and Blink's
// internal scripts, and code with no script.
func IsRuntimeScript(file string) bool {
	return strings.HasPrefix(file, "node:") || strings.HasPrefix(file, "ext:") || strings.HasPrefix(file, "internal/") || file == ""
}
