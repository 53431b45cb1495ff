// Package urlopt reads the query parameters of a store URL, so that every
// backend parses them alike and rejects the ones it does not know.
package urlopt

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Query is the query of a store URL, with a record of the parameters read.
type Query struct {
	v    url.Values
	used map[string]bool
}

// New returns the query of u.
func New(u *url.URL) *Query { return &Query{v: u.Query(), used: map[string]bool{}} }

// Has reports whether the parameter name is present.
func (q *Query) Has(name string) bool { q.used[name] = true; return q.v.Has(name) }

// String returns the parameter name, or def when absent.
func (q *Query) String(name, def string) string {
	q.used[name] = true
	if !q.v.Has(name) {
		return def
	}
	return q.v.Get(name)
}

// Duration returns the parameter name as a Go duration ("90s", "24h") or a
// whole number of seconds, or def when absent.
func (q *Query) Duration(name string, def time.Duration) (time.Duration, error) {
	s := q.String(name, "")
	if s == "" {
		return def, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("parameter %s=%q: want a duration such as 90s or 24h, or whole seconds", name, s)
	}
	return d, nil
}

// Bool returns the parameter name as a boolean, or def when absent.
func (q *Query) Bool(name string, def bool) (bool, error) {
	s := q.String(name, "")
	if s == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("parameter %s=%q: want true or false", name, s)
	}
	return b, nil
}

// Int returns the parameter name as an integer, or def when absent.
func (q *Query) Int(name string, def int) (int, error) {
	s := q.String(name, "")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("parameter %s=%q: want a whole number", name, s)
	}
	return n, nil
}

// Rest returns the parameters not read yet, for a client library that parses
// its own (go-redis, pgx).
func (q *Query) Rest() url.Values {
	rest := url.Values{}
	for k, vs := range q.v {
		if !q.used[k] {
			rest[k] = vs
		}
	}
	return rest
}

// Done returns an error naming the parameters that were never read.
func (q *Query) Done() error {
	var unknown []string
	for k := range q.v {
		if !q.used[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	return fmt.Errorf("unknown parameter %s", strings.Join(unknown, ", "))
}
