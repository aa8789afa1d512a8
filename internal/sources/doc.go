// Package sources says where in the source a snapshot location is: which
// script a location's script id names, and, through the script's source
// map, which line of the original TypeScript or pre-bundle file.
//
// ScriptsOf builds the script table from the heap's Script objects;
// AddNames adds names from other records (trace_function_infos).
// A Resolver maps (script id, 0-based line, 0-based column) to a Location
// that prints as "src/data-processor.ts:45:31 (dist/data-processor.js:24:37)"
// and marshals to JSON with both positions.
//
// A script's map is looked for, in order: in the --source-maps directories
// (the script's file and its .map, by the longest common path suffix), at
// the sourceMappingURL the heap's Script object holds (inline data: maps
// too), then next to the script's file on disk (its .map, or its own
// comment: a snapshot keeps only the first 1024 characters of a string, so
// an inline map is usually read from the file). Regular and index maps
// (sections) are decoded here, following ECMA-426. Maps are read on first
// use, once per script; a missing or broken map leaves the compiled
// location and is listed by Problems.
//
// The package decodes maps itself rather than with
// github.com/go-sourcemap/sourcemap, which resolves index-map positions
// after a section's first line with the wrong column (the index-map
// fixture's leak lands on the wrong line), positions in the first of two
// sections on one line not at all, and positions in unmapped code (past a
// one-field segment, or on a line without mappings) to unrelated lines.
package sources
