package sources

import (
	"strings"
	"testing"
)

// bigMap returns the map of a 100,000-line bundle with 10 segments a line
// (1 M segments, a large application's), names on most of them, and 1 MB
// of sourcesContent, which decoding skips.
func bigMap() []byte {
	var b strings.Builder
	b.WriteString(`{"version":3,"sources":["a.ts","b.ts"],"names":["x","y"],"sourcesContent":["` + strings.Repeat("x", 1<<20) + `"],"mappings":"`)
	for line := range 100_000 {
		if line > 0 {
			b.WriteByte(';')
		}
		b.WriteString("AACA")
		for k := range 9 {
			switch {
			case k == 8:
				b.WriteString(",IAAI")
			case k%2 == 0:
				b.WriteString(",IAAIC")
			default:
				b.WriteString(",IAAID")
			}
		}
	}
	b.WriteString(`"}`)
	return []byte(b.String())
}

func BenchmarkParseMap(b *testing.B) {
	m := bigMap()
	b.SetBytes(int64(len(m)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseMap(m, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookup resolves positions spread over the whole bundle once its
// map is decoded: what each printed location costs.
func BenchmarkLookup(b *testing.B) {
	m, err := parseMap(bigMap(), "")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	k := int32(0)
	for b.Loop() {
		k = (k + 7919) % 100_000
		if _, ok := m.lookup(k, 17); !ok {
			b.Fatal("unmapped")
		}
	}
}

// BenchmarkResolve resolves every location of the bundled fixture's
// snapshot through its inline map, which is read on the first call only.
func BenchmarkResolve(b *testing.B) {
	s := snapshot(b, "bundle")
	r := NewResolver(s, ScriptsOf(s), Options{ReadFile: staged})
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range s.Locations {
			r.Resolve(l.ScriptID, l.Line, l.Column)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(s.Locations)), "ns/location")
}
