package redissession_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/internal/testenv"
	"github.com/agentsession/agentsession/redissession"
	"github.com/agentsession/agentsession/sessiontest"
	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
)

// redisServer is a redis-server process of the test's own, started from the
// binary named by AGENTSESSION_REDIS_SERVER on a free loopback port, in a
// directory of the test; Cleanup kills it.
type redisServer struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	args []string

	mu  sync.Mutex
	cmd *exec.Cmd
}

// startRedisServer starts redis-server with args (besides bind, port and
// dir), and kills it when t ends. tlsPort starts it with "--port 0
// --tls-port P" instead of "--port P".
func startRedisServer(t testing.TB, tlsPort bool, args ...string) *redisServer {
	t.Helper()
	s := &redisServer{
		t:    t,
		bin:  testenv.Get(t, "AGENTSESSION_REDIS_SERVER", "a redis-server binary (for example /usr/bin/redis-server)"),
		dir:  t.TempDir(),
		port: freePort(t),
	}
	s.args = []string{"--bind", "127.0.0.1", "--dir", s.dir, "--logfile", filepath.Join(s.dir, "log"), "--save", ""}
	if tlsPort {
		s.args = append(s.args, "--port", "0", "--tls-port", strconv.Itoa(s.port))
	} else {
		s.args = append(s.args, "--port", strconv.Itoa(s.port))
	}
	s.args = append(s.args, args...)
	t.Cleanup(s.kill)
	s.start()
	return s
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (s *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// start starts the process (again, after kill, on the same port and dir).
func (s *redisServer) start() {
	s.t.Helper()
	cmd := exec.Command(s.bin, s.args...)
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("starting %s: %v", s.bin, err)
	}
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
}

// kill sends SIGKILL and waits for the process to end.
func (s *redisServer) kill() {
	s.mu.Lock()
	cmd := s.cmd
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Kill()
	cmd.Wait()
}

// waitReady waits until client's PING succeeds, or fails t after 10 s,
// showing the server's log.
func (s *redisServer) waitReady(client *redis.Client) {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := client.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
			s.t.Fatalf("redis-server on %s does not answer: %v\nlog:\n%s", s.addr(), err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Chaos load: writers goroutines each add batches of chaosBatch items to a
// session of their own; the server is killed after chaosBeforeKill, restarted
// chaosDown later, and the load goes on for chaosAfter.
const (
	chaosWriters    = 8
	chaosBatch      = 3
	chaosBeforeKill = time.Second
	chaosDown       = 500 * time.Millisecond
	chaosAfter      = 2 * time.Second
	chaosOpTimeout  = 300 * time.Millisecond // shorter than the outage: calls then fail
)

// TestChaosKillRestart SIGKILLs an AOF-persisted (appendfsync always)
// redis-server in the middle of a load of adds and restarts it on the same
// port and dir. While it is down the calls return errors (none panics); within
// 1 s of the restart adds succeed again; every acknowledged batch is stored
// exactly once, whole and in order, and an unacknowledged one at most once; no
// goroutine is left behind once the client is closed.
//
// It runs twice: with go-redis's retries off (MaxRetries -1), where each
// batch is sent once; and with its default retries (3), where a command whose
// reply was lost is sent again, and the add's token (Options.Idempotency)
// keeps the batch from landing twice.
func TestChaosKillRestart(t *testing.T) {
	for _, tc := range []struct {
		name       string
		maxRetries int
	}{
		{"NoRetries", -1},
		{"DefaultRetries", 0},
	} {
		t.Run(tc.name, func(t *testing.T) { chaosKillRestart(t, tc.maxRetries) })
	}
}

func chaosKillRestart(t *testing.T, maxRetries int) {
	srv := startRedisServer(t, false, "--appendonly", "yes", "--appendfsync", "always")
	// The goroutines of earlier tests (and their idle workers) are not ours.
	defer verifyNoLeaks(t, goleak.IgnoreCurrent())

	client := redis.NewClient(&redis.Options{
		Addr:         srv.addr(),
		MaxRetries:   maxRetries,
		DialTimeout:  200 * time.Millisecond,
		ReadTimeout:  500 * time.Millisecond,
		WriteTimeout: 500 * time.Millisecond,
	})
	clientClosed := false
	defer func() {
		if !clientClosed {
			client.Close()
		}
	}()
	srv.waitReady(client)
	prefix := sessiontest.UniquePrefix(t)
	store, err := redissession.New(client, &redissession.Options{KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}

	type outcome struct{ acked, failed []int } // batch numbers of one writer
	var (
		outcomes  [chaosWriters]outcome
		stop      atomic.Bool
		wg        sync.WaitGroup
		down      atomic.Bool  // between the kill and the restart
		restarted atomic.Int64 // UnixNano of the restart, 0 before
		firstOK   atomic.Int64 // UnixNano of the first add acknowledged after it
		downErrs  atomic.Int64 // adds that failed while the server was down
		panics    atomic.Int64
	)
	for w := range chaosWriters {
		wg.Go(func() {
			s, err := agentsession.New(store, fmt.Sprintf("w%d", w), sessiontest.WorkerOptions(w))
			if err != nil {
				t.Error(err)
				return
			}
			o := &outcomes[w]
			for b := 0; !stop.Load(); b++ {
				err := func() (err error) {
					defer func() {
						if r := recover(); r != nil {
							panics.Add(1)
							err = fmt.Errorf("panic: %v", r)
						}
					}()
					ctx, cancel := context.WithTimeout(t.Context(), chaosOpTimeout)
					defer cancel()
					return s.AddItems(ctx, chaosItems(w, b))
				}()
				if err != nil {
					o.failed = append(o.failed, b)
					if down.Load() {
						downErrs.Add(1)
					}
					time.Sleep(5 * time.Millisecond)
					continue
				}
				o.acked = append(o.acked, b)
				if r := restarted.Load(); r != 0 {
					firstOK.CompareAndSwap(0, time.Now().UnixNano())
				}
			}
		})
	}

	time.Sleep(chaosBeforeKill)
	killed := time.Now()
	down.Store(true)
	srv.kill()
	time.Sleep(chaosDown)
	restartAt := time.Now()
	restarted.Store(restartAt.UnixNano())
	down.Store(false)
	srv.start()
	time.Sleep(chaosAfter)
	stop.Store(true)
	wg.Wait()

	if n := panics.Load(); n > 0 {
		t.Errorf("%d calls panicked", n)
	}
	if downErrs.Load() == 0 {
		t.Errorf("no add failed while the server was down")
	}
	var recovery time.Duration
	if ok := firstOK.Load(); ok == 0 {
		t.Errorf("no add succeeded in the %v after the restart", chaosAfter)
	} else {
		recovery = time.Duration(ok - restartAt.UnixNano())
		if recovery > time.Second {
			t.Errorf("first add acknowledged %v after the restart, want within 1s", recovery)
		}
	}

	// What is stored: every acknowledged batch exactly once, an unacknowledged
	// one at most once, each whole and in order of its number.
	var attempted, acked, failed, failedStored, lost, duplicated int
	for w := range chaosWriters {
		o := outcomes[w]
		attempted += len(o.acked) + len(o.failed)
		acked += len(o.acked)
		failed += len(o.failed)
		vals, err := client.LRange(t.Context(), store.Key(fmt.Sprintf("w%d", w)), 0, -1).Result()
		if err != nil {
			t.Fatal(err)
		}
		count := map[int]int{}
		last := -1
		for i := 0; i < len(vals); i += chaosBatch {
			var it struct{ W, B, I int }
			if err := json.Unmarshal([]byte(vals[i]), &it); err != nil {
				t.Fatalf("writer %d item %d %q: %v", w, i, vals[i], err)
			}
			for j := range chaosBatch {
				if i+j >= len(vals) || vals[i+j] != string(chaosItems(w, it.B)[j]) {
					t.Fatalf("writer %d: batch %d is not stored whole at %d", w, it.B, i)
				}
			}
			if it.W != w || it.B <= last && count[it.B] == 0 {
				t.Fatalf("writer %d: batch %+v out of order after batch %d", w, it, last)
			}
			last = it.B
			count[it.B]++
		}
		for _, b := range o.acked {
			switch n := count[b]; {
			case n == 0:
				lost++
			case n > 1:
				duplicated++
			}
		}
		for _, b := range o.failed {
			if count[b] > 1 {
				duplicated++
			}
			if count[b] == 1 {
				failedStored++
			}
		}
	}
	t.Logf("%d writers: %d adds attempted, %d acknowledged, %d failed (%d while the server was down; %d stored all the same); "+
		"down %v (SIGKILL to restart), first add acknowledged %v after the restart; lost %d, duplicated %d",
		chaosWriters, attempted, acked, failed, downErrs.Load(), failedStored, restartAt.Sub(killed).Round(time.Millisecond),
		recovery.Round(time.Millisecond), lost, duplicated)
	if lost > 0 || duplicated > 0 {
		t.Errorf("lost %d acknowledged batches, stored %d batches twice", lost, duplicated)
	}
	client.Close()
	clientClosed = true
}

// verifyNoLeaks fails t if goroutines other than those opts ignore are still
// running 5 s from now. goleak's own retries give up within a second, before
// redissession's idle workers (see await.go) and go-redis's dial probe, which
// sleeps 1 s between tries, end on their own.
func verifyNoLeaks(t *testing.T, opts ...goleak.Option) {
	t.Helper()
	start := time.Now()
	for {
		err := goleak.Find(opts...)
		if err == nil {
			t.Logf("no goroutine left %v after the client closed", time.Since(start).Round(10*time.Millisecond))
			return
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("goroutines left 5s after the client closed: %v", err)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// chaosItems is batch b of writer w.
func chaosItems(w, b int) []json.RawMessage {
	out := make([]json.RawMessage, chaosBatch)
	for i := range out {
		out[i] = json.RawMessage(fmt.Sprintf(`{"w":%d,"b":%d,"i":%d}`, w, b, i))
	}
	return out
}
