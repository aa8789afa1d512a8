// Command servebench measures heapsnap serve on one snapshot: the time
// until it serves, its memory once loaded, and the response time of each
// kind of request, repeated (docs/explore.md quotes its output).
//
//	go build -o /tmp/heapsnap ./cmd/heapsnap
//	go run ./internal/tools/servebench -bin /tmp/heapsnap -n 7 /tmp/bench/service25.heapsnapshot
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

func main() {
	bin := flag.String("bin", "heapsnap", "heapsnap binary")
	n := flag.Int("n", 7, "times each request is made")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: servebench [-bin heapsnap] [-n 7] FILE")
		os.Exit(2)
	}
	start := time.Now()
	cmd := exec.Command(*bin, "serve", "-q", flag.Arg(0))
	out, err := cmd.StdoutPipe()
	check(err)
	cmd.Stderr = os.Stderr
	check(cmd.Start())
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	check(err)
	ready := time.Since(start)
	url := strings.TrimPrefix(strings.TrimSpace(line), "heapsnap serve: ")
	fmt.Printf("file %s\nserving after %.1f s; %s\n", flag.Arg(0), ready.Seconds(), memory(cmd.Process.Pid))

	// Ids to ask about: the largest object, the biggest class.
	var an struct {
		Largest []struct{ ID uint32 } `json:"largest"`
	}
	getJSON(url+"api/analyze?top=1&largest=1", &an)
	var cp struct {
		Classes []struct {
			ID    uint32 `json:"id"`
			Count int    `json:"count"`
			Name  string `json:"name"`
		} `json:"classes"`
	}
	getJSON(url+"api/classes?sort=count&limit=1", &cp)
	big, class := an.Largest[0].ID, cp.Classes[0]
	fmt.Printf("largest object @%d; most numerous class %s (%d objects)\n\n", big, class.Name, class.Count)

	reqs := []string{
		"api/meta",
		"api/analyze",
		"api/suspects",
		"api/classes?limit=200",
		"api/classes?limit=200&sort=name",
		"api/classes?limit=200&filter=map",
		fmt.Sprintf("api/classes/%d/instances?limit=100", class.ID),
		fmt.Sprintf("api/classes/%d/instances?limit=100&offset=%d", class.ID, class.Count/2),
		fmt.Sprintf("api/objects/%d", big),
		fmt.Sprintf("api/objects/%d/references?limit=50", big),
		fmt.Sprintf("api/objects/%d/retainers?limit=50", big),
		fmt.Sprintf("api/objects/%d/chains?paths=5&depth=12", big),
		"api/tree?depth=10&min=2",
		fmt.Sprintf("api/tree/%d?depth=10&min=2", big),
	}
	fmt.Printf("%-58s %8s %8s %8s %9s\n", "request", "first", "median", "max", "bytes")
	for _, r := range reqs {
		var times []time.Duration
		size := 0
		for range *n {
			t0 := time.Now()
			size = len(get(url + r))
			times = append(times, time.Since(t0))
		}
		first := times[0]
		slices.Sort(times)
		fmt.Printf("%-58s %6.1fms %6.1fms %6.1fms %9d\n", r, ms(first), ms(times[len(times)/2]), ms(times[len(times)-1]), size)
	}
	fmt.Printf("\nafter the requests: %s\n", memory(cmd.Process.Pid))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func get(url string) []byte {
	res, err := http.Get(url)
	check(err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	check(err)
	if res.StatusCode != 200 {
		check(fmt.Errorf("%s: %s: %s", url, res.Status, b))
	}
	return b
}

func getJSON(url string, v any) { check(json.Unmarshal(get(url), v)) }

// memory reads the server's resident and peak resident set (Linux).
func memory(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ""
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") || strings.HasPrefix(l, "VmHWM:") {
			out = append(out, strings.Join(strings.Fields(l), " "))
		}
	}
	return strings.Join(out, ", ")
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "servebench:", err)
		os.Exit(1)
	}
}
