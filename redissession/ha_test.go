package redissession_test

// Fault tests on real replicated servers: a 3-master Redis Cluster with a
// replica per master (AGENTSESSION_REDIS_HA_CLUSTER_ADDRS) and a master with a
// replica watched by 3 Sentinels (AGENTSESSION_REDIS_HA_SENTINEL_ADDRS,
// AGENTSESSION_REDIS_HA_SENTINEL_MASTER); .ci/start-redis-ha.sh starts them.
// The failover tests fail a master over in the middle of a load of adds and
// then account for every batch: docs/reliability-ha.md has the figures.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/internal/testenv"
	"github.com/agentsession/agentsession/redissession"
	"github.com/agentsession/agentsession/sessiontest"
	"github.com/redis/go-redis/v9"
)

// Shape and bounds of the failover load.
const (
	haSessions   = 1000
	haWorkers    = 16
	haBatch      = 2                      // items per AddItems
	haBefore     = 700 * time.Millisecond // load before the failover starts
	haAfter      = 1 * time.Second        // load after the new master serves
	haAddTimeout = 5 * time.Second        // one AddItems, retries included
	haDeadline   = 20 * time.Second       // load, failover and checks
)

// haClusterClient returns a Cluster client of the HA cluster, closed when t
// ends. It follows redirections and retries for longer than the default, so
// that it rides out a failover.
func haClusterClient(t *testing.T) *redis.ClusterClient {
	t.Helper()
	addrs := testenv.Get(t, "AGENTSESSION_REDIS_HA_CLUSTER_ADDRS", "a Redis Cluster of 3 masters with a replica each (.ci/start-redis-ha.sh)")
	c := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:           strings.Split(addrs, ","),
		MaxRedirects:    16,
		MinRetryBackoff: 10 * time.Millisecond,
		MaxRetryBackoff: 200 * time.Millisecond,
	})
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(t.Context()).Err(); err != nil {
		t.Fatalf("HA Redis Cluster at %s does not answer: %v", addrs, err)
	}
	return c
}

// haSentinel returns the Sentinel addresses and the master's name.
func haSentinel(t *testing.T) ([]string, string) {
	t.Helper()
	addrs := testenv.Get(t, "AGENTSESSION_REDIS_HA_SENTINEL_ADDRS", "3 Redis Sentinels watching a master with a replica (.ci/start-redis-ha.sh)")
	master := testenv.Get(t, "AGENTSESSION_REDIS_HA_SENTINEL_MASTER", "the name of the master the HA Sentinels watch")
	return strings.Split(addrs, ","), master
}

// haFailoverClient returns a Sentinel failover client of the HA master,
// closed when t ends, that retries for longer than the default.
func haFailoverClient(t *testing.T) *redis.Client {
	t.Helper()
	sentinels, master := haSentinel(t)
	c := redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName:      master,
		SentinelAddrs:   sentinels,
		MaxRetries:      16,
		MinRetryBackoff: 10 * time.Millisecond,
		MaxRetryBackoff: 200 * time.Millisecond,
	})
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(t.Context()).Err(); err != nil {
		t.Fatalf("HA Redis through Sentinel at %v does not answer: %v", sentinels, err)
	}
	return c
}

func TestHAClusterConformance(t *testing.T) {
	sessiontest.Run(t, factory(haClusterClient(t)))
}

func TestHASentinelConformance(t *testing.T) {
	sessiontest.Run(t, factory(haFailoverClient(t)))
}

