package redissession_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/redissession"
)

// BenchmarkInterleaved times the pairs behind the targets in
// docs/benchmarks.md one operation of each side after the other, so that the
// drift of a shared, noisy machine (which moves back-to-back runs by ±10% or
// more) falls on both sides alike. Each reports the mean ns of each side and
// their ratio as ops/s of a over ops/s of b ("a/b"; 1 is the same speed).
func BenchmarkInterleaved(b *testing.B) {
	ctx := context.Background()
	e := newBenchEnv(b)
	// Fill the lists once: a sub-benchmark's function runs several times.
	e.fill(b, e.key("get1000"), 1000)
	e.fill(b, e.key("all100"), 100)
	e.fill(b, e.key("big"), 1_000_000)
	e.fill(b, e.key("small"), 10)

	b.Run("Add1-session-vs-rpush", func(b *testing.B) {
		s, key := e.session(b, "add-s", nil), e.key("add-raw")
		e.key("add-s")
		interleave(b, e, []string{e.backend.Key("add-s"), key},
			func() error { return s.AddItems(ctx, payloadBatch) },
			func() error { return e.client.RPush(ctx, key, []byte(payload)).Err() })
	})
	b.Run("Add1-no-idempotency-session-vs-rpush", func(b *testing.B) {
		plain, err := redissession.New(e.client, &redissession.Options{KeyPrefix: e.backend.KeyPrefix(), Idempotency: -1})
		if err != nil {
			b.Fatal(err)
		}
		s, err := agentsession.New(plain, "addp-s", nil)
		if err != nil {
			b.Fatal(err)
		}
		key := e.key("addp-raw")
		e.key("addp-s")
		interleave(b, e, []string{e.backend.Key("addp-s"), key},
			func() error { return s.AddItems(ctx, payloadBatch) },
			func() error { return e.client.RPush(ctx, key, []byte(payload)).Err() })
	})
	b.Run("Add1-cancelctx-session-vs-rpush", func(b *testing.B) {
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		s, key := e.session(b, "addc-s", nil), e.key("addc-raw")
		e.key("addc-s")
		interleave(b, e, []string{e.backend.Key("addc-s"), key},
			func() error { return s.AddItems(cctx, payloadBatch) },
			func() error { return e.client.RPush(cctx, key, []byte(payload)).Err() })
	})
	b.Run("GetItems10-session-vs-lrange", func(b *testing.B) {
		key, s := e.backend.Key("get1000"), e.session(b, "get1000", nil)
		interleave(b, e, nil,
			func() error { _, err := s.GetItems(ctx, 10); return err },
			func() error { return e.client.LRange(ctx, key, -10, -1).Err() })
	})
	b.Run("GetAll100-session-vs-lrange", func(b *testing.B) {
		key, s := e.backend.Key("all100"), e.session(b, "all100", nil)
		interleave(b, e, nil,
			func() error { _, err := s.GetItems(ctx, 0); return err },
			func() error { return e.client.LRange(ctx, key, 0, -1).Err() })
	})
	b.Run("GetItems10-1M-vs-10", func(b *testing.B) {
		big, small := e.session(b, "big", nil), e.session(b, "small", nil)
		interleave(b, e, nil,
			func() error { _, err := big.GetItems(ctx, 10); return err },
			func() error { _, err := small.GetItems(ctx, 10); return err })
	})
}

// payloadBatch is a batch of one payload.
var payloadBatch = []json.RawMessage{payload}

// interleave runs a then bb in each iteration, timing each, and reports
// a-ns/op, b-ns/op and a/b (ops/s of a over ops/s of b). Lists in trim are cut
// back to their newest element every trimEvery iterations, outside the timer.
func interleave(b *testing.B, e *benchEnv, trim []string, a, bb func() error) {
	b.ReportAllocs()
	for _, f := range []func() error{a, bb} { // warm up: connections, script cache
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	var ta, tb time.Duration
	n := 0
	for b.Loop() {
		t0 := time.Now()
		if err := a(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := bb(); err != nil {
			b.Fatal(err)
		}
		ta += t1.Sub(t0)
		tb += time.Since(t1)
		if n++; n == trimEvery && len(trim) > 0 {
			b.StopTimer()
			for _, k := range trim {
				if err := e.client.LTrim(context.Background(), k, -1, -1).Err(); err != nil {
					b.Fatal(err)
				}
			}
			n = 0
			b.StartTimer()
		}
	}
	iters := float64(b.N)
	b.ReportMetric(float64(ta.Nanoseconds())/iters, "a-ns/op")
	b.ReportMetric(float64(tb.Nanoseconds())/iters, "b-ns/op")
	b.ReportMetric(float64(tb)/float64(ta), "a/b")
}
