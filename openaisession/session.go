package openaisession

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/agentsession/agentsession"
)

// Session is a session of Responses API input items over an
// agentsession.Session. It is safe for concurrent use and cheap: make one per
// conversation.
type Session struct {
	raw *agentsession.Session
}

// New returns the typed session named id in backend b; see agentsession.New
// for the options and errors.
func New(b agentsession.Backend, id string, opts *agentsession.Options) (*Session, error) {
	raw, err := agentsession.New(b, id, opts)
	if err != nil {
		return nil, err
	}
	return &Session{raw: raw}, nil
}

// Wrap returns the typed view of a raw session. Both read and write the same
// stored items.
func Wrap(raw *agentsession.Session) *Session { return &Session{raw: raw} }

// Raw returns the raw session underneath, which works on JSON bytes.
func (s *Session) Raw() *agentsession.Session { return s.r() }

// r is the raw session; nil for a nil s, whose methods then fail with
// agentsession.ErrNilBackend rather than panic.
func (s *Session) r() *agentsession.Session {
	if s == nil {
		return nil
	}
	return s.raw
}

// SessionID returns the session's ID.
func (s *Session) SessionID(ctx context.Context) string { return s.r().SessionID() }

// GetItems returns the session's items, oldest first: all of them when limit
// <= 0, else the limit newest ones, extended back so the Responses API accepts
// the history (see the package documentation). Like agentsession's GetItems,
// it returns the valid items with a *agentsession.CorruptError when stored
// elements are damaged.
func (s *Session) GetItems(ctx context.Context, limit int) ([]Item, error) {
	if limit <= 0 {
		raw, err := s.r().GetItems(ctx, 0)
		return decodeAll(raw, err)
	}
	// One more than asked for shows whether a reasoning item stands just
	// before the window.
	for n := limit + 1; ; n *= 2 {
		raw, err := s.r().GetItems(ctx, n)
		if err != nil && !errors.Is(err, agentsession.ErrCorruptItem) {
			return nil, err
		}
		start, ok := windowStart(raw, max(len(raw)-limit, 0), len(raw) < n)
		if ok {
			return decodeAll(raw[start:], err)
		}
	}
}

// decodeAll decodes raw items, keeping err (nil or a CorruptError).
func decodeAll(raw []json.RawMessage, err error) ([]Item, error) {
	if raw == nil && err != nil && !errors.Is(err, agentsession.ErrCorruptItem) {
		return nil, err
	}
	items := make([]Item, len(raw))
	for i, r := range raw {
		it, derr := Decode(r)
		if derr != nil {
			return nil, fmt.Errorf("openaisession: item %d: %w", i, derr)
		}
		items[i] = it
	}
	return items, err
}

// AddItems appends items to the session as one all-or-nothing batch. An item
// that does not marshal to a JSON object (for example a zero union, with no
// variant set) fails the batch with an *agentsession.ItemError naming its
// position, and nothing is written.
func (s *Session) AddItems(ctx context.Context, items []Item) error {
	if len(items) == 0 {
		return s.r().AddItems(ctx, nil)
	}
	raw := make([]json.RawMessage, len(items))
	for i, it := range items {
		b, err := Encode(it)
		if err != nil {
			return fmt.Errorf("openaisession: add items to session %q: %w", s.r().SessionID(),
				&agentsession.ItemError{Index: i, Err: err})
		}
		raw[i] = b
	}
	return s.r().AddItems(ctx, raw)
}

// PopItem removes and returns the newest item, or nil and no error when the
// session is empty.
func (s *Session) PopItem(ctx context.Context) (*Item, error) {
	raw, err := s.r().PopItem(ctx)
	if err != nil || raw == nil {
		return nil, err
	}
	it, err := Decode(raw)
	if err != nil {
		return nil, err
	}
	return &it, nil
}

// ClearSession deletes all of the session's items.
func (s *Session) ClearSession(ctx context.Context) error { return s.r().ClearSession(ctx) }
