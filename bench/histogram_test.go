package main

import (
	"testing"
	"time"
)

func TestBuckets(t *testing.T) {
	prev := -1
	for ns := int64(0); ns < 1<<40; ns = ns*9/8 + 1 {
		i := bucketOf(ns)
		if i < prev {
			t.Fatalf("bucketOf(%d) = %d < bucketOf of a smaller value (%d)", ns, i, prev)
		}
		prev = i
		if lo, hi := lowerBound(i), lowerBound(i+1); ns < lo || ns >= hi {
			t.Fatalf("%d ns in bucket %d = [%d, %d)", ns, i, lo, hi)
		}
	}
}

func TestQuantile(t *testing.T) {
	var h histogram
	for i := 1; i <= 1000; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Microsecond}, {0.99, 990 * time.Microsecond}} {
		got := h.quantile(tc.q)
		if got < tc.want*93/100 || got > tc.want*107/100 {
			t.Errorf("quantile(%v) = %v, want %v within 7%%", tc.q, got, tc.want)
		}
	}
}
