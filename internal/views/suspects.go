package views

import (
	"github.com/heapsnap/heapsnap/internal/suspects"
)

// SuspectsReport is the report of `heapsnap analyze --suspects-only`.
type SuspectsReport struct {
	SchemaVersion int                `json:"schema_version"`
	File          string             `json:"file"`
	TotalSize     uint64             `json:"total_size"`
	SuspectKinds  []suspects.Kind    `json:"suspect_kinds"`
	Suspects      []suspects.Suspect `json:"suspects"`
}
