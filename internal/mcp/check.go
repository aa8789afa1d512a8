package mcp

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/heapsnap/heapsnap/internal/budget"
	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/internal/views"
)

// CheckIn is a snapshot and the budgets to check it against: a
// configuration file's check section, inline budgets, or both (inline
// ones replace the file's).
type CheckIn struct {
	Path     string `json:"path" jsonschema:"snapshot file to check"`
	Baseline string `json:"baseline,omitempty" jsonschema:"earlier snapshot file that growth budgets compare with"`
	Config   string `json:"config,omitempty" jsonschema:"configuration file (.heapsnap.yaml) whose check section holds the budgets"`
	// The budgets, in the words of the check section.
	MaxTotalSize   string          `json:"max_total_size,omitempty" jsonschema:"maximum total heap size, e.g. 512MiB"`
	MaxGrowth      string          `json:"max_growth,omitempty" jsonschema:"maximum growth of the total size versus baseline: 20% or 50MB"`
	MaxListeners   int             `json:"max_listeners,omitempty" jsonschema:"maximum listeners per event on one emitter"`
	Classes        []ClassBudgetIn `json:"classes,omitempty" jsonschema:"budgets of classes, by exact name or glob"`
	FailOnSuspects []string        `json:"fail_on_suspects,omitempty" jsonschema:"fail on any suspect of these kinds"`
	MaxSuspectSize string          `json:"max_suspect_size,omitempty" jsonschema:"fail on any suspect retaining more, e.g. 1MiB"`
	Offset         int             `json:"offset,omitempty" jsonschema:"first result to list"`
	Limit          int             `json:"limit,omitempty" jsonschema:"results to list, failures first (default 20)"`
}

// ClassBudgetIn is one entry of check.classes.
type ClassBudgetIn struct {
	Name            string `json:"name" jsonschema:"class name or glob (* ? [..])"`
	MaxRetainedSize string `json:"max_retained_size,omitempty" jsonschema:"e.g. 10MiB"`
	MaxCount        *int64 `json:"max_count,omitempty"`
	MaxGrowth       string `json:"max_growth,omitempty" jsonschema:"retained size growth versus baseline: 5MiB or 10%"`
}

// CheckOut is check's answer: heapsnap check --format json, its results
// a page at a time, failures first.
type CheckOut struct {
	*views.Check
	Verdict string `json:"verdict"`
	Offset  int    `json:"offset"`
	More    string `json:"more,omitempty"`
}

func (s *Server) check(ctx context.Context, req *mcp.CallToolRequest, in CheckIn) (*mcp.CallToolResult, CheckOut, error) {
	b, config, err := s.budgets(ctx, req, in)
	if err != nil {
		return nil, CheckOut{}, err
	}
	var base *budget.Facts
	baseline := ""
	if in.Baseline != "" && b.NeedsBaseline() {
		h, err := s.open(ctx, req, in.Baseline)
		if err != nil {
			return nil, CheckOut{}, err
		}
		h.mu.Lock()
		base = budget.FactsOf(h.res, nil, nil)
		h.mu.Unlock()
		baseline = h.name
	}
	h, err := s.open(ctx, req, in.Path)
	if err != nil {
		return nil, CheckOut{}, err
	}
	var needs *budget.Budgets
	if b.NeedsSuspects() {
		needs = b
	}
	h.mu.Lock()
	cur := budget.FactsOf(h.res, needs, h.names)
	h.mu.Unlock()
	rep := views.NewCheck(h.name, baseline, config, budget.Evaluate(b, cur, base))
	out := CheckOut{Check: rep, Verdict: rep.Verdict()}
	// Failures first, then the rest, each in configuration order.
	slices.SortStableFunc(rep.Results, func(x, y budget.Result) int {
		return boolRank(x.Status != budget.Fail) - boolRank(y.Status != budget.Fail)
	})
	all := len(rep.Results)
	out.Offset = min(max(in.Offset, 0), all)
	rep.Results = page(rep.Results, in.Offset, limit(in.Limit, 20))
	out.More = more("results", out.Offset, len(rep.Results), all, "check")
	return nil, out, nil
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// budgets reads the call's budgets: the config file's, then the inline
// ones over them.
func (s *Server) budgets(ctx context.Context, req *mcp.CallToolRequest, in CheckIn) (*budget.Budgets, string, error) {
	b := &budget.Budgets{}
	config := ""
	if in.Config != "" {
		real, err := resolve(in.Config, s.allowed(req))
		if err != nil {
			return nil, "", err
		}
		if s.opts.ConfigBudgets == nil {
			return nil, "", errors.New("config: this server reads no configuration files: give the budgets inline")
		}
		if b, err = s.opts.ConfigBudgets(real); err != nil {
			return nil, "", err
		}
		config = in.Config
	}
	size := func(field, v string, parse func(string) (budget.Amount, error), into **budget.Amount) error {
		a, err := budget.ParseOptional(v, parse)
		if err != nil {
			return fmt.Errorf("%s: %w", field, err)
		}
		if a != nil {
			*into = a
		}
		return nil
	}
	if err := errors.Join(
		size("max_total_size", in.MaxTotalSize, budget.ParseSize, &b.MaxTotalSize),
		size("max_growth", in.MaxGrowth, budget.ParseGrowth, &b.MaxGrowth),
		size("max_suspect_size", in.MaxSuspectSize, budget.ParseSize, &b.MaxSuspectSize),
	); err != nil {
		return nil, "", err
	}
	if in.MaxListeners < 0 {
		return nil, "", fmt.Errorf("max_listeners: invalid listener count %d: want a whole number (0: no limit)", in.MaxListeners)
	}
	if in.MaxListeners > 0 {
		b.MaxListeners = in.MaxListeners
	}
	if len(in.FailOnSuspects) > 0 {
		b.FailOnSuspects = nil
		for _, k := range in.FailOnSuspects {
			if _, err := suspects.ParseKind(k); err != nil {
				return nil, "", fmt.Errorf("fail_on_suspects: %w", err)
			}
			if !slices.Contains(b.FailOnSuspects, k) {
				b.FailOnSuspects = append(b.FailOnSuspects, k)
			}
		}
	}
	if len(in.Classes) > 0 {
		b.Classes = nil
		for k, c := range in.Classes {
			fields := map[string]any{"name": c.Name}
			for key, v := range map[string]string{"max_retained_size": c.MaxRetainedSize, "max_growth": c.MaxGrowth} {
				if v != "" {
					fields[key] = v
				}
			}
			if c.MaxCount != nil {
				fields["max_count"] = *c.MaxCount
			}
			cb, err := budget.ParseClassBudget(fields)
			if err != nil {
				return nil, "", fmt.Errorf("classes, entry %d: %w", k+1, err)
			}
			b.Classes = append(b.Classes, cb)
		}
	}
	if b.Empty() {
		return nil, "", errors.New("no budgets to check: give max_total_size, classes, max_listeners, fail_on_suspects, " +
			"max_suspect_size or max_growth, or a config file with a check section")
	}
	return b, config, nil
}
