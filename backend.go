package agentsession

import (
	"context"
	"time"
)

// Backend stores raw items per session ID. Backend packages implement it;
// applications use [*Session], which checks every input before a Backend sees
// it.
//
// A Backend may assume that every id is non-empty and at most [MaxIDLen] bytes,
// that every item given to Append is a compact JSON object, that limit and ttl
// are never negative, and that ctx is not nil. It must be safe for concurrent
// use by many goroutines, and it returns errors from its storage client
// unchanged (Session adds the operation and session ID), except that a stored
// value of the wrong kind is reported with an error that wraps [ErrWrongType].
type Backend interface {
	// Items returns the stored elements of session id, oldest first: all of
	// them when limit is 0, else only the limit newest, reading no more than
	// those. An absent or expired session has no elements and is not an error.
	// Elements are returned as stored, unchecked, in a slice that is the
	// caller's to keep and change, as are the elements.
	Items(ctx context.Context, id string, limit int) ([][]byte, error)

	// Append adds items at the newest end of session id, in order and
	// contiguously, all of them or none, in one atomic step. When ttl > 0 the
	// session then expires ttl later, set in that same step; when ttl is 0 the
	// expiry is left as it was. Append checks nothing: it stores the bytes it is
	// given, which is what lets tests plant damaged elements.
	Append(ctx context.Context, id string, items [][]byte, ttl time.Duration) error

	// Pop removes and returns the newest element of session id in one atomic
	// step; on an empty session it returns nil, nil.
	Pop(ctx context.Context, id string) ([]byte, error)

	// Clear removes session id and all of its elements. Clearing an absent
	// session is not an error.
	Clear(ctx context.Context, id string) error
}

// Refresher is an optional capability of a [Backend], needed for
// [Options.SlidingTTL]: read like [Backend.Items] and, when the session exists,
// set its expiry to ttl (> 0) in the same step.
type Refresher interface {
	// ItemsRefresh returns what Items(ctx, id, limit) would and, when the
	// session has elements, sets its expiry to ttl, in one atomic step.
	ItemsRefresh(ctx context.Context, id string, limit int, ttl time.Duration) ([][]byte, error)
}

// Expirer is an optional capability of a Backend: read and set the expiry of
// one session, as Session.TTL and Session.SetTTL do.
type Expirer interface {
	// TTL returns the time left before session id expires, 0 when it never
	// expires, and whether the session exists (has items and has not
	// expired).
	TTL(ctx context.Context, id string) (ttl time.Duration, exists bool, err error)

	// SetTTL makes session id expire ttl from now, or never when ttl is 0,
	// and reports whether the session exists; it changes nothing when it does
	// not.
	SetTTL(ctx context.Context, id string, ttl time.Duration) (exists bool, err error)
}
