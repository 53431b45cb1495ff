package redissession

import "context"

// await runs f and returns its result, or ctx's error as soon as ctx ends.
// go-redis only looks at a context before it sends a command, so without this
// a cancelled call would wait for the reply or the client's read timeout. f
// keeps running after ctx ends; it then finishes on its own, and its
// connection goes back to the pool.
func await[T any](ctx context.Context, f func() (T, error)) (T, error) {
	done := ctx.Done()
	if done == nil { // context.Background and the like never end
		return f()
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-done:
		var zero T
		return zero, ctx.Err()
	}
}
