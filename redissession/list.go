package redissession

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
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
// master in turn, in order of address. When a page fills in the middle of a
// SCAN batch, the rest of the batch travels in the cursor, since SCAN need
// not return the same batch twice.
//
// SCAN's guarantees carry over: every session present from the first page to
// the last is listed, and one may be listed twice if Redis resizes its tables
// meanwhile. Redis keeps no time of the last write, so UpdatedAt is zero. Keys
// of another prefix that begins with this one and a ":" ("app:x" under "app")
// are listed too.
func (b *Backend) List(ctx context.Context, cursor string, limit int) ([]agentsession.SessionInfo, string, error) {
	cur, err := parseCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	nodes, err := b.nodes(ctx)
	if err != nil {
		return nil, "", err
	}
	if cur.Node > len(nodes) || (cur.Node == len(nodes) && len(cur.Pending) > 0) {
		return nil, "", fmt.Errorf("redissession: list cursor %q is for another cluster", cursor)
	}
	match := escapeGlob(b.prefix) + ":*"
	count := int64(max(limit, 100))
	var page []agentsession.SessionInfo
	for len(page) < limit {
		if len(cur.Pending) > 0 {
			n := min(limit-len(page), len(cur.Pending))
			keys := make([]string, n)
			for i, k := range cur.Pending[:n] {
				keys[i] = string(k)
			}
			cur.Pending = cur.Pending[n:]
			infos, err := b.describe(ctx, nodes[cur.Node], keys) // pending keys are of this node
			if err != nil {
				return nil, "", err
			}
			for _, info := range infos {
				if info.Items > 0 {
					page = append(page, info)
				}
			}
			continue
		}
		if cur.Done { // SCAN finished this node and its keys are listed
			cur.Node, cur.Scan, cur.Done = cur.Node+1, 0, false
		}
		if cur.Node >= len(nodes) {
			break
		}
		keys, next, err := nodes[cur.Node].Scan(ctx, cur.Scan, match, count).Result()
		if err != nil {
			return nil, "", err
		}
		cur.Pending = make([][]byte, len(keys))
		for i, k := range keys {
			cur.Pending[i] = []byte(k)
		}
		cur.Scan, cur.Done = next, next == 0
	}
	if cur.Done && len(cur.Pending) == 0 {
		cur.Node, cur.Scan, cur.Done = cur.Node+1, 0, false
	}
	if cur.Node >= len(nodes) {
		return page, "", nil
	}
	return page, cur.encode(), nil
}

// listCursor is where a listing stands: the node, SCAN's cursor on it,
// whether SCAN has finished that node, and the keys SCAN returned that are not
// listed yet (bytes, as keys need not be UTF-8).
type listCursor struct {
	Node    int      `json:"n,omitempty"`
	Scan    uint64   `json:"c,omitempty"`
	Done    bool     `json:"d,omitempty"`
	Pending [][]byte `json:"k,omitempty"`
}

func (c listCursor) encode() string {
	b, _ := json.Marshal(c) // cannot fail: plain fields
	return base64.RawURLEncoding.EncodeToString(b)
}

func parseCursor(cursor string) (listCursor, error) {
	var c listCursor
	if cursor == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.Node < 0 {
		return listCursor{}, fmt.Errorf("redissession: invalid list cursor %q", cursor)
	}
	return c, nil
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
