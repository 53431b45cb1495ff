package main

import (
	"math/bits"
	"time"
)

// histogram counts latencies in log-linear buckets: 16 per power of two, so a
// percentile read from it is within about 6% of the true value. It is not
// safe for concurrent use: each worker has its own, merged afterwards.
type histogram struct {
	counts [64 * subBuckets]int64
	n      int64
}

const subBits = 4
const subBuckets = 1 << subBits

func bucketOf(ns int64) int {
	if ns < subBuckets {
		return int(max(ns, 0))
	}
	e := bits.Len64(uint64(ns)) - 1 // 2^e <= ns < 2^(e+1)
	sub := (ns >> (e - subBits)) & (subBuckets - 1)
	return (e-subBits+1)*subBuckets + int(sub)
}

// lowerBound is the smallest latency of bucket i, in nanoseconds.
func lowerBound(i int) int64 {
	if i < subBuckets {
		return int64(i)
	}
	e := i/subBuckets + subBits - 1
	sub := int64(i % subBuckets)
	return (1 << e) + sub<<(e-subBits)
}

func (h *histogram) record(d time.Duration) {
	h.counts[bucketOf(int64(d))]++
	h.n++
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

// quantile returns the latency below which q of the samples fall: the middle
// of the bucket that holds it.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := int64(q * float64(h.n))
	if rank >= h.n {
		rank = h.n - 1
	}
	var seen int64
	for i, c := range h.counts {
		seen += c
		if seen > rank {
			lo, hi := lowerBound(i), lowerBound(i+1)
			return time.Duration((lo + hi) / 2)
		}
	}
	return 0
}
