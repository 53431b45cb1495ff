package redissession

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/agentsession/agentsession"
	"github.com/redis/go-redis/v9"
)

// List implements agentsession.Lister with SCAN over the keys
// "{KeyPrefix}:*" (the prefix's glob characters escaped; never KEYS), and
// LLEN and PTTL for each key found, pipelined. On a Cluster it scans each
// master in turn, in order of address. The cursor holds the node, SCAN's own
// cursor and how many keys of SCAN's batch were listed already.
//
// SCAN's guarantees carry over: pages come in a stable order while the keys
// stay the same, every session present from the first page to the last is
// listed, and one may be listed twice if keys are added meanwhile. Redis keeps
// no time of the last write, so UpdatedAt is zero. Keys of another prefix
// that begins with this one and a ":" ("app:x" under "app") are listed too.
func (b *Backend) List(ctx context.Context, cursor string, limit int) ([]agentsession.SessionInfo, string, error) {
	node, scan, skip, err := parseCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	nodes, err := b.nodes(ctx)
	if err != nil {
		return nil, "", err
	}
	match := escapeGlob(b.prefix) + ":*"
	count := int64(max(limit, 100))
	var page []agentsession.SessionInfo
	for node < len(nodes) {
		keys, next, err := nodes[node].Scan(ctx, scan, match, count).Result()
		if err != nil {
			return nil, "", err
		}
		keys = keys[min(skip, len(keys)):]
		infos, err := b.describe(ctx, nodes[node], keys)
		if err != nil {
			return nil, "", err
		}
		for i, info := range infos {
			if len(page) == limit {
				// Full: the next page starts again at this batch, past the
				// keys listed so far.
				return page, fmt.Sprintf("%d/%d/%d", node, scan, skip+i), nil
			}
			if info.Items > 0 {
				page = append(page, info)
			}
		}
		skip = 0
		if scan = next; scan == 0 {
			node++
		}
		if len(page) == limit {
			break
		}
	}
	if node >= len(nodes) {
		return page, "", nil
	}
	return page, fmt.Sprintf("%d/%d/0", node, scan), nil
}

// describe returns the info of each key, with Items 0 for keys that are gone
// or not lists.
func (b *Backend) describe(ctx context.Context, c redis.Cmdable, keys []string) ([]agentsession.SessionInfo, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	lens := make([]*redis.IntCmd, len(keys))
	ttls := make([]*redis.DurationCmd, len(keys))
	_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			lens[i] = p.LLen(ctx, k)
			ttls[i] = p.PTTL(ctx, k)
		}
		return nil
	})
	if err != nil && !isReplyError(err) {
		return nil, err
	}
	infos := make([]agentsession.SessionInfo, len(keys))
	for i, k := range keys {
		infos[i].ID = strings.TrimPrefix(k, b.prefix+":")
		n, err := lens[i].Result()
		if err != nil { // WRONGTYPE: not a session
			continue
		}
		ttl := ttls[i].Val() // -2 (ns): no such key (gone meanwhile); -1: no expiry
		if ttl == -2 {
			continue
		}
		infos[i].Items = int(n)
		if ttl > 0 {
			infos[i].TTL = ttl
		}
	}
	return infos, nil
}

// nodes returns what List scans: the client, or a Cluster's masters in order
// of address.
func (b *Backend) nodes(ctx context.Context) ([]redis.Cmdable, error) {
	cc, ok := b.client.(*redis.ClusterClient)
	if !ok {
		return []redis.Cmdable{b.client}, nil
	}
	type master struct {
		addr   string
		client *redis.Client
	}
	var (
		mu      sync.Mutex
		masters []master
	)
	err := cc.ForEachMaster(ctx, func(_ context.Context, c *redis.Client) error { // runs them at once
		mu.Lock()
		defer mu.Unlock()
		masters = append(masters, master{c.Options().Addr, c})
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(masters, func(a, b master) int { return cmp.Compare(a.addr, b.addr) })
	nodes := make([]redis.Cmdable, len(masters))
	for i, m := range masters {
		nodes[i] = m.client
	}
	return nodes, nil
}

func parseCursor(cursor string) (node int, scan uint64, skip int, err error) {
	if cursor == "" {
		return 0, 0, 0, nil
	}
	if _, err := fmt.Sscanf(cursor, "%d/%d/%d", &node, &scan, &skip); err != nil || node < 0 || skip < 0 {
		return 0, 0, 0, fmt.Errorf("redissession: invalid list cursor %q", cursor)
	}
	return node, scan, skip, nil
}

// escapeGlob escapes the characters that SCAN MATCH treats as a pattern.
func escapeGlob(s string) string {
	var b strings.Builder
	for i := range len(s) { // bytes, not runes: a prefix need not be UTF-8
		switch s[i] {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// isReplyError reports whether err is an error reply of Redis (such as
// WRONGTYPE for one command of a pipeline), as opposed to a network error.
func isReplyError(err error) bool {
	_, ok := err.(redis.Error)
	return ok && !strings.HasPrefix(err.Error(), "LOADING")
}