// TestHAClusterFailover adds batches to 1,000 sessions spread over the 3
// masters from 16 goroutines while one master is failed over by hand
// (CLUSTER FAILOVER on its replica), then checks that every acknowledged batch
// is stored exactly once, whole and in order, and every failed one at most
// once.
func TestHAClusterFailover(t *testing.T) {
	c := haClusterClient(t)
	ctx, cancel := context.WithTimeout(t.Context(), haDeadline)
	defer cancel()
	b, err := redissession.New(c, &redissession.Options{KeyPrefix: sessiontest.UniquePrefix(t)})
	if err != nil {
		t.Fatal(err)
	}

	// The sessions' keys must land on every master.
	perMaster := map[string]int{}
	for i := range haSessions {
		m, err := c.MasterForKey(ctx, b.Key(haID(i)))
		if err != nil {
			t.Fatalf("MasterForKey: %v", err)
		}
		perMaster[m.Options().Addr]++
	}
	if len(perMaster) != 3 {
		t.Fatalf("the %d sessions' keys are on %d masters, want 3: %v", haSessions, len(perMaster), perMaster)
	}
	t.Logf("sessions per master: %v", perMaster)

	// Fail over the master of the first session, through its replica.
	m, err := c.MasterForKey(ctx, b.Key(haID(0)))
	if err != nil {
		t.Fatal(err)
	}
	oldMaster := m.Options().Addr
	replicaAddr := haClusterReplicaOf(ctx, t, m)
	replica := redis.NewClient(&redis.Options{Addr: replicaAddr})
	defer replica.Close()
	haWaitFor(ctx, t, "the replica "+replicaAddr+" to be in sync", func() bool { return haLinkUp(ctx, replica) })

	failover := func() (time.Duration, error) {
		start := time.Now()
		if err := replica.Do(ctx, "CLUSTER", "FAILOVER").Err(); err != nil {
			return 0, fmt.Errorf("CLUSTER FAILOVER on %s: %w", replicaAddr, err)
		}
		for haRole(ctx, replica) != "master" {
			if ctx.Err() != nil {
				return 0, fmt.Errorf("%s is not master after %v", replicaAddr, time.Since(start))
			}
			time.Sleep(5 * time.Millisecond)
		}
		return time.Since(start), nil
	}
	figures := haRun(ctx, t, b, failover)
	t.Logf("failed over %s to %s", oldMaster, replicaAddr)
	figures.report(t, true)

	// Leave the cluster as it was meant to be: the old master is now a replica
	// of the new one; wait until it is in sync.
	old := redis.NewClient(&redis.Options{Addr: oldMaster})
	defer old.Close()
	haWaitFor(ctx, t, "the old master "+oldMaster+" to be a replica in sync", func() bool {
		return haRole(ctx, old) == "slave" && haLinkUp(ctx, old)
	})
}

