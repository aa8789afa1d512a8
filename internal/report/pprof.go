package report

import (
	"io"

	"github.com/google/pprof/profile"

	"github.com/heapsnap/heapsnap/internal/views"
)

// writeProfile writes a Profile as a gzipped profile.proto, the format of
// go tool pprof, Pyroscope and Grafana. The sample types are those of a
// heap profile (inuse_objects, inuse_space), which those tools know:
// flat is the self size, cumulative the retained size.
func writeProfile(w io.Writer, v *views.Profile) error {
	p := &profile.Profile{
		SampleType: []*profile.ValueType{
			{Type: "inuse_objects", Unit: "count"},
			{Type: "inuse_space", Unit: "bytes"},
		},
		DefaultSampleType: "inuse_space",
		PeriodType:        &profile.ValueType{Type: "space", Unit: "bytes"},
		Period:            1,
		Comments: []string{
			"heapsnap: the dominator tree of " + v.File + " by class",
			"flat: self size (DevTools' shallow size); cum: retained size",
		},
	}
	locs := make([]*profile.Location, len(v.Frames))
	for k, name := range v.Frames {
		fn := &profile.Function{ID: uint64(k + 1), Name: string(name), SystemName: string(name)}
		p.Function = append(p.Function, fn)
		locs[k] = &profile.Location{ID: uint64(k + 1), Line: []profile.Line{{Function: fn}}}
		p.Location = append(p.Location, locs[k])
	}
	for _, st := range v.Stacks {
		if st.Objects == 0 && st.Self == 0 {
			continue
		}
		s := &profile.Sample{Value: []int64{int64(st.Objects), int64(st.Self)}}
		// Leaf first, as profile.proto orders a stack.
		for at := st; ; at = v.Stacks[at.Parent] {
			s.Location = append(s.Location, locs[at.Frame])
			if at.Parent < 0 {
				break
			}
		}
		p.Sample = append(p.Sample, s)
	}
	return p.Write(w)
}
