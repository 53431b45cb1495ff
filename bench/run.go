package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// The workloads of the issue: each operation on sessions of a given length.
const (
	wlAdd1   = "add1"
	wlAdd10  = "add10"
	wlGet10  = "get10"
	wlGetAll = "getall100"
	wlPop    = "pop"
)

type workload struct {
	name  string
	title string
	batch int // items per add
	limit int // GetItems limit (0: all)
	want  int // items a read must return
	fill  int // items in each session before the work starts
}

// start is the LRANGE start index of the workload's read: -limit, or 0 for all.
func (wl workload) start() int64 {
	if wl.limit > 0 {
		return -int64(wl.limit)
	}
	return 0
}

var workloads = []workload{
	{name: wlAdd1, title: "AddItems, 1 item", batch: 1},
	{name: wlAdd10, title: "AddItems, 10 items", batch: 10},
	{name: wlGet10, title: "GetItems(limit=10) of 1,000 items", limit: 10, want: 10, fill: 1000},
	{name: wlGetAll, title: "GetItems() of 100 items", want: 100, fill: 100},
	{name: wlPop, title: "PopItem"},
}

// payload is one realistic conversation item: a compact JSON object of about
// 150 bytes (the same as redissession's Go benchmarks).
var payload = []byte(`{"role":"user","content":"Could you summarise last quarter's sales for the north-east region and flag anything unusual against the same quarter last year?"}`)

// result is one system's figures on one workload at one number of sessions.
type result struct {
	Workload   string           `json:"workload"`
	Sessions   int              `json:"sessions"` // concurrent sessions, one goroutine each
	Length     int              `json:"length,omitempty"`
	System     string           `json:"system"`
	Ops        int64            `json:"ops"`
	Seconds    float64          `json:"seconds"`
	OpsPerSec  float64          `json:"ops_per_sec"`
	Ratio      float64          `json:"ratio_vs_raw"` // OpsPerSec over the raw system's in the same cell
	P50        float64          `json:"p50_us"`
	P90        float64          `json:"p90_us"`
	P99        float64          `json:"p99_us"`
	P999       float64          `json:"p999_us"`
	CmdsPerOp  float64          `json:"commands_per_op"`
	TripsPerOp float64          `json:"round_trips_per_op"`
	Commands   map[string]int64 `json:"commands"`    // INFO commandstats calls during CountedOps operations
	CountedOps int64            `json:"counted_ops"` // the operations Commands and round trips were counted over
	Refills    int64            `json:"refills,omitempty"`
}

// runner times systems on workloads against one server.
type runner struct {
	admin   *redis.Client // fills, refills, INFO; not timed, not counted
	prefix  string
	seg     time.Duration // one timed run of one system
	rounds  int           // timed runs of each system per cell, interleaved
	warm    time.Duration
	popFill int // items per session for pops, at one session

	refills atomic.Int64 // RPUSHes of the admin client during timed runs
	hists   []histogram
	log     func(format string, args ...any)
}

