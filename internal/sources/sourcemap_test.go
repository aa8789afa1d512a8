package sources

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// at resolves a 0-based generated position and formats the answer as
// file:line:column (0-based, as the map stores it) and name, or "-".
func at(t testing.TB, m *sourceMap, line, column int32) string {
	t.Helper()
	o, ok := m.lookup(line, column)
	if !ok {
		return "-"
	}
	s := fmt.Sprintf("%s:%d:%d", o.file, o.line, o.column)
	if o.name != "" {
		s += " " + o.name
	}
	return s
}

func mustParse(t testing.TB, text, base string) *sourceMap {
	t.Helper()
	m, err := parseMap([]byte(text), base)
	if err != nil {
		t.Fatalf("parseMap(%s): %v", text, err)
	}
	return m
}

// The cases github.com/go-sourcemap/sourcemap v2.1.4 answers wrongly, which
// is why this package decodes maps itself.
func TestLookupRules(t *testing.T) {
	for _, c := range []struct {
		what, m      string
		line, column int32
		want         string
	}{
		{"index map: two sections on one line (a concatenated minified bundle), first section",
			`{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA"}},{"offset":{"line":0,"column":100},"map":{"version":3,"sources":["b.ts"],"names":[],"mappings":"AAAA"}}]}`,
			0, 10, "out/a.ts:0:0"},
		{"index map: two sections on one line, second section",
			`{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA"}},{"offset":{"line":0,"column":100},"map":{"version":3,"sources":["b.ts"],"names":[],"mappings":"AAAA,EAAC"}}]}`,
			0, 103, "out/b.ts:0:1"},
		{"index map: the column offset applies to the section's first line only",
			`{"version":3,"sections":[{"offset":{"line":5,"column":7},"map":{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA;EACA"}}]}`,
			6, 2, "out/a.ts:1:0"},
		{"index map: on the first line, the offset is subtracted",
			`{"version":3,"sections":[{"offset":{"line":5,"column":7},"map":{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA;EACA"}}]}`,
			5, 7, "out/a.ts:0:0"},
		{"index map: before the first section",
			`{"version":3,"sections":[{"offset":{"line":5,"column":7},"map":{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA"}}]}`,
			5, 6, "-"},
		{"a one-field segment ends the mapped range",
			`{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA,K"}`, 0, 6, "-"},
		{"before a one-field segment the range is mapped",
			`{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA,K"}`, 0, 4, "out/a.ts:0:0"},
		{"a line without mappings does not borrow the previous line's",
			`{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA;;AACA"}`, 1, 0, "-"},
		{"a column before the line's first segment is unmapped",
			`{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA;IACA"}`, 1, 2, "-"},
		{"between segments: the one at or before",
			`{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA,IAAI,IAAI"}`, 0, 7, "out/a.ts:0:4"},
		{"past the end of the map", `{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA"}`, 3, 0, "-"},
		{"names: relative across segments",
			`{"version":3,"sources":["a.ts"],"names":["x","y"],"mappings":"AAAAA,EAAEC,EAAE"}`, 0, 2, "out/a.ts:0:2 y"},
		{"a segment without a name has none", `{"version":3,"sources":["a.ts"],"names":["x","y"],"mappings":"AAAAA,EAAEC,EAAE"}`, 0, 4, "out/a.ts:0:4"},
		{"fields are relative across lines; the column restarts per line",
			`{"version":3,"sources":["a.ts","b.ts"],"names":[],"mappings":"EAAE;ECCE"}`, 1, 2, "out/b.ts:1:4"},
		{"a line's segments out of order are sorted",
			`{"version":3,"sources":["a.ts"],"names":[],"mappings":"UAAU,PAAE"}`, 0, 7, "out/a.ts:0:12"},
		{"sourceRoot is prefixed", `{"version":3,"sourceRoot":"lib/","sources":["a.ts"],"names":[],"mappings":"AAAA"}`, 0, 0, "out/lib/a.ts:0:0"},
		{"a URL source is kept", `{"version":3,"sources":["webpack://app/./src/a.ts"],"names":[],"mappings":"AAAA"}`, 0, 0, "webpack://app/./src/a.ts:0:0"},
		{"a file: URL source becomes a path", `{"version":3,"sources":["file:///src/a.ts"],"names":[],"mappings":"AAAA"}`, 0, 0, "/src/a.ts:0:0"},
		{"an absolute source is kept", `{"version":3,"sources":["/src/a.ts"],"names":[],"mappings":"AAAA"}`, 0, 0, "/src/a.ts:0:0"},
		{"the XSSI prefix is skipped", ")]}'\n" + `{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA"}`, 0, 0, "out/a.ts:0:0"},
		{"a null source maps to no file", `{"version":3,"sources":[null],"names":[],"mappings":"AAAA"}`, 0, 0, ":0:0"},
		{"large numbers", `{"version":3,"sources":["a.ts"],"names":[],"mappings":"gggggBAAgggggB"}`, 0, 1 << 25, "out/a.ts:0:16777216"},
	} {
		m := mustParse(t, c.m, "out")
		got := at(t, m, c.line, c.column)
		want := strings.ReplaceAll(c.want, "out/", "out"+string(filepath.Separator))
		if got != want {
			t.Errorf("%s: %d:%d → %s, want %s", c.what, c.line, c.column, got, want)
		}
	}
}

