// Command bench measures the Redis backend against raw clients doing the
// fewest commands for the same work, in one run, on one server: ops/s, p50
// and p99 latency, Redis commands and round trips per operation, for adds,
// reads and pops at 1 to 256 concurrent sessions, with and without
// auto-pipelining, and GetItems(limit=10) on sessions of 10 to 1,000,000
// items. It prints the tables, the ratios and the targets of issue 7, and
// writes results.md, results.json and PNG charts to -out.
//
// From the repository root:
//
//	go run ./bench              # about 2 minutes on 2 cores; starts its own redis-server
//	go run ./bench -short       # about 20 seconds
//	go run ./bench -url redis://127.0.0.1:6379/0   # a server of yours (a single node)
//
// See docs/benchmarks.md for what it measures and how to read it.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/agentsession/agentsession/redissession"
	"github.com/redis/go-redis/v9"
)

type config struct {
	url      string
	bin      string
	out      string
	short    bool
	sessions []int
	lengths  []int
	only     map[string]bool
	segment  time.Duration
	rounds   int
	plots    bool
	stdout   io.Writer            // the tables (default os.Stdout)
	logf     func(string, ...any) // progress (default: to os.Stderr)
}

func main() {
	var cfg config
	var sessions, lengths, only string
	flag.StringVar(&cfg.url, "url", "", "a Redis server to use (a single node, redis://host:port/db; its other clients' commands count in the commands per operation); default: start a redis-server on a free loopback port")
	flag.StringVar(&cfg.bin, "redis-server", "redis-server", "the redis-server to start when -url is not given")
	flag.StringVar(&cfg.out, "out", "bench/out", "directory for results.md, results.json and the PNG charts")
	flag.BoolVar(&cfg.short, "short", false, "shorter timed runs (about 20 s in all): for a quick look, not for the figures")
	flag.StringVar(&sessions, "sessions", "1,16,64,256", "numbers of concurrent sessions, comma-separated")
	flag.StringVar(&lengths, "lengths", "10,1000,100000,1000000", "session lengths for the GetItems(limit=10) sweep")
	flag.StringVar(&only, "workloads", "add1,add10,get10,getall100,pop", "workloads to run")
	flag.DurationVar(&cfg.segment, "segment", 0, "one timed run of one system (default 100ms, 30ms with -short)")
	flag.IntVar(&cfg.rounds, "rounds", 0, "timed runs of each system per cell, taking turns (default 10, 3 with -short)")
	flag.BoolVar(&cfg.plots, "plots", true, "write the PNG charts")
	flag.Parse()
	var err error
	if cfg.sessions, err = ints("sessions", sessions); err == nil {
		cfg.lengths, err = ints("lengths", lengths)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	cfg.only = map[string]bool{}
	for _, w := range strings.Split(only, ",") {
		if !known(w) {
			fmt.Fprintf(os.Stderr, "bench: -workloads: unknown workload %q (known: add1, add10, get10, getall100, pop)\n", w)
			os.Exit(2)
		}
		cfg.only[w] = true
	}
	if cfg.segment == 0 {
		cfg.segment = 100 * time.Millisecond
		if cfg.short {
			cfg.segment = 30 * time.Millisecond
		}
	}
	if cfg.rounds == 0 {
		cfg.rounds = 10
		if cfg.short {
			cfg.rounds = 3
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func known(w string) bool {
	for _, wl := range workloads {
		if wl.name == w {
			return true
		}
	}
	return false
}

func ints(name, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-%s: %q is not a positive whole number", name, f)
		}
		out = append(out, n)
	}
	return out, nil
}

// report is everything one run measured, as written to results.json.
type report struct {
	Date     string   `json:"date"`
	Command  string   `json:"command"`
	Machine  string   `json:"machine"`
	Redis    string   `json:"redis"`
	Seconds  float64  `json:"seconds"`
	Segment  string   `json:"segment"`
	Rounds   int      `json:"rounds"`
	Results  []result `json:"results"`
	Sweep    []result `json:"sweep"`
	Sessions []int    `json:"sessions"`
}

func run(ctx context.Context, cfg config) error {
	began := time.Now()
	if cfg.stdout == nil {
		cfg.stdout = os.Stdout
	}
	logf := cfg.logf
	if logf == nil {
		logf = func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	}
	url := cfg.url
	if url == "" {
		srv, err := startServer(ctx, cfg.bin)
		if err != nil {
			return err
		}
		defer srv.stop()
		url = "redis://" + srv.addr + "/0"
		logf("started redis-server on %s", srv.addr)
	}
	base, err := redis.ParseURL(url)
	if err != nil {
		return fmt.Errorf("-url: %w", err)
	}
	admin := redis.NewClient(base)
	defer admin.Close()
	version, err := serverInfo(ctx, admin)
	if err != nil {
		return fmt.Errorf("redis at %s: %w", base.Addr, err)
	}
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return err
	}
	maxSessions := 0
	for _, n := range cfg.sessions {
		maxSessions = max(maxSessions, n)
	}
	prefix := fmt.Sprintf("agentsession-bench-%d", os.Getpid())
	r := &runner{admin: admin, prefix: prefix, seg: cfg.segment, rounds: cfg.rounds,
		warm: cfg.segment / 4, popFill: 300_000, hists: make([]histogram, maxSessions), log: logf}
	if cfg.short {
		r.popFill = 30_000
	}

	// One client per system, each with a pool that has a connection for
	// every session, so that no unpipelined system waits for a connection.
	pool := maxSessions + 8
	raw, err := newRaw(base, pool, prefix, false)
	if err != nil {
		return err
	}
	defer raw.close()
	sess, err := newSession(sysSession, base, pool, redissession.Options{KeyPrefix: prefix})
	if err != nil {
		return err
	}
	defer sess.close()
	sessAP, err := newSession(sysSessionAP, base, pool, redissession.Options{KeyPrefix: prefix, AutoPipeline: true})
	if err != nil {
		return err
	}
	defer sessAP.close()
	sessOff, err := newSession(sysSessionOff, base, pool, redissession.Options{KeyPrefix: prefix, Idempotency: -1})
	if err != nil {
		return err
	}
	defer sessOff.close()
	sessAPOff, err := newSession(sysSessionAPOff, base, pool, redissession.Options{KeyPrefix: prefix, AutoPipeline: true, Idempotency: -1})
	if err != nil {
		return err
	}
	defer sessAPOff.close()
	rawAP, err := newRaw(base, pool, prefix, true)
	if err != nil {
		return err
	}
	defer rawAP.close()
	rue, err := newRueidis(base, prefix)
	if err != nil {
		return err
	}
	defer rue.close()

	rep := report{
		Date:     time.Now().UTC().Format("2006-01-02 15:04 MST"),
		Command:  "go run ./bench " + strings.Join(os.Args[1:], " "),
		Machine:  machine(),
		Redis:    "redis-server " + version + " at " + base.Addr,
		Segment:  cfg.segment.String(),
		Rounds:   cfg.rounds,
		Sessions: cfg.sessions,
	}
	total := 0
	for _, wl := range workloads {
		if cfg.only[wl.name] {
			total += len(cfg.sessions)
		}
	}
	step := 0
	for _, wl := range workloads {
		if !cfg.only[wl.name] {
			continue
		}
		for _, n := range cfg.sessions {
			step++
			systems := []*system{raw, sess, sessAP}
			if wl.batch > 0 {
				systems = append(systems, sessOff)
			}
			if n == maxSessions {
				if wl.batch > 0 {
					systems = append(systems, sessAPOff)
				}
				systems = append(systems, rawAP, rue)
			}
			t0 := time.Now()
			res, err := r.cell(ctx, wl, n, systems)
			if err != nil {
				return err
			}
			rep.Results = append(rep.Results, res...)
			logf("[%d/%d] %-9s %3d sessions: %s (%.1fs)", step, total, wl.name, n, summary(res), time.Since(t0).Seconds())
		}
	}
	if len(cfg.lengths) > 0 {
		t0 := time.Now()
		rep.Sweep, err = r.sweep(ctx, cfg.lengths, []*system{raw, sess})
		if err != nil {
			return err
		}
		logf("[sweep] GetItems(10) at %v items: %s (%.1fs)", cfg.lengths, summary(rep.Sweep), time.Since(t0).Seconds())
	}
	rep.Seconds = time.Since(began).Seconds()

	md := markdown(rep)
	fmt.Fprint(cfg.stdout, md)
	if err := os.WriteFile(filepath.Join(cfg.out, "results.md"), []byte(md), 0o644); err != nil {
		return err
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(cfg.out, "results.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	if cfg.plots {
		files, err := writePlots(rep, cfg.out)
		if err != nil {
			return fmt.Errorf("plots: %w", err)
		}
		logf("wrote %s", strings.Join(files, ", "))
	}
	logf("wrote %s and %s in %s (%.0fs in all)", "results.md", "results.json", cfg.out, time.Since(began).Seconds())
	return nil
}

func summary(res []result) string {
	var b strings.Builder
	for i, r := range res {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %.0f/s", r.System, r.OpsPerSec)
	}
	return b.String()
}

// machine describes the CPU, for the report.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	return fmt.Sprintf("%d CPUs (%s), GOMAXPROCS %d, %s %s/%s", runtime.NumCPU(), model, runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
