package heapsnapshot

import "fmt"

// SyntaxError reports malformed snapshot input at a byte offset. For gzip
// input the offset counts bytes of the decompressed stream.
type SyntaxError struct {
	Offset int64
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("byte %d: %s", e.Offset, e.Msg)
}

func syntaxErrorf(offset int64, format string, args ...any) *SyntaxError {
	return &SyntaxError{Offset: offset, Msg: fmt.Sprintf(format, args...)}
}
