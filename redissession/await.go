package redissession

import (
	"context"
	"time"
)

// await runs f and returns its result, or ctx's error as soon as ctx ends.
// go-redis only looks at a context before it sends a command, so without this
// a cancelled call would wait for the reply or the client's read timeout. f
// keeps running after ctx ends; it then finishes on its own, and its
// connection goes back to the pool.
//
// f runs on a worker goroutine (see run). Without watch (Options.WatchContext)
// or with a context that can never end, such as context.Background(), f runs
// on the caller's goroutine.
func await[T any](ctx context.Context, watch bool, f func() (T, error)) (T, error) {
	done := ctx.Done()
	if !watch || done == nil {
		return f()
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	run(func() {
		v, err := f()
		ch <- result{v, err}
	})
	select {
	case r := <-ch:
		return r.v, r.err
	case <-done:
		var zero T
		return zero, ctx.Err()
	}
}

// workerIdle is how long a worker goroutine waits for more work before it
// exits.
const workerIdle = time.Second

// idleWorkers hands a job to a worker goroutine that is waiting for one.
var idleWorkers = make(chan func())

// run runs job on a worker goroutine: an idle one if there is one, else a new
// one. Workers are kept for a while because a new goroutine's stack must grow
// to fit go-redis's calls each time, which cost more than the command's own
// work on a fast network; there are never more of them than calls at once,
// and an idle one exits after workerIdle, so none outlives its use for long.
func run(job func()) {
	select {
	case idleWorkers <- job:
	default:
		go worker(job)
	}
}

func worker(job func()) {
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		job()
		idle.Reset(workerIdle)
		select {
		case job = <-idleWorkers:
		case <-idle.C:
			return
		}
	}
}
