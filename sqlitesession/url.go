package sqlitesession

import (
	"context"
	"fmt"
	"net/url"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/internal/urlopt"
)

func init() {
	agentsession.Register("sqlite", func(ctx context.Context, u *url.URL) (agentsession.Backend, error) {
		path, opts, err := ParseURL(u)
		if err != nil {
			return nil, err
		}
		return Open(ctx, path, opts)
	})
}

// ParseURL returns the file path and the Options that a "sqlite" store URL
// names (see the package documentation for its forms), without opening
// anything. agentsession.OpenStore takes out the parameters ttl and
// sliding_ttl before its opener sees the URL; ParseURL rejects them, like
// every parameter but table_prefix and busy_timeout.
func ParseURL(u *url.URL) (string, *Options, error) {
	if u.Scheme != "sqlite" {
		return "", nil, fmt.Errorf("sqlitesession: URL scheme %q, want sqlite", u.Scheme)
	}
	var path string
	switch {
	case u.Opaque != "": // sqlite:relative/path.db
		p, err := url.PathUnescape(u.Opaque)
		if err != nil {
			return "", nil, fmt.Errorf("sqlitesession: path %q: %w", u.Opaque, err)
		}
		path = p
	case u.User != nil || u.Port() != "":
		return "", nil, fmt.Errorf("sqlitesession: a sqlite URL has no user or port")
	case u.Host == "": // sqlite:///abs/path.db
		path = u.Path
	case u.Host == "." || u.Host == "..": // sqlite://./rel.db, sqlite://../rel.db
		path = u.Host + u.Path
	default:
		return "", nil, fmt.Errorf("sqlitesession: URL names host %q: write sqlite:%s%s for a relative path or sqlite:///path for an absolute one", u.Host, u.Host, u.Path)
	}
	if path == "" || path == "/" {
		return "", nil, fmt.Errorf("sqlitesession: URL has no file path")
	}
	q := urlopt.New(u)
	busy, err := q.Duration("busy_timeout", 0)
	if err != nil {
		return "", nil, fmt.Errorf("sqlitesession: %w", err)
	}
	opts := &Options{TablePrefix: q.String("table_prefix", ""), BusyTimeout: busy}
	if err := q.Done(); err != nil {
		return "", nil, fmt.Errorf("sqlitesession: %w", err)
	}
	if _, err := opts.withDefaults(); err != nil {
		return "", nil, err
	}
	return path, opts, nil
}
