package main

import (
	"fmt"
	"strings"
)

// target is one of issue 7's targets, judged on a run.
type target struct {
	what     string
	measured float64
	want     float64
	ok       bool
	found    bool
}

// find returns the result of system on workload at n sessions.
func find(rs []result, workload string, n int, system string) (result, bool) {
	for _, r := range rs {
		if r.Workload == workload && r.Sessions == n && r.System == system {
			return r, true
		}
	}
	return result{}, false
}

func findLength(rs []result, length int, system string) (result, bool) {
	for _, r := range rs {
		if r.Length == length && r.System == system {
			return r, true
		}
	}
	return result{}, false
}

// targets judges the run against issue 7's targets.
func targets(rep report) []target {
	var ts []target
	ratio := func(what, wl string, n int, system string, want float64) {
		r, ok := find(rep.Results, wl, n, system)
		ts = append(ts, target{what: what, measured: r.Ratio, want: want, ok: ok && r.Ratio >= want, found: ok})
	}
	for _, n := range []int{1, 64} {
		ratio(fmt.Sprintf("AddItems (1 item), %d session(s): session ÷ raw RPUSH", n), wlAdd1, n, sysSession, 0.9)
		ratio(fmt.Sprintf("GetItems(limit=10), %d session(s): session ÷ raw LRANGE", n), wlGet10, n, sysSession, 0.9)
	}
	for _, n := range []int{1, 64} {
		ratio(fmt.Sprintf("AddItems (1 item), %d session(s), Idempotency: -1: ÷ raw RPUSH", n), wlAdd1, n, sysSessionOff, 0.9)
	}
	short, okS := findLength(rep.Sweep, 10, sysSession)
	long, okL := findLength(rep.Sweep, 1_000_000, sysSession)
	if okS && okL {
		m := long.OpsPerSec / short.OpsPerSec
		ts = append(ts, target{what: "GetItems(limit=10): 1,000,000 items ÷ 10 items (session)", measured: m, want: 0.9, ok: m >= 0.9, found: true})
	}
	maxN := 0
	for _, n := range rep.Sessions {
		maxN = max(maxN, n)
	}
	for _, wl := range workloads {
		if _, ok := find(rep.Results, wl.name, maxN, sysSessionAP); ok {
			ratio(fmt.Sprintf("%s, %d sessions, AutoPipeline: session ÷ unpipelined raw", wl.name, maxN), wl.name, maxN, sysSessionAP, 3)
		}
		if _, ok := find(rep.Results, wl.name, maxN, sysSessionAPOff); ok {
			ratio(fmt.Sprintf("%s, %d sessions, AutoPipeline, Idempotency: -1: ÷ unpipelined raw", wl.name, maxN), wl.name, maxN, sysSessionAPOff, 3)
		}
	}
	return ts
}

// markdown renders the run as the tables of docs/benchmarks.md.
func markdown(rep report) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("## Results of `%s` (%s)\n\n", strings.TrimSpace(rep.Command), rep.Date)
	p("%s; %s; each system timed %d × %s per cell, taking turns; %.0f s in all.\n\n", rep.Machine, rep.Redis, rep.Rounds, rep.Segment, rep.Seconds)

	p("### Targets\n\n| target | measured | wanted | |\n| --- | --- | --- | --- |\n")
	for _, t := range targets(rep) {
		verdict := "met"
		switch {
		case !t.found:
			verdict = "not measured"
		case !t.ok:
			verdict = fmt.Sprintf("**missed** by %.0f%%", 100*(t.want-t.measured)/t.want)
		}
		p("| %s | %.2f× | ≥ %.2g× | %s |\n", t.what, t.measured, t.want, verdict)
	}
	p("\n")

	for _, wl := range workloads {
		var rows []result
		for _, r := range rep.Results {
			if r.Workload == wl.name {
				rows = append(rows, r)
			}
		}
		if len(rows) == 0 {
			continue
		}
		p("### %s: %s\n\n", wl.name, wl.title)
		p("| sessions | system | ops/s | × raw | p50 µs | p99 µs | commands/op | round trips/op | commands |\n")
		p("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
		for _, r := range rows {
			p("| %d | %s | %.0f | %.2f | %.0f | %.0f | %.2f | %.3f | %s |\n",
				r.Sessions, r.System, r.OpsPerSec, r.Ratio, r.P50, r.P99, r.CmdsPerOp, r.TripsPerOp, describeCommands(r))
		}
		p("\n")
	}

	if len(rep.Sweep) > 0 {
		p("### Session length: GetItems(limit=10), 1 session\n\n")
		p("| items in the session | system | ops/s | × raw | × at %d items | p50 µs | p99 µs |\n", rep.Sweep[0].Length)
		p("| ---: | --- | ---: | ---: | ---: | ---: | ---: |\n")
		for _, r := range rep.Sweep {
			first, _ := findLength(rep.Sweep, rep.Sweep[0].Length, r.System)
			p("| %d | %s | %.0f | %.2f | %.2f | %.0f | %.0f |\n",
				r.Length, r.System, r.OpsPerSec, r.Ratio, r.OpsPerSec/first.OpsPerSec, r.P50, r.P99)
		}
		p("\n")
	}
	p("Systems: `raw` is go-redis sending the fewest commands for the work (RPUSH, LRANGE, RPOP), one at a time per\n")
	p("session; `session` is `agentsession.Session` on `redissession` with default options (exactly-once adds);\n")
	p("`session-noidem` the same with `Idempotency: -1`; `session+autopipe` with `AutoPipeline: true` (and\n")
	p("`session+autopipe-noidem` with both); `raw+autopipe`\n")
	p("and `rueidis` send the raw commands through go-redis's auto-pipeliner and through rueidis. Commands per\n")
	p("operation are from INFO commandstats (a script's own calls count too); round trips per operation are writes to\n")
	p("the system's connections.\n")
	return b.String()
}
