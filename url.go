package agentsession

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"sync"

	"github.com/agentsession/agentsession/internal/urlopt"
)

// ErrUnknownScheme is returned by OpenStore for a URL whose scheme no imported
// backend package has registered.
var ErrUnknownScheme = errors.New("agentsession: unknown store URL scheme")

// Opener opens a Backend from a URL. Backend packages register one per scheme
// with Register. It must reject query parameters it does not know, and the
// Backend it returns should implement io.Closer when it holds resources of its
// own (a client it made, a database it opened).
type Opener func(ctx context.Context, u *url.URL) (Backend, error)

var (
	openersMu sync.RWMutex
	openers   = map[string]Opener{}
)

// Register makes a URL scheme ("redis", "sqlite") open backends with open.
// Backend packages call it from init. It panics if scheme is registered twice
// or open is nil, as database/sql's Register does: both are programming
// errors, found when the program starts.
func Register(scheme string, open Opener) {
	openersMu.Lock()
	defer openersMu.Unlock()
	if open == nil {
		panic("agentsession: Register of scheme " + scheme + " with a nil Opener")
	}
	if _, dup := openers[scheme]; dup {
		panic("agentsession: Register called twice for scheme " + scheme)
	}
	openers[scheme] = open
}

// Schemes returns the registered URL schemes, sorted.
func Schemes() []string {
	openersMu.RLock()
	defer openersMu.RUnlock()
	var s []string
	for k := range openers {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

// Store is a Backend opened from a URL, with the session options the URL gave.
type Store struct {
	Backend Backend
	Options Options // from the URL's ttl and sliding_ttl parameters
}

// OpenStore opens the store named by a URL, such as
// "redis://localhost:6379/0?key_prefix=app&ttl=24h". The scheme picks the
// backend, whose package must be imported (for its init) to register it.
// Every backend takes two parameters of the sessions it stores:
//
//   - ttl: the Options.TTL of its sessions, as a Go duration ("24h", "90s") or
//     whole seconds; default none
//   - sliding_ttl: true to refresh the TTL on reads too (Options.SlidingTTL)
//
// Every other parameter is the backend's; an unknown one is an error. Close
// the Store when done with it.
func OpenStore(ctx context.Context, rawURL string) (*Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("agentsession: open store: %w", redactErr(err))
	}
	openersMu.RLock()
	open, ok := openers[u.Scheme]
	openersMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q in %s (registered: %v; import the backend's package)", ErrUnknownScheme, u.Scheme, Redact(rawURL), Schemes())
	}
	q := urlopt.New(u)
	ttl, err := q.Duration("ttl", 0)
	if err != nil {
		return nil, fmt.Errorf("agentsession: open store %s: %w", Redact(rawURL), err)
	}
	sliding, err := q.Bool("sliding_ttl", false)
	if err != nil {
		return nil, fmt.Errorf("agentsession: open store %s: %w", Redact(rawURL), err)
	}
	opts := Options{TTL: ttl, SlidingTTL: sliding}
	// The backend sees the URL without the session parameters.
	rest := *u
	rest.RawQuery = q.Rest().Encode()
	b, err := open(ctx, &rest)
	if err != nil {
		return nil, fmt.Errorf("agentsession: open store %s: %w", Redact(rawURL), err)
	}
	if err := opts.check(b); err != nil {
		if c, ok := b.(io.Closer); ok {
			c.Close()
		}
		return nil, err
	}
	return &Store{Backend: b, Options: opts}, nil
}

// Session returns the session id in the store, with the store's options.
func (s *Store) Session(id string) (*Session, error) {
	if s == nil {
		return nil, ErrNilBackend
	}
	return New(s.Backend, id, &s.Options)
}

// Close releases what the backend opened, if anything.
func (s *Store) Close() error {
	if s == nil {
		return nil
	}
	if c, ok := s.Backend.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// Redact returns rawURL with its password replaced by "xxxxx", for messages
// and logs.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(an unparsable URL)"
	}
	return u.Redacted()
}

// redactErr keeps url.Parse errors from echoing a password.
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("invalid URL: %w", ue.Err)
	}
	return err
}
