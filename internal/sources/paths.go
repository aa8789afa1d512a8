package sources

import (
	"net/url"
	"path/filepath"
	"strings"
)

// hasScheme reports whether s starts with a URL scheme ("file:",
// "webpack:", "data:"…). A single letter before the colon is a Windows
// drive, not a scheme.
func hasScheme(s string) bool {
	i := strings.IndexByte(s, ':')
	if i < 2 {
		return false
	}
	for k, c := range s[:i] {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (k == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// isWindowsAbs reports whether s is an absolute Windows path (C:\x, C:/x).
func isWindowsAbs(s string) bool {
	return len(s) >= 3 && (s[0]|0x20 >= 'a' && s[0]|0x20 <= 'z') && s[1] == ':' && (s[2] == '\\' || s[2] == '/')
}

// filePath returns the path of a file: URL in the OS's form.
func filePath(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return strings.TrimPrefix(u, "file://")
	}
	p := parsed.Path
	if len(p) >= 3 && p[0] == '/' && isWindowsAbs(p[1:]) {
		p = p[1:] // file:///C:/x
	}
	return filepath.FromSlash(p)
}

// joinRef resolves ref, a URL reference from a map or a sourceMappingURL
// comment, against base, a directory that is a path or a URL.
func joinRef(base, ref string) string {
	if hasScheme(base) {
		b, err1 := url.Parse(strings.TrimSuffix(base, "/") + "/")
		r, err2 := url.Parse(ref)
		if err1 == nil && err2 == nil {
			return b.ResolveReference(r).String()
		}
		return base + "/" + ref
	}
	return filepath.Join(base, filepath.FromSlash(ref))
}

// scriptPath says where a script name points: a path (for a file path or a
// file: URL, onDisk is true) or, for an http(s) URL, the URL's path, which
// only the --source-maps directories can match. Node's own scripts
// (node:…), eval code and unnamed scripts give "".
func scriptPath(name string) (p string, onDisk bool) {
	switch {
	case name == "":
		return "", false
	case strings.HasPrefix(name, "file://"):
		return filePath(name), true
	case filepath.IsAbs(name) || strings.HasPrefix(name, "/"):
		return name, true
	case isWindowsAbs(name):
		// A Windows snapshot read elsewhere: only the --source-maps
		// directories can hold its files.
		return strings.ReplaceAll(name, `\`, "/"), false
	case strings.HasPrefix(name, "http://") || strings.HasPrefix(name, "https://"):
		u, err := url.Parse(name)
		if err != nil || u.Path == "" || u.Path == "/" {
			return "", false
		}
		return u.Path, false
	}
	return "", false
}
