// Package memsession is the in-memory backend of agentsession: sessions in a
// map, for tests and for programs whose history need not outlive them. It is
// safe for concurrent use, and every operation is atomic under one lock.
//
// TTLs are honoured without a goroutine: an expired session reads as empty
// and is dropped when next touched, and Purge drops every expired one.
//
// # URLs
//
// It registers the scheme "memory": agentsession.OpenStore(ctx, "memory://")
// opens a new, empty store each time; it takes no parameters of its own.
package memsession

import (
	"context"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/internal/urlopt"
)

func init() {
	agentsession.Register("memory", func(_ context.Context, u *url.URL) (agentsession.Backend, error) {
		if err := urlopt.New(u).Done(); err != nil {
			return nil, err
		}
		return New(), nil
	})
}

// Backend keeps sessions in memory. Applications use it through
// agentsession.New; the zero value is not ready, use New.
type Backend struct {
	mu       sync.Mutex
	sessions map[string]*session
	now      func() time.Time // time.Now; tests may replace it
}

type session struct {
	items   [][]byte
	expires time.Time // zero: never
	updated time.Time
}

var (
	_ agentsession.Backend   = (*Backend)(nil)
	_ agentsession.Refresher = (*Backend)(nil)
	_ agentsession.Lister    = (*Backend)(nil)
)

// New returns an empty in-memory backend.
func New() *Backend { return &Backend{sessions: map[string]*session{}, now: time.Now} }

// live returns session id if it exists and has not expired, dropping it if it
// has. b.mu must be held.
func (b *Backend) live(id string, now time.Time) *session {
	s := b.sessions[id]
	if s != nil && !s.expires.IsZero() && !now.Before(s.expires) {
		delete(b.sessions, id)
		return nil
	}
	return s
}

// Items implements agentsession.Backend.
func (b *Backend) Items(ctx context.Context, id string, limit int) ([][]byte, error) {
	return b.ItemsRefresh(ctx, id, limit, 0)
}

// ItemsRefresh implements agentsession.Refresher.
func (b *Backend) ItemsRefresh(ctx context.Context, id string, limit int, ttl time.Duration) ([][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	s := b.live(id, now)
	if s == nil {
		return nil, nil
	}
	if ttl > 0 {
		s.expires = now.Add(ttl)
	}
	items := s.items
	if limit > 0 && limit < len(items) {
		items = items[len(items)-limit:]
	}
	return cloneAll(items), nil
}

// Append implements agentsession.Backend.
func (b *Backend) Append(ctx context.Context, id string, items [][]byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	s := b.live(id, now)
	if s == nil {
		s = &session{}
		b.sessions[id] = s
	}
	s.items = append(s.items, cloneAll(items)...)
	s.updated = now
	if ttl > 0 {
		s.expires = now.Add(ttl)
	}
	return nil
}

// Pop implements agentsession.Backend.
func (b *Backend) Pop(ctx context.Context, id string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.live(id, b.now())
	if s == nil || len(s.items) == 0 {
		return nil, nil
	}
	last := s.items[len(s.items)-1]
	s.items[len(s.items)-1] = nil
	s.items = s.items[:len(s.items)-1]
	if len(s.items) == 0 {
		delete(b.sessions, id) // as in Redis: no items, no session
	} else {
		s.updated = b.now()
	}
	return last, nil
}

// Clear implements agentsession.Backend.
func (b *Backend) Clear(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.sessions, id)
	return nil
}

// List implements agentsession.Lister, in order of session ID; the cursor is
// the last ID of the previous page.
func (b *Backend) List(ctx context.Context, cursor string, limit int) ([]agentsession.SessionInfo, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	ids := make([]string, 0, len(b.sessions))
	for id := range b.sessions {
		if id > cursor && b.live(id, now) != nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	next := ""
	if len(ids) > limit {
		ids = ids[:limit]
		next = ids[limit-1]
	}
	page := make([]agentsession.SessionInfo, len(ids))
	for i, id := range ids {
		s := b.sessions[id]
		page[i] = agentsession.SessionInfo{ID: id, Items: len(s.items), UpdatedAt: s.updated}
		if !s.expires.IsZero() {
			page[i].TTL = s.expires.Sub(now)
		}
	}
	return page, next, nil
}

// Purge drops every expired session and returns how many it dropped.
func (b *Backend) Purge(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now, n := b.now(), 0
	for id := range b.sessions {
		if b.live(id, now) == nil {
			n++
		}
	}
	return n, nil
}

// cloneAll copies items, so that callers and the store never share memory.
func cloneAll(items [][]byte) [][]byte {
	if len(items) == 0 {
		return nil
	}
	out := make([][]byte, len(items))
	for i, it := range items {
		out[i] = slices.Clone(it)
	}
	return out
}
