package cli

import (
	"os"
	"testing"
)

// TestMain runs the tests without the caller's $COLUMNS, so that the
// golden files do not depend on the terminal they were run from; tests
// that fit a width set it themselves (goldenWidth).
func TestMain(m *testing.M) {
	os.Unsetenv("COLUMNS")
	os.Exit(m.Run())
}
