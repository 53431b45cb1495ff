package redissession

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/internal/urlopt"
	"github.com/redis/go-redis/v9"
)

// The URL schemes this package registers with agentsession.Register.
//
//   - redis://[user:password@]host:port/db, rediss:// for TLS: one server
//     (redis.ParseURL).
//   - redis+cluster://host:port?addr=host2:port2&addr=..., and
//     rediss+cluster://: a Redis Cluster, seeded by those nodes
//     (redis.ParseClusterURL).
//   - redis+sentinel://[user:password@]sentinel:port?master_name=NAME&addr=sentinel2:port,
//     and rediss+sentinel://: the master that the Sentinels name
//     (redis.ParseFailoverURL).
//
// Parameters: key_prefix (Options.KeyPrefix; default "openai_agents_session"),
// max_items (Options.MaxItems), idempotency (Options.Idempotency: a duration,
// or -1s to turn the tokens off), auto_pipeline (Options.AutoPipeline: true or
// false), watch_context (Options.WatchContext: true or false), and go-redis's own (dial_timeout, pool_size, ...; see its ParseURL), which
// reject any they do not know. The backend made from a URL owns its client:
// Close closes it.
var schemes = map[string]func(rawURL string) (redis.UniversalClient, error){
	"redis":           single,
	"rediss":          single,
	"redis+cluster":   cluster,
	"rediss+cluster":  cluster,
	"redis+sentinel":  sentinel,
	"rediss+sentinel": sentinel,
}

func init() {
	for scheme := range schemes {
		agentsession.Register(scheme, open)
	}
}

func single(rawURL string) (redis.UniversalClient, error) {
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return redis.NewClient(o), nil
}

func cluster(rawURL string) (redis.UniversalClient, error) {
	o, err := redis.ParseClusterURL(rawURL)
	if err != nil {
		return nil, err
	}
	return redis.NewClusterClient(o), nil
}

func sentinel(rawURL string) (redis.UniversalClient, error) {
	o, err := redis.ParseFailoverURL(rawURL)
	if err != nil {
		return nil, err
	}
	if o.MasterName == "" {
		return nil, fmt.Errorf("a Sentinel URL needs master_name=NAME")
	}
	return redis.NewFailoverClient(o), nil
}

// open is the agentsession.Opener of every scheme above.
func open(_ context.Context, u *url.URL) (agentsession.Backend, error) {
	q := urlopt.New(u)
	prefix := q.String("key_prefix", "")
	maxItems, err := q.Int("max_items", 0)
	if err != nil {
		return nil, err
	}
	idem, err := q.Duration("idempotency", 0)
	if err != nil {
		return nil, err
	}
	autoPipe, err := q.Bool("auto_pipeline", false)
	if err != nil {
		return nil, err
	}
	watch, err := q.Bool("watch_context", false)
	if err != nil {
		return nil, err
	}
	// go-redis parses the rest, with its own scheme and rules.
	rest := *u
	rest.Scheme = strings.TrimSuffix(strings.TrimSuffix(u.Scheme, "+cluster"), "+sentinel")
	rest.RawQuery = q.Rest().Encode()
	client, err := schemes[u.Scheme](rest.String())
	if err != nil {
		return nil, err
	}
	b, err := New(client, &Options{KeyPrefix: prefix, MaxItems: maxItems, Idempotency: idem, AutoPipeline: autoPipe, WatchContext: watch})
	if err != nil {
		client.Close()
		return nil, err
	}
	b.owned = client
	return b, nil
}

// Close closes the client if the Backend made it (from a URL); a client given
// to New is never closed.
func (b *Backend) Close() error {
	if b.owned == nil {
		return nil
	}
	return b.owned.Close()
}
