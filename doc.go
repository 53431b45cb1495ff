// Package agentsession stores the conversation history ("session memory") of AI
// agents: the items an agent sent to and received from a model, kept per
// session so that a conversation survives restarts and can be shared between
// replicas.
//
// Applications hold a [*Session]: one conversation, named by a session ID, over
// a [Backend] that does the storing. Backends live in their own packages
// (github.com/agentsession/agentsession/redissession for Redis), so an
// application only builds the storage client it uses.
//
//	client := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
//	store, err := redissession.New(client, &redissession.Options{KeyPrefix: "myapp:sessions"})
//	...
//	s, err := agentsession.New(store, "user-123", &agentsession.Options{TTL: time.Hour})
//	...
//	err = s.AddItems(ctx, []json.RawMessage{
//		json.RawMessage(`{"role":"user","content":"Hello"}`),
//		json.RawMessage(`{"role":"assistant","content":"Hi there!"}`),
//	})
//	recent, err := s.GetItems(ctx, 1) // the newest item
//
// # Items
//
// An item is one JSON object, carried as raw bytes ([encoding/json.RawMessage]),
// so any agent framework can use it. [Session.AddItems] checks every item of a
// batch before anything is written: a batch with an item that is not a JSON
// object (invalid JSON, an array, a number, a string, true, false or null, or
// text that is not UTF-8) is rejected whole with an [*ItemError] naming its
// position, and nothing of it is stored. Items are stored as compact JSON.
//
// # Ordering and atomicity
//
// Items are kept oldest first. [Session.GetItems] with limit N > 0 returns the N
// most recent items, still oldest first; with limit <= 0 it returns them all.
// A batch given to [Session.AddItems] is appended whole, in order and
// contiguously, or not at all, even when many goroutines or processes add to and
// pop from the same session at once. [Session.PopItem] removes and returns the
// newest item in one atomic step, so two concurrent pops never return the same
// item.
//
// # Expiry
//
// [Options.TTL] makes a session expire that long after its last
// [Session.AddItems]; every add sets the full TTL again, in the same atomic step
// as the append. Reads leave the expiry alone unless [Options.SlidingTTL] is
// set. An expired session reads as empty.
//
// # Damaged data
//
// A stored element that is not a JSON object (written by another program, or
// damaged) never breaks a session: [Session.GetItems] returns the valid items
// together with a [*CorruptError] that lists each bad element's index and raw
// bytes, and [Session.PopItem] hands a bad element's bytes back in a
// [*CorruptError] rather than dropping them silently.
//
// # Errors
//
// Every error can be tested with [errors.Is] and [errors.As]: the sentinels
// [ErrInvalidID], [ErrInvalidTTL], [ErrInvalidOptions], [ErrNilBackend],
// [ErrInvalidItem], [ErrCorruptItem] and [ErrWrongType], the typed
// [*ItemError] and [*CorruptError], the context's own errors
// ([context.Canceled], [context.DeadlineExceeded]) and the storage client's
// errors, which are wrapped, never replaced.
package agentsession