// TestHASentinelFailover is TestHAClusterFailover through a Sentinel failover
// client, with the failover started by SENTINEL FAILOVER.
func TestHASentinelFailover(t *testing.T) {
	c := haFailoverClient(t)
	sentinels, name := haSentinel(t)
	ctx, cancel := context.WithTimeout(t.Context(), haDeadline)
	defer cancel()
	// Each add waits for the replica (WAIT), so an acknowledged add survives
	// the failover: without it, the old master acknowledges writes for about
	// a second after its replica was promoted, and those are lost.
	b, err := redissession.New(c, &redissession.Options{KeyPrefix: sessiontest.UniquePrefix(t), WaitReplicas: 1, WaitTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sentinel := redis.NewSentinelClient(&redis.Options{Addr: sentinels[0]})
	defer sentinel.Close()
	masterAddr := func() string {
		a, err := sentinel.GetMasterAddrByName(ctx, name).Result()
		if err != nil || len(a) != 2 {
			return ""
		}
		return a[0] + ":" + a[1]
	}
	oldMaster := masterAddr()
	if oldMaster == "" {
		t.Fatalf("sentinel %s does not know master %s", sentinels[0], name)
	}
	// A replica that Sentinel would promote: in sync, seen by Sentinel as up.
	haWaitFor(ctx, t, "Sentinel to see a replica in sync", func() bool {
		reps, err := sentinel.Replicas(ctx, name).Result()
		if err != nil {
			return false
		}
		for _, r := range reps {
			if r["flags"] == "slave" && r["master-link-status"] == "ok" {
				rc := redis.NewClient(&redis.Options{Addr: r["ip"] + ":" + r["port"]})
				up := haLinkUp(ctx, rc)
				rc.Close()
				if up {
					return true
				}
			}
		}
		return false
	})

	var newMaster string
	failover := func() (time.Duration, error) {
		start := time.Now()
		if err := sentinel.Failover(ctx, name).Err(); err != nil {
			return 0, fmt.Errorf("SENTINEL FAILOVER %s: %w", name, err)
		}
		for {
			if a := masterAddr(); a != "" && a != oldMaster {
				newMaster = a
				return time.Since(start), nil
			}
			if ctx.Err() != nil {
				return 0, fmt.Errorf("sentinel still names %s as master after %v", oldMaster, time.Since(start))
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	figures := haRun(ctx, t, b, failover)
	t.Logf("failed over %s to %s", oldMaster, newMaster)
	figures.report(t, true)

	// Sentinel turns the old master into a replica of the new one only some 8
	// s after it sees it still claim to be master; do now what it would do, so
	// that the next test soon finds a master with a replica in sync.
	old := redis.NewClient(&redis.Options{Addr: oldMaster})
	defer old.Close()
	host, port, _ := strings.Cut(newMaster, ":")
	if err := old.ReplicaOf(ctx, host, port).Err(); err != nil {
		t.Fatalf("REPLICAOF %s on the old master %s: %v", newMaster, oldMaster, err)
	}
	start := time.Now()
	haWaitFor(ctx, t, "the old master "+oldMaster+" to be a replica in sync", func() bool {
		return haRole(ctx, old) == "slave" && haLinkUp(ctx, old)
	})
	t.Logf("the old master was a replica in sync %v later", time.Since(start).Round(time.Millisecond))
}

// haID is the ID of session i of the failover load.
func haID(i int) string { return fmt.Sprintf("s%04d", i) }

// haItem is one item of the failover load: batch Seq of session S, item I.
type haItem struct {
	S   int `json:"s"`
	Seq int `json:"b"`
	I   int `json:"i"`
}

// haOutcome is how one add of the failover load ended.
type haOutcome uint8

const (
	haFailed      haOutcome = iota // AddItems returned an error
	haAckedBefore                  // acknowledged before the failover started
	haAckedDuring                  // acknowledged after that
)

// haFigures are the outcome of one failover run.
type haFigures struct {
	attempted, acked, failed int
	ackedBefore              int // acknowledged before the failover started
	failedStored             int // failed adds whose batch is stored all the same
	lost, duplicated         int // acknowledged batches missing, batches stored twice
	lostBefore               int // lost batches acknowledged before the failover started
	failover                 time.Duration
	slowest                  time.Duration // the longest AddItems
	load                     time.Duration
	firstErr                 error
}

// report logs f, and fails t if a batch is stored twice or, when
// strict, if an acknowledged batch is lost; when not strict, only if one
// acknowledged before the failover started is lost.
func (f haFigures) report(t *testing.T, strict bool) {
	t.Helper()
	t.Logf("adds attempted %d, acknowledged %d (%d before the failover started), failed %d (of which stored %d); "+
		"lost %d (%d acknowledged before the failover started), duplicated %d; "+
		"failover %v; slowest add %v; load ran %v (%.0f adds/s)",
		f.attempted, f.acked, f.ackedBefore, f.failed, f.failedStored, f.lost, f.lostBefore, f.duplicated,
		f.failover.Round(time.Millisecond), f.slowest.Round(time.Millisecond), f.load.Round(time.Millisecond),
		float64(f.attempted)/f.load.Seconds())
	if f.firstErr != nil {
		t.Logf("first failed add: %v", f.firstErr)
	}
	if f.duplicated != 0 {
		t.Errorf("%d batches stored twice; want none", f.duplicated)
	}
	switch {
	case strict && f.lost != 0:
		t.Errorf("%d acknowledged batches lost; want none", f.lost)
	case f.lostBefore != 0:
		t.Errorf("%d batches acknowledged before the failover started lost; want none", f.lostBefore)
	case f.lost != 0:
		t.Logf("%d batches acknowledged during the failover lost: the old master acknowledged them "+
			"after its replica was promoted (asynchronous replication; see docs/reliability-ha.md)", f.lost)
	}
}

// haRun runs the load on b's sessions haSessions, calls failover (which
// returns how long the failover took) after haBefore, keeps the load going
// for haAfter after it, then reads every session back and accounts for every
// batch. Worker w owns the sessions i with i%haWorkers == w, so a session's
// batches are added one after the other, in Seq order.
func haRun(ctx context.Context, t *testing.T, b *redissession.Backend, failover func() (time.Duration, error)) haFigures {
	t.Helper()
	// outcome[s][seq]: how the add of batch seq to session s ended.
	outcome := make([][]haOutcome, haSessions)
	var (
		failing  atomic.Int64 // when the failover started, in ns since started
		stop     atomic.Bool
		slowest  atomic.Int64
		wg       sync.WaitGroup
		errMu    sync.Mutex
		firstErr error
	)
	started := time.Now()
	for w := range haWorkers {
		wg.Go(func() {
			var sessions []*agentsession.Session
			var ids []int
			for i := w; i < haSessions; i += haWorkers {
				// Half the sessions with a TTL: the Lua append path.
				var opts *agentsession.Options
				if i%2 == 0 {
					opts = &agentsession.Options{TTL: time.Hour}
				}
				s, err := agentsession.New(b, haID(i), opts)
				if err != nil {
					panic(err) // a valid ID and options
				}
				sessions = append(sessions, s)
				ids = append(ids, i)
			}
			for n := 0; !stop.Load() && ctx.Err() == nil; n++ {
				k := n % len(sessions)
				i := ids[k]
				seq := len(outcome[i])
				batch := make([]json.RawMessage, haBatch)
				for j := range batch {
					batch[j] = json.RawMessage(fmt.Sprintf(`{"s":%d,"b":%d,"i":%d}`, i, seq, j))
				}
				actx, cancel := context.WithTimeout(ctx, haAddTimeout)
				t0 := time.Now()
				err := sessions[k].AddItems(actx, batch)
				d := time.Since(t0)
				cancel()
				for {
					old := slowest.Load()
					if int64(d) <= old || slowest.CompareAndSwap(old, int64(d)) {
						break
					}
				}
				o := haFailed
				if err == nil {
					o = haAckedDuring
					if f := failing.Load(); f == 0 || int64(time.Since(started)) < f {
						o = haAckedBefore
					}
				}
				outcome[i] = append(outcome[i], o)
				if err != nil {
					errMu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					errMu.Unlock()
				}
			}
		})
	}

	var f haFigures
	time.Sleep(haBefore)
	failing.Store(int64(time.Since(started)))
	d, err := failover()
	if err != nil {
		stop.Store(true)
		wg.Wait()
		t.Fatal(err)
	}
	f.failover = d
	time.Sleep(haAfter)
	stop.Store(true)
	wg.Wait()
	f.load = time.Since(started)
	f.slowest = time.Duration(slowest.Load())
	f.firstErr = firstErr
	if ctx.Err() != nil {
		t.Fatalf("the load did not finish within %v", haDeadline)
	}

	// Read every session back. A read may need a retry while the cluster
	// settles.
	for i := range haSessions {
		for _, o := range outcome[i] {
			f.attempted++
			switch o {
			case haFailed:
				f.failed++
			case haAckedBefore:
				f.acked++
				f.ackedBefore++
			default:
				f.acked++
			}
		}
		s, err := agentsession.New(b, haID(i), nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []json.RawMessage
		haWaitFor(ctx, t, "reading session "+haID(i), func() bool {
			got, err = s.GetItems(ctx, 0)
			return err == nil
		})
		stored := map[int]int{} // seq -> times stored
		var seqs []int          // batches in stored order
		for at := 0; at < len(got); at += haBatch {
			var first haItem
			if err := json.Unmarshal(got[at], &first); err != nil {
				t.Fatalf("session %d item %d: %s: %v", i, at, got[at], err)
			}
			for j := range haBatch {
				want := fmt.Sprintf(`{"s":%d,"b":%d,"i":%d}`, i, first.Seq, j)
				if at+j >= len(got) || string(got[at+j]) != want {
					t.Fatalf("session %d: batch %d is not stored whole at %d: want %s, got %s", i, first.Seq, at, want, got[at:])
				}
			}
			if first.Seq < 0 || first.Seq >= len(outcome[i]) {
				t.Fatalf("session %d holds batch %d, which was never added", i, first.Seq)
			}
			stored[first.Seq]++
			seqs = append(seqs, first.Seq)
		}
		if !slices.IsSorted(seqs) {
			t.Errorf("session %d: batches out of order: %v", i, seqs)
		}
		for seq, o := range outcome[i] {
			switch n := stored[seq]; {
			case n > 1:
				f.duplicated++
			case o != haFailed && n == 0:
				f.lost++
				if o == haAckedBefore {
					f.lostBefore++
				}
			case o == haFailed && n == 1:
				f.failedStored++
			}
		}
	}
	return f
}

// haClusterReplicaOf returns the address of a replica of master m, from
// CLUSTER NODES.
func haClusterReplicaOf(ctx context.Context, t *testing.T, m *redis.Client) string {
	t.Helper()
	id, err := m.ClusterMyID(ctx).Result()
	if err != nil {
		t.Fatalf("CLUSTER MYID: %v", err)
	}
	nodes, err := m.ClusterNodes(ctx).Result()
	if err != nil {
		t.Fatalf("CLUSTER NODES: %v", err)
	}
	// <id> <ip:port@cport> <flags> <master id> ...
	for line := range strings.Lines(nodes) {
		f := strings.Fields(line)
		if len(f) >= 4 && f[3] == id && strings.Contains(f[2], "slave") && !strings.Contains(f[2], "fail") {
			addr, _, _ := strings.Cut(f[1], "@")
			return addr
		}
	}
	t.Fatalf("master %s (%s) has no replica:\n%s", m.Options().Addr, id, nodes)
	return ""
}

// haRole is the first element of ROLE: "master", "slave", or "" on an error.
func haRole(ctx context.Context, c *redis.Client) string {
	v, err := c.Do(ctx, "ROLE").Slice()
	if err != nil || len(v) == 0 {
		return ""
	}
	s, _ := v[0].(string)
	return s
}

// haLinkUp reports whether c is a replica whose link to its master is up.
func haLinkUp(ctx context.Context, c *redis.Client) bool {
	info, err := c.Info(ctx, "replication").Result()
	return err == nil && strings.Contains(info, "master_link_status:up")
}

// haWaitFor polls cond every 20 ms until it holds, failing t if ctx ends first.
func haWaitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		if ctx.Err() != nil {
			t.Fatalf("gave up waiting for %s: %v", what, ctx.Err())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
