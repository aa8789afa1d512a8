package cli

import (
	"os"
	"testing"
)

// TestMain keeps the tests off the user's own settings and cache: the
// cache goes to a temporary directory, and the caller's $COLUMNS is
// dropped so that golden files do not depend on the terminal they were
// run from (tests that fit a width set it themselves: goldenWidth). With
// HEAPSNAP_TEST_MAIN=1 the test binary is heapsnap itself (the capture
// tests run it as another user).
func TestMain(m *testing.M) {
	os.Unsetenv("COLUMNS")
	dir, err := os.MkdirTemp("", "heapsnap-test-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("HEAPSNAP_CACHE_DIR", dir)
	if os.Getenv("HEAPSNAP_TEST_MAIN") == "1" {
		code := Main(os.Args[1:], Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, testBuild)
		os.RemoveAll(dir)
		os.Exit(code)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