func TestBrokenMaps(t *testing.T) {
	for _, c := range []struct{ m, err string }{
		{`{`, "not a source map: unexpected end of JSON input"},
		{`[]`, "not a source map: json: cannot unmarshal array into Go value of type sources.mapJSON"},
		{`{"version":2,"sources":[],"mappings":""}`, "version 2, want 3"},
		{`{"version":3,"sources":["a"]}`, "no mappings"},
		{`{"version":3,"sources":["a"],"mappings":"AA!A"}`, `mappings line 0: segment "AA!A": '!' is not base64`},
		{`{"version":3,"sources":["a"],"mappings":"AA"}`, `mappings line 0: segment "AA" has 2 fields`},
		{`{"version":3,"sources":["a"],"mappings":"AAAAAA"}`, `mappings line 0: segment "AAAAAA" has more than 5 fields`},
		{`{"version":3,"sources":["a"],"mappings":"ACAA"}`, "mappings line 0: source 1 of 1"},
		{`{"version":3,"sources":["a"],"mappings":"AAAAC"}`, "mappings line 0: name 1 of 0"},
		{`{"version":3,"sources":["a"],"mappings":"AADA"}`, "mappings line 0: original position -1:0"},
		{`{"version":3,"sources":["a"],"mappings":"D"}`, "mappings line 0: column -1"},
		{`{"version":3,"sources":["a"],"mappings":"AAAg"}`, `mappings line 0: segment "AAAg" ends inside a number`},
		{`{"version":3,"sources":["a"],"mappings":"gggggggB"}`, `mappings line 0: segment "gggggggB": number too large`},
		{`{"version":3,"sources":["a"],"mappings":"AAAA","sections":[]}`, "both sections and mappings"},
		{`{"version":3,"sections":[{"offset":{"line":0,"column":0},"url":"a.map"}]}`, "section 0: url sections are not supported"},
		{`{"version":3,"sections":[{"offset":{"line":0,"column":0}}]}`, "section 0: no map"},
		{`{"version":3,"sections":[{"offset":{"line":0},"map":{"version":3,"sources":[],"mappings":""}}]}`, "section 0: bad offset"},
		{`{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sections":[]}}]}`, "section 0: nested index map"},
		{`{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"sources":[],"mappings":""}}]}`, "section 0: version 0, want 3"},
		{`{"version":3,"sections":[{"offset":{"line":1,"column":0},"map":{"version":3,"sources":[],"mappings":""}},{"offset":{"line":0,"column":5},"map":{"version":3,"sources":[],"mappings":""}}]}`,
			"section 1: offset 0:5 not after the previous section's"},
	} {
		_, err := parseMap([]byte(c.m), "")
		if err == nil || err.Error() != c.err {
			t.Errorf("parseMap(%s): error %v, want %s", c.m, err, c.err)
		}
	}
}

func FuzzParseMap(f *testing.F) {
	for _, seed := range []string{
		`{"version":3,"sources":["a.ts"],"names":["x"],"mappings":"AAAAA,EAAE;;ECCE,K"}`,
		`{"version":3,"sections":[{"offset":{"line":0,"column":3},"map":{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA;EACA"}}]}`,
	} {
		f.Add([]byte(seed), int32(0), int32(3))
	}
	f.Fuzz(func(t *testing.T, b []byte, line, column int32) {
		m, err := parseMap(b, "")
		if err == nil && line >= 0 && column >= 0 {
			m.lookup(line, column)
		}
	})
}

func TestCommentURL(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"x();\n//# sourceMappingURL=x.js.map\n", "x.js.map"},
		{"x();\n//# sourceMappingURL=x.js.map", "x.js.map"},
		{"x();\r\n//@ sourceMappingURL=old.map\r\n", "old.map"},
		{"//# sourceMappingURL=first.map\nx();\n//# sourceMappingURL=last.map  \n", "last.map"},
		{"//# sourceMappingURL=real.map\nconst s = '//# sourceMappingURL=' + u;\n", "real.map"},
		{"x(); //#   sourceMappingURL=data:application/json;base64,e30=\n", "data:application/json;base64,e30="},
		{"/*# sourceMappingURL=x.css.map */\n", ""},
		{"x();\n", ""},
		{"// sourceMappingURL=nohash.map\n", ""},
	} {
		got, ok := commentURL([]byte(c.src))
		if got != c.want || ok != (c.want != "") {
			t.Errorf("commentURL(%q) = %q, %v; want %q", c.src, got, ok, c.want)
		}
	}
}

