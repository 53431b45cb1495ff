package main

import (
	"encoding/json"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentsession/agentsession/internal/testenv"
)

// TestRun runs the whole program small, once on a server it starts itself
// and once on the test server by URL, and checks what it writes: every
// system did work, the counts are sane, the charts are PNGs.
func TestRun(t *testing.T) {
	bin := testenv.Get(t, "AGENTSESSION_REDIS_SERVER", "the path of a redis-server executable")
	url := testenv.Get(t, "AGENTSESSION_REDIS_URL", "a redis-server")
	for _, tc := range []struct {
		name string
		cfg  config
	}{
		{"own-server", config{bin: bin, plots: true}},
		{"url", config{url: url}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.out = t.TempDir()
			cfg.stdout = io.Discard
			cfg.logf = t.Logf
			cfg.sessions = []int{1, 4}
			cfg.lengths = []int{10, 1000}
			cfg.only = map[string]bool{wlAdd1: true, wlGet10: true, wlPop: true}
			cfg.segment, cfg.rounds = 20*time.Millisecond, 2
			if err := run(t.Context(), cfg); err != nil {
				t.Fatal(err)
			}
			var rep report
			b, err := os.ReadFile(filepath.Join(cfg.out, "results.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &rep); err != nil {
				t.Fatal(err)
			}
			// add1: raw, session, session+autopipe, session-noidem at 1; and
			// session+autopipe-noidem, raw+autopipe, rueidis too at 4. get10
			// and pop: 3 and 5.
			if got, want := len(rep.Results), 4+7+3+5+3+5; got != want {
				t.Fatalf("%d results, want %d", got, want)
			}
			if got := len(rep.Sweep); got != 4 {
				t.Fatalf("%d sweep results, want 4", got)
			}
			for _, r := range append(rep.Results, rep.Sweep...) {
				if r.Ops == 0 || r.OpsPerSec <= 0 || r.P50 <= 0 || r.P99 < r.P50 {
					t.Errorf("%s %s at %d: no work or odd latencies: %+v", r.Workload, r.System, r.Sessions, r)
				}
				// Every system sends one command per operation, but the
				// library's exactly-once adds (EVALSHA with SET and RPUSH
				// inside).
				want := 1.0
				if r.Workload == wlAdd1 && strings.HasPrefix(r.System, "session") && !strings.HasSuffix(r.System, "noidem") {
					want = 3
				}
				// On the shared test server (url) other tests' commands count
				// too: commands are only checked on the program's own server.
				if tc.cfg.url == "" && (r.CmdsPerOp < want*0.9 || r.CmdsPerOp > want*1.1) {
					t.Errorf("%s %s at %d: %.2f commands per operation (%v), want %v", r.Workload, r.System, r.Sessions, r.CmdsPerOp, r.Commands, want)
				}
				if !strings.Contains(r.System, "autopipe") && r.System != sysRueidis && (r.TripsPerOp < 0.9 || r.TripsPerOp > 1.1) {
					t.Errorf("%s %s at %d: %.3f round trips per operation, want 1", r.Workload, r.System, r.Sessions, r.TripsPerOp)
				}
			}
			md, err := os.ReadFile(filepath.Join(cfg.out, "results.md"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(md), "### Targets") {
				t.Errorf("results.md has no targets table:\n%s", md)
			}
			if !cfg.plots {
				return
			}
			for _, name := range []string{"throughput.png", "latency.png", "sweep.png"} {
				f, err := os.Open(filepath.Join(cfg.out, name))
				if err != nil {
					t.Fatal(err)
				}
				img, err := png.Decode(f)
				f.Close()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if b := img.Bounds(); b.Dx() < 500 || b.Dy() < 300 {
					t.Errorf("%s is only %v", name, b)
				}
			}
		})
	}
}
