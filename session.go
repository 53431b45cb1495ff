package agentsession

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
	"unsafe"
)

// Session is one conversation's history: the items stored under one session
// ID in one Backend. Make it with New. A Session is cheap (make one per
// conversation or request) and safe for concurrent use; the Backend behind it
// is what holds connections, so share one Backend between sessions.
//
// Its methods mirror the reference design's RedisSession: GetItems, AddItems,
// PopItem and ClearSession, with a context first.
type Session struct {
	backend   Backend
	refresher Refresher // non-nil only with Options.SlidingTTL
	id        string
	ttl       time.Duration
	maxItem   int // Options.MaxItemBytes
	maxBatch  int // Options.MaxBatchItems
}

// New returns the session named id, stored in b. It does no I/O: a session
// that holds nothing yet is made on its first AddItems.
//
// New fails with ErrNilBackend for a nil b, ErrInvalidID for an empty ID or one
// longer than MaxIDLen bytes, ErrInvalidTTL for a negative TTL, and
// ErrInvalidOptions for SlidingTTL without a TTL or on a backend that is not a
// Refresher.
func New(b Backend, id string, opts *Options) (*Session, error) {
	if b == nil {
		return nil, ErrNilBackend
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if err := o.check(b); err != nil {
		return nil, err
	}
	if err := checkID(id, cmp.Or(o.MaxIDLen, MaxIDLen)); err != nil {
		return nil, err
	}
	s := &Session{backend: b, id: id, ttl: o.TTL, maxItem: o.MaxItemBytes, maxBatch: o.MaxBatchItems}
	if o.SlidingTTL {
		s.refresher = b.(Refresher) // checked by o.check
	}
	return s, nil
}

// SessionID returns the session's ID.
func (s *Session) SessionID() string {
	if s == nil {
		return ""
	}
	return s.id
}

// GetItems returns the session's items, oldest first: all of them when limit
// <= 0, else the limit most recent ones. An empty, expired or never-used
// session gives no items and no error.
//
// When some stored elements are not JSON objects, GetItems returns the valid
// items (still up to limit of them, reading further back where it must)
// together with a *CorruptError that names the bad ones; callers that want to
// go on regardless can test for it with errors.As or errors.Is(err,
// ErrCorruptItem).
func (s *Session) GetItems(ctx context.Context, limit int) ([]json.RawMessage, error) {
	if err := s.start(ctx); err != nil {
		return nil, s.wrap("get items from", err)
	}
	limit = max(limit, 0)
	window := limit
	for {
		raw, err := s.read(ctx, window)
		if err != nil {
			return nil, s.wrap("get items from", err)
		}
		items, corrupt := sortStored(raw, window, limit)
		// A full read, or enough valid items, or nothing older to read: done.
		if limit == 0 || len(items) == limit || len(raw) < window {
			if corrupt != nil {
				return items, s.wrap("get items from", corrupt)
			}
			return items, nil
		}
		// Bad elements took places in the window: read further back.
		window += max(limit-len(items), window/2)
	}
}

func (s *Session) read(ctx context.Context, limit int) ([][]byte, error) {
	if s.refresher != nil {
		return s.refresher.ItemsRefresh(ctx, s.id, limit, s.ttl)
	}
	return s.backend.Items(ctx, s.id, limit)
}

// sortStored splits what a read of window elements returned into the newest
// limit valid items (all of them when limit is 0) and the bad elements among
// or after those. It walks from the newest end so it can stop at limit.
func sortStored(raw [][]byte, window, limit int) ([]json.RawMessage, *CorruptError) {
	n := len(raw)
	if limit > 0 {
		n = min(n, limit)
	}
	// Usually the newest n elements are all valid: then they are the items,
	// and raw's own array can be returned instead of a copy of its headers
	// (one allocation of 24 bytes per item, on every read).
	newest := raw[len(raw)-n : len(raw) : len(raw)]
	if allObjects(newest) {
		return asRawMessages(newest), nil
	}
	items := make([]json.RawMessage, 0, n)
	var bad []*ItemError
	for i := len(raw) - 1; i >= 0 && (limit == 0 || len(items) < limit); i-- {
		if err := objectProblem(raw[i]); err != nil {
			index := i
			if window > 0 {
				index = i - len(raw) // counted from the newest, as in LRANGE -N -1
			}
			bad = append(bad, &ItemError{Index: index, Raw: raw[i], Err: err})
			continue
		}
		items = append(items, raw[i])
	}
	slices.Reverse(items)
	if bad == nil {
		return items, nil
	}
	slices.Reverse(bad)
	return items, &CorruptError{Items: bad}
}

// allObjects reports whether every element of raw is a JSON object.
func allObjects(raw [][]byte) bool {
	for _, b := range raw {
		if !isObject(b) {
			return false
		}
	}
	return true
}

// asRawMessages returns raw as a []json.RawMessage, without a copy. A
// json.RawMessage is a []byte, so the two slices have the same layout; Go
// only lacks a conversion between slices of different element types. The
// Backend returns raw for the caller to keep (Backend.Items), so it is the
// caller's to change.
func asRawMessages(raw [][]byte) []json.RawMessage {
	if len(raw) == 0 {
		return []json.RawMessage{}
	}
	return unsafe.Slice((*json.RawMessage)(unsafe.Pointer(unsafe.SliceData(raw))), len(raw))
}

// AddItems appends items to the session, in order, and when the session has a
// TTL sets it again in the same atomic step. Every item must be a JSON object:
// if one is not, AddItems returns an *ItemError with its position in the batch
// and writes nothing. The batch lands whole or not at all, also when ctx ends
// during the call (then it may or may not have landed). An empty batch does
// nothing and makes no round trip.
func (s *Session) AddItems(ctx context.Context, items []json.RawMessage) error {
	if err := s.start(ctx); err != nil {
		return s.wrap("add items to", err)
	}
	if len(items) == 0 {
		return nil
	}
	if s.maxBatch > 0 && len(items) > s.maxBatch {
		return s.wrap("add items to", &LimitError{What: "batch items", Max: s.maxBatch, Got: len(items)})
	}
	batch := make([][]byte, len(items))
	for i, item := range items {
		if s.maxItem > 0 && len(item) > s.maxItem {
			return s.wrap("add items to", &ItemError{Index: i, Raw: item, Err: &LimitError{What: "item bytes", Max: s.maxItem, Got: len(item)}})
		}
		b, err := compactObject(item)
		if err != nil {
			return s.wrap("add items to", &ItemError{Index: i, Raw: item, Err: err})
		}
		batch[i] = b
	}
	return s.wrap("add items to", s.backend.Append(ctx, s.id, batch, s.ttl))
}

// PopItem removes and returns the session's newest item, or nil and no error
// when the session is empty. If the newest stored element is not a JSON
// object, it is removed all the same and its bytes come back in a
// *CorruptError (Items[0].Raw), never dropped silently.
func (s *Session) PopItem(ctx context.Context) (json.RawMessage, error) {
	if err := s.start(ctx); err != nil {
		return nil, s.wrap("pop item from", err)
	}
	b, err := s.backend.Pop(ctx, s.id)
	if err != nil || b == nil {
		return nil, s.wrap("pop item from", err)
	}
	if err := objectProblem(b); err != nil {
		return nil, s.wrap("pop item from", &CorruptError{Items: []*ItemError{{Index: -1, Raw: b, Err: err}}})
	}
	return b, nil
}

// ClearSession deletes all of the session's items. Clearing an empty session
// is not an error.
func (s *Session) ClearSession(ctx context.Context) error {
	if err := s.start(ctx); err != nil {
		return s.wrap("clear", err)
	}
	return s.wrap("clear", s.backend.Clear(ctx, s.id))
}

// start does the checks every method shares before any I/O.
func (s *Session) start(ctx context.Context) error {
	if s == nil || s.backend == nil {
		return ErrNilBackend
	}
	if ctx == nil {
		return ErrNilContext
	}
	return ctx.Err()
}

// wrap adds the operation and session ID to err, once; nil stays nil.
func (s *Session) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if s == nil {
		return fmt.Errorf("agentsession: %s session: %w", op, err)
	}
	return fmt.Errorf("agentsession: %s session %s: %w", op, shortID(s.id), err)
}