func TestDataURL(t *testing.T) {
	m := `{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA"}`
	for _, u := range []string{
		"data:application/json;base64," + base64.StdEncoding.EncodeToString([]byte(m)),
		"data:application/json;charset=utf-8;base64," + base64.RawStdEncoding.EncodeToString([]byte(m)),
		"data:application/json," + strings.ReplaceAll(strings.ReplaceAll(m, `"`, "%22"), " ", "%20"),
	} {
		b, err := decodeDataURL(u)
		if err != nil || string(b) != m {
			t.Errorf("decodeDataURL(%q) = %q, %v", u, b, err)
		}
	}
	for _, u := range []string{"data:application/json;base64", "data:application/json;base64,e30!", "data:,%zz"} {
		if _, err := decodeDataURL(u); err == nil {
			t.Errorf("decodeDataURL(%q): no error", u)
		}
	}
}

// Maps found on disk that cannot be used are listed once, and the
// compiled location is kept.
func TestProblemsOnDisk(t *testing.T) {
	s := snapshot(t, "tsc")
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.js")
	writeFile(t, broken, "f();\n")
	writeFile(t, broken+".map", `{"version":3,"sources":["a.ts"],"mappings":"AA"}`)
	declared := filepath.Join(dir, "declared.js")
	writeFile(t, declared, "f();\n//# sourceMappingURL=gone.js.map\n")
	plain := filepath.Join(dir, "plain.js")
	writeFile(t, plain, "f();\n")
	web := "https://example.test/static/app.js"
	scripts := ScriptsOf(s)
	scripts.AddNames(func(yield func(uint32, string) bool) {
		_ = yield(900001, broken) && yield(900002, declared) && yield(900003, plain) && yield(900004, web)
	})
	r := NewResolver(s, scripts, Options{})
	for id := uint32(900001); id <= 900004; id++ {
		for range 3 { // once per script, however often it is resolved
			if l := r.Resolve(id, 0, 0); l.Source != nil || l.Line != 1 || l.Column != 1 || l.File != scripts.Name(id) {
				t.Errorf("script %d: %+v", id, l)
			}
		}
	}
	want := []string{
		broken + ": " + broken + `.map: mappings line 0: segment "AA" has 2 fields`,
		declared + ": " + filepath.Join(dir, "gone.js.map") + ": not found",
	}
	got := r.Problems()
	if len(got) != len(want) {
		t.Fatalf("problems %v, want %q", got, want)
	}
	for k := range want {
		if got[k].String() != want[k] {
			t.Errorf("problem %d: %s\nwant %s", k, got[k], want[k])
		}
	}
}

// A URL script, or a Windows path read elsewhere, is matched in the
// --source-maps directories by its path;
// two files matching equally well are refused rather than guessed between.
func TestDirsSuffix(t *testing.T) {
	s := snapshot(t, "tsc")
	root := t.TempDir()
	m := `{"version":3,"sources":["../src/app.ts"],"names":[],"mappings":"AAAA"}`
	for _, d := range []string{"a/static", "b/static", "c/other"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(root, d, "app.js.map"), m)
	}
	scripts := ScriptsOf(s)
	scripts.AddNames(func(yield func(uint32, string) bool) {
		_ = yield(900001, "https://example.test/static/app.js") && yield(900002, "https://example.test/other/app.js") &&
			yield(900003, `C:\srv\other\app.js`)
	})
	r := NewResolver(s, scripts, Options{Dirs: []string{root}})
	if l := r.Resolve(900002, 0, 0); l.Source == nil || l.Source.File != filepath.Join(root, "c", "src", "app.ts") {
		t.Errorf("other/app.js: %s", l)
	}
	if l := r.Resolve(900003, 0, 0); l.Source == nil || l.Source.File != filepath.Join(root, "c", "src", "app.ts") {
		t.Errorf("a Windows path: %s", l)
	}
	if l := r.Resolve(900001, 0, 0); l.Source != nil {
		t.Errorf("static/app.js: %s, want no source (ambiguous)", l)
	}
	p := r.Problems()
	if len(p) != 1 || p[0].Script != "https://example.test/static/app.js" || p[0].Map != "app.js.map" ||
		p[0].Reason != "2 files in the --source-maps directories match equally well ("+filepath.Join(root, "a", "static", "app.js.map")+", …)" {
		t.Errorf("problems %v", p)
	}
}
