// Package mcp is heapsnap's Model Context Protocol server (heapsnap mcp):
// tools with which a coding agent opens heap snapshots and asks about
// them — the summary, the leak suspects, one object, what retains it, the
// dominator tree, a class's instances, the Allocation view, comparisons
// and budgets — with the answers of the command line's JSON (package
// views), a page at a time.
//
// Snapshots stay analyzed between calls (the least recently used is
// evicted past Options.MaxSnapshots). The server reads only files under
// its roots and the client's MCP roots, and writes nothing.
package mcp

import (
	"context"
	"fmt"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/heapsnap/heapsnap/internal/budget"
)

// Options configure a server.
type Options struct {
	// Roots are the directories snapshots may be read from (with the
	// client's MCP roots). Relative paths in calls are taken from the
	// first.
	Roots []string
	// Read analyzes a snapshot; required.
	Read Reader
	// MaxSnapshots bounds the snapshots held analyzed (0: DefaultMaxSnapshots).
	MaxSnapshots int
	// Capture adds the capture tool, which snapshots a local Node.js
	// process by PID.
	Capture bool
	// ConfigBudgets reads the check section of a configuration file (as
	// heapsnap check --config FILE does); nil refuses config files.
	ConfigBudgets func(path string) (*budget.Budgets, error)
	// Version is the server's version, told to clients.
	Version string
}

// DefaultMaxSnapshots is how many snapshots a server holds by default: a
// pair to compare and a third to look at.
const DefaultMaxSnapshots = 3

// Server is heapsnap's MCP server.
type Server struct {
	opts    Options
	roots   []root
	clients clientRoots
	store   *store
	sdk     *mcp.Server
	// captures numbers the snapshots taken with the capture tool.
	captures captureCounter
}

// New makes a server; it fails when a root is not a directory.
func New(opts Options) (*Server, error) {
	if opts.Read == nil {
		return nil, fmt.Errorf("mcp: Options.Read is required")
	}
	if opts.MaxSnapshots <= 0 {
		opts.MaxSnapshots = DefaultMaxSnapshots
	}
	s := &Server{opts: opts, store: newStore(opts.Read, opts.MaxSnapshots)}
	for _, dir := range opts.Roots {
		r, err := newRoot(dir)
		if err != nil {
			return nil, err
		}
		s.roots = append(s.roots, r)
	}
	version := opts.Version
	if version == "" {
		version = "dev"
	}
	s.sdk = mcp.NewServer(&mcp.Implementation{Name: "heapsnap", Title: "heapsnap: V8 heap snapshot analysis", Version: version},
		&mcp.ServerOptions{
			Instructions: instructions,
			RootsListChangedHandler: func(_ context.Context, req *mcp.RootsListChangedRequest) {
				s.clients.forget(req.Session)
			},
			Capabilities: &mcp.ServerCapabilities{},
		})
	s.addTools()
	return s, nil
}

// SDK returns the server to run on a transport.
func (s *Server) SDK() *mcp.Server { return s.sdk }

// Run serves one client over the standard streams until it disconnects.
func (s *Server) Run(ctx context.Context) error {
	return s.sdk.Run(ctx, &mcp.StdioTransport{})
}

const instructions = `heapsnap analyzes V8 heap snapshots (.heapsnapshot files from Node.js, Chrome, Electron, Deno) with DevTools-identical numbers.
To find a leak: summary (total size, top classes) → suspects (ranked leak suspects with owner paths) → show_object on a suspect's id → retainers (why it stays alive).
Snapshots stay loaded between calls. Answers are small by default; each says how to get more (offset, limit). Object ids are the numbers DevTools shows after @.
The server reads snapshots only under its allowed directories and never writes a file.`

// readOnly marks every tool but capture: they read snapshots and change
// nothing.
var readOnly = &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: ptr(false)}

func ptr[T any](v T) *T { return &v }

// allowed returns the directories a call may read from: the server's, then
// the client's.
func (s *Server) allowed(req *mcp.CallToolRequest) []root {
	client, _ := s.clients.of(req)
	return append(append([]root{}, s.roots...), client...)
}

// opened is a held snapshot as one call names it: answers and messages
// name it as the call did.
type opened struct {
	*held
	name string
}

// open resolves path and returns the held snapshot, reading it if need
// be.
func (s *Server) open(ctx context.Context, req *mcp.CallToolRequest, path string) (opened, error) {
	key := path
	if !isCaptureName(path) {
		var err error
		if key, err = resolve(path, s.allowed(req)); err != nil {
			return opened{}, err
		}
	}
	h, err := s.store.get(key, path)
	if err != nil {
		return opened{}, err
	}
	return opened{held: h, name: path}, nil
}

// guard turns a panic in a tool into a tool error, so that one bad
// snapshot or bug cannot stop the server serving the others.
func guard[In, Out any](name string, h mcp.ToolHandlerFor[In, Out]) mcp.ToolHandlerFor[In, Out] {
	return func(ctx context.Context, req *mcp.CallToolRequest, in In) (res *mcp.CallToolResult, out Out, err error) {
		defer func() {
			if p := recover(); p != nil {
				var zero Out
				res, out, err = nil, zero, fmt.Errorf("%s: internal error: %v (please report it to heapsnap)", name, p)
			}
		}()
		return h(ctx, req, in)
	}
}

// addTool adds a tool whose output schema is inferred from Out, but
// relaxed where the views' own JSON goes beyond their Go types: a suspect
// carries its "evidence", and a ratio may be null (infinite growth).
func addTool[In, Out any](s *Server, t *mcp.Tool, h mcp.ToolHandlerFor[In, Out]) {
	schema, err := jsonschema.For[Out](nil)
	if err != nil {
		panic(fmt.Sprintf("tool %s: output schema: %v", t.Name, err)) // a programming error
	}
	relax(schema)
	t.OutputSchema = schema
	h = guard(t.Name, h)
	mcp.AddTool(s.sdk, t, func(ctx context.Context, req *mcp.CallToolRequest, in In) (*mcp.CallToolResult, Out, error) {
		if _, ask := s.clients.of(req); ask {
			var zero Out
			return &mcp.CallToolResult{InputRequests: mcp.InputRequestMap{rootsInput: &mcp.ListRootsParams{}}}, zero, nil
		}
		return h(ctx, req, in)
	})
}

// relax lets every object of schema have more properties than listed,
// and every number be null.
func relax(sc *jsonschema.Schema) {
	if sc == nil {
		return
	}
	sc.AdditionalProperties = nil
	if sc.Type == "number" {
		sc.Type, sc.Types = "", []string{"null", "number"}
	}
	for _, p := range sc.Properties {
		relax(p)
	}
	for _, d := range sc.Defs {
		relax(d)
	}
	relax(sc.Items)
	for _, l := range [][]*jsonschema.Schema{sc.AnyOf, sc.OneOf, sc.AllOf, sc.PrefixItems, sc.ItemsArray} {
		for _, x := range l {
			relax(x)
		}
	}
}