// fill pushes n payload items onto each session's list, in pipelined chunks.
func (r *runner) fill(ctx context.Context, ids []string, n int) error {
	const chunk = 1000
	args := make([]any, 0, chunk)
	for range chunk {
		args = append(args, payload)
	}
	pipe := r.admin.Pipeline()
	flush := func() error {
		if pipe.Len() == 0 {
			return nil
		}
		_, err := pipe.Exec(ctx)
		return err
	}
	for _, id := range ids {
		for left := n; left > 0; left -= chunk {
			pipe.RPush(ctx, r.prefix+":"+id, args[:min(left, chunk)]...)
			if pipe.Len() >= 64 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// drop unlinks the sessions' lists.
func (r *runner) drop(ctx context.Context, ids []string) error {
	keys := keysOf(r.prefix, ids)
	for len(keys) > 0 {
		n := min(len(keys), 500)
		if err := r.admin.Unlink(ctx, keys[:n]...).Err(); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// entry is one system doing one workload on its sessions: one line of the
// results.
type entry struct {
	sys    *system
	op     opFunc
	refill func(w int)
	length int

	hist    histogram
	ops     int64
	counted int64 // the operations during which cmds and writes were counted
	elapsed time.Duration
	writes  int64
	cmds    map[string]int64
	refills int64
}

// prepare makes the sessions of workload wl for n workers, lists of length
// items (wl.fill when length is 0), and returns their IDs and a refill for
// pops.
func (r *runner) prepare(ctx context.Context, wl workload, n, length int) ([]string, func(int), error) {
	ids := make([]string, n)
	for i := range ids {
		if length > 0 {
			ids[i] = fmt.Sprintf("%s-len%d-%d", wl.name, length, i)
		} else {
			ids[i] = fmt.Sprintf("%s-s%d-%d", wl.name, n, i)
		}
	}
	fill := wl.fill
	if length > 0 {
		fill = length
	}
	if wl.name == wlPop {
		fill = max(2000, r.popFill/n)
	}
	if fill > 0 {
		if err := r.fill(ctx, ids, fill); err != nil {
			return nil, nil, fmt.Errorf("fill: %w", err)
		}
	}
	refill := func(w int) {
		r.refills.Add(int64((fill + 999) / 1000))
		if err := r.fill(ctx, ids[w:w+1], fill); err != nil {
			r.log("refill: %v", err)
		}
	}
	return ids, refill, nil
}

// cell times systems on workload wl with n sessions, one goroutine each.
func (r *runner) cell(ctx context.Context, wl workload, n int, systems []*system) ([]result, error) {
	ids, refill, err := r.prepare(ctx, wl, n, 0)
	defer r.drop(context.WithoutCancel(ctx), ids)
	if err != nil {
		return nil, err
	}
	entries := make([]*entry, len(systems))
	for i, s := range systems {
		op, err := s.op(wl, ids)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		entries[i] = &entry{sys: s, op: op, refill: refill}
	}
	if err := r.interleave(ctx, wl, n, entries); err != nil {
		return nil, err
	}
	return results(wl, n, entries), nil
}

// sweep times GetItems(limit=10) on one session of each length, every
// length and system taking turns in one loop.
func (r *runner) sweep(ctx context.Context, lengths []int, systems []*system) ([]result, error) {
	wl := workloads[2] // get10
	var entries []*entry
	for _, length := range lengths {
		ids, refill, err := r.prepare(ctx, wl, 1, length)
		defer r.drop(context.WithoutCancel(ctx), ids)
		if err != nil {
			return nil, err
		}
		for _, s := range systems {
			op, err := s.op(wl, ids)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.name, err)
			}
			entries = append(entries, &entry{sys: s, op: op, refill: refill, length: length})
		}
	}
	if err := r.interleave(ctx, wl, 1, entries); err != nil {
		return nil, err
	}
	var out []result
	for i := 0; i < len(entries); i += len(systems) {
		out = append(out, results(wl, 1, entries[i:i+len(systems)])...)
	}
	return out, nil
}

// interleave warms each entry up, then times each r.rounds times, the
// entries taking turns (in a rotated order each round) so that the
// machine's drift falls on all of them alike.
func (r *runner) interleave(ctx context.Context, wl workload, n int, entries []*entry) error {
	for _, e := range entries {
		e.cmds = map[string]int64{}
		// Warm up: connections dialled, scripts loaded, goroutines started.
		if _, _, _, err := r.segment(ctx, e.op, n, r.warm, e.refill); err != nil {
			return fmt.Errorf("%s %s (%d sessions): %w", e.sys.name, wl.name, n, err)
		}
	}
	rounds := r.rounds
	if n == 1 {
		rounds = 1 // for the counts; the figures come from alternate below
	}
	for round := range rounds {
		for k := range entries {
			e := entries[(k+round)%len(entries)]
			before, err := commandStats(ctx, r.admin)
			if err != nil {
				return err
			}
			w0, f0 := e.sys.writes.Load(), r.refills.Load()
			ops, elapsed, refills, err := r.segment(ctx, e.op, n, r.seg, e.refill)
			if err != nil {
				return fmt.Errorf("%s %s (%d sessions): %w", e.sys.name, wl.name, n, err)
			}
			after, err := commandStats(ctx, r.admin)
			if err != nil {
				return err
			}
			e.writes += e.sys.writes.Load() - w0
			d := diffStats(before, after)
			d["rpush"] -= r.refills.Load() - f0 // the refills' own pushes
			for name, c := range d {
				if c > 0 {
					e.cmds[name] += c
				}
			}
			e.counted += ops
			e.ops += ops
			e.elapsed += elapsed
			e.refills += refills
			for w := range n {
				e.hist.merge(&r.hists[w])
			}
		}
	}
	if n == 1 {
		return r.alternate(ctx, wl, entries)
	}
	return nil
}

// alternate times entries of one session one operation after the other, in
// turn, for as long as interleave's rounds would have taken: with one caller,
// the machine's state changes faster than a round (which CPU the goroutine and
// the server run on, whether the other CPU sleeps), and only alternating
// operations puts every system under the same conditions. Each entry's time
// is the sum of its operations' latencies.
func (r *runner) alternate(ctx context.Context, wl workload, entries []*entry) error {
	for _, e := range entries {
		e.ops, e.elapsed, e.hist = 0, 0, histogram{}
	}
	deadline := time.Now().Add(time.Duration(r.rounds*len(entries)) * r.seg)
	for i := 0; ; i++ {
		if i%64 == 0 && time.Now().After(deadline) {
			return nil
		}
		for k := range entries {
			e := entries[(k+i)%len(entries)]
			t0 := time.Now()
			ok, err := e.op(ctx, 0)
			lat := time.Since(t0)
			if err != nil {
				return fmt.Errorf("%s %s (1 session): %w", e.sys.name, wl.name, err)
			}
			if !ok {
				e.refill(0)
				e.refills++
				continue
			}
			e.hist.record(lat)
			e.ops++
			e.elapsed += lat
		}
	}
}

// results turns entries of one cell into results, with their ratios to the
// raw system's.
func results(wl workload, n int, entries []*entry) []result {
	out := make([]result, len(entries))
	for i, e := range entries {
		var cmds int64
		for _, c := range e.cmds {
			cmds += c
		}
		ops := float64(max(e.counted, 1))
		out[i] = result{
			Workload: wl.name, Sessions: n, Length: e.length, System: e.sys.name,
			Ops: e.ops, Seconds: e.elapsed.Seconds(), OpsPerSec: float64(e.ops) / e.elapsed.Seconds(),
			P50: us(e.hist.quantile(0.50)), P90: us(e.hist.quantile(0.90)),
			P99: us(e.hist.quantile(0.99)), P999: us(e.hist.quantile(0.999)),
			CmdsPerOp: float64(cmds) / ops, TripsPerOp: float64(e.writes) / ops,
			Commands: e.cmds, CountedOps: e.counted, Refills: e.refills,
		}
	}
	for i := range out {
		for _, base := range out {
			if base.System == sysRaw {
				out[i].Ratio = out[i].OpsPerSec / base.OpsPerSec
			}
		}
	}
	return out
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// segment runs op from n goroutines, worker w on session w, for d, and
// returns the operations done, the time they took and the refills; the
// latencies are in r.hists[:n].
func (r *runner) segment(ctx context.Context, op opFunc, n int, d time.Duration, refill func(int)) (int64, time.Duration, int64, error) {
	var stop atomic.Bool
	var ops, refills atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for w := range n {
		r.hists[w] = histogram{}
	}
	start := time.Now()
	for w := range n {
		h := &r.hists[w]
		wg.Go(func() {
			var done int64
			for !stop.Load() {
				t0 := time.Now()
				ok, err := op(ctx, w)
				lat := time.Since(t0)
				if err != nil {
					once.Do(func() { firstErr = err })
					stop.Store(true)
					break
				}
				if !ok {
					refill(w)
					refills.Add(1)
					continue
				}
				h.record(lat)
				done++
			}
			ops.Add(done)
		})
	}
	timer := time.AfterFunc(d, func() { stop.Store(true) })
	wg.Wait()
	timer.Stop()
	return ops.Load(), time.Since(start), refills.Load(), firstErr
}

// describeCommands is "evalsha 1, rpush 1, set 1" per operation.
func describeCommands(r result) string {
	names := make([]string, 0, len(r.Commands))
	for name := range r.Commands {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for i, name := range names {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s×%.2g", strings.ToUpper(name), float64(r.Commands[name])/float64(max(r.CountedOps, 1)))
	}
	return b.String()
}
