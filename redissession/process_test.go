package redissession_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/redissession"
	"github.com/agentsession/agentsession/sessiontest"
	"github.com/redis/go-redis/v9"
)

const (
	processes          = 4
	workersPerProcess  = 8
	roundsPerWorker    = 25
	helperProcessEnv   = "AGENTSESSION_TEST_PROCESS"
	helperProcessFirst = "AGENTSESSION_TEST_FIRST_WORKER"
)

// TestManyProcesses runs the add-and-pop workload from several processes at
// once, each with its own client and connections, on one session: nothing is
// lost, popped twice, split or interleaved.
func TestManyProcesses(t *testing.T) {
	client := newClient(t)
	prefix := sessiontest.UniquePrefix(t)
	store, err := redissession.New(client, &redissession.Options{KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu     sync.Mutex
		popped []json.RawMessage
		wg     sync.WaitGroup
	)
	for p := range processes {
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), helperProcessEnv+"="+prefix, helperProcessFirst+"="+strconv.Itoa(p*workersPerProcess))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				mu.Lock()
				popped = append(popped, json.RawMessage(bytes.Clone(sc.Bytes())))
				mu.Unlock()
			}
			if err := cmd.Wait(); err != nil {
				t.Errorf("process %d: %v\n%s", p, err, stderr.Bytes())
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	s, err := agentsession.New(store, "shared", nil)
	if err != nil {
		t.Fatal(err)
	}
	left, err := s.GetItems(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d processes × %d workers: %d items popped, %d left", processes, workersPerProcess, len(popped), len(left))
	sessiontest.CheckAddPop(t, left, popped, processes*workersPerProcess*roundsPerWorker)
	if err := s.ClearSession(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestMain runs the tests, or, in a process started by TestManyProcesses,
// that process's workers.
func TestMain(m *testing.M) {
	if prefix := os.Getenv(helperProcessEnv); prefix != "" {
		if err := helperProcess(prefix); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// helperProcess is one process of TestManyProcesses: it prints each item its
// workers pop on a line of its own.
func helperProcess(prefix string) error {
	first, err := strconv.Atoi(os.Getenv(helperProcessFirst))
	if err != nil {
		return err
	}
	opts, err := redis.ParseURL(os.Getenv("AGENTSESSION_REDIS_URL"))
	if err != nil {
		return err
	}
	client := redis.NewClient(opts)
	defer client.Close()
	store, err := redissession.New(client, &redissession.Options{KeyPrefix: prefix})
	if err != nil {
		return err
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		out  = bufio.NewWriter(os.Stdout)
		errs = make(chan error, workersPerProcess)
	)
	for i := range workersPerProcess {
		wg.Go(func() {
			s, err := agentsession.New(store, "shared", sessiontest.WorkerOptions(first+i))
			if err != nil {
				errs <- err
				return
			}
			popped, err := sessiontest.AddPopWorker(context.Background(), s, first+i, roundsPerWorker)
			mu.Lock()
			for _, p := range popped {
				fmt.Fprintf(out, "%s\n", p)
			}
			mu.Unlock()
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return out.Flush()
}
