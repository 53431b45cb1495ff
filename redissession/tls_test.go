package redissession_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/redissession"
	"github.com/agentsession/agentsession/sessiontest"
	"github.com/redis/go-redis/v9"
)

// ACL users of the TLS server: alice may touch the keys of the key prefix
// app1 only, bob those of app2: a session's list "app1:ID" and the token keys
// of its adds, "{app1:ID}:agentsession:add:TOKEN" (see Options.Idempotency).
// Both may run every command but the dangerous ones (FLUSHALL, CONFIG, KEYS,
// DEBUG, ...), which is all redissession needs (RPUSH, LRANGE, RPOP, UNLINK,
// EVALSHA/EVAL, SET, PEXPIRE, PTTL, PERSIST, LTRIM, SCAN, LLEN).
var tlsUsers = []struct {
	name, password string
	keys           []string
}{
	{"alice", "pw1", []string{"~app1:*", "~{app1:*"}},
	{"bob", "pw2", []string{"~app2:*", "~{app2:*"}},
}

// tlsRedis is a redis-server that accepts TLS connections only, with a
// certificate of a CA made by the test, and the users of tlsUsers; its
// default user is off.
type tlsRedis struct {
	*redisServer
	caFile string
	roots  *x509.CertPool
}

// startTLSRedis starts a tlsRedis, killed when t ends.
func startTLSRedis(t *testing.T) *tlsRedis {
	t.Helper()
	dir := t.TempDir()
	caFile, certFile, keyFile, roots := makeCerts(t, dir)
	srv := startRedisServer(t, true, "--appendonly", "no",
		"--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-ca-cert-file", caFile,
		"--tls-auth-clients", "no")
	r := &tlsRedis{redisServer: srv, caFile: caFile, roots: roots}

	admin := r.client(t, "", "") // the default user, while it is on
	srv.waitReady(admin)
	ctx := t.Context()
	for _, u := range tlsUsers {
		args := []any{"ACL", "SETUSER", u.name, "reset", "on", ">" + u.password, "+@all", "-@dangerous"}
		for _, k := range u.keys {
			args = append(args, k)
		}
		if err := admin.Do(ctx, args...).Err(); err != nil {
			t.Fatalf("ACL SETUSER %s: %v", u.name, err)
		}
	}
	if err := admin.Do(ctx, "ACL", "SETUSER", "default", "off").Err(); err != nil {
		t.Fatalf("ACL SETUSER default off: %v", err)
	}
	admin.Close()
	return r
}

// client returns a client of user (the default user when empty) over TLS,
// trusting the test's CA, closed when t ends.
func (r *tlsRedis) client(t *testing.T, user, password string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{
		Addr:      r.addr(),
		Username:  user,
		Password:  password,
		TLSConfig: &tls.Config{RootCAs: r.roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12},
	})
	t.Cleanup(func() { c.Close() })
	return c
}

// makeCerts writes a CA and a server certificate for 127.0.0.1 and
// localhost that it signs, as PEM files in dir, and returns their paths and a
// pool of the CA.
func makeCerts(t *testing.T, dir string) (caFile, certFile, keyFile string, roots *x509.CertPool) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "agentsession test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, der []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	roots = x509.NewCertPool()
	roots.AddCert(ca)
	return write("ca.pem", "CERTIFICATE", caDER), write("server.pem", "CERTIFICATE", der), write("server.key", "PRIVATE KEY", keyDER), roots
}

// TestTLSBackend uses alice's TLS client, made by hand to trust the test's
// CA, through redissession.New: add, get, pop, list and clear end to end.
func TestTLSBackend(t *testing.T) {
	r := startTLSRedis(t)
	store, err := redissession.New(r.client(t, "alice", "pw1"), &redissession.Options{KeyPrefix: "app1"})
	if err != nil {
		t.Fatal(err)
	}
	endToEnd(t, store)
}

// tlsURLEnv carries the rediss:// URL to the process that TestTLSOpenStoreURL
// starts.
const tlsURLEnv = "AGENTSESSION_TEST_TLS_URL"

// TestTLSOpenStoreURL opens rediss://alice:pw1@127.0.0.1:P/0?key_prefix=app1
// with agentsession.OpenStore. go-redis's ParseURL verifies the server against
// the system roots, read once per process, where Go takes SSL_CERT_FILE on
// Linux: so the test runs itself in a new process with SSL_CERT_FILE set to
// the test's CA. In this process, which does not trust the CA, the same URL
// fails with a certificate error.
func TestTLSOpenStoreURL(t *testing.T) {
	if u := os.Getenv(tlsURLEnv); u != "" { // the new process
		store, err := agentsession.OpenStore(t.Context(), u)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		endToEnd(t, store.Backend)
		fmt.Println("TLS URL end to end: ok")
		return
	}
	r := startTLSRedis(t)
	u := "rediss://alice:pw1@" + r.addr() + "/0?key_prefix=app1"

	store, err := agentsession.OpenStore(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Session("untrusted")
	if err != nil {
		t.Fatal(err)
	}
	var unknown x509.UnknownAuthorityError
	if _, err := s.GetItems(t.Context(), 0); !errors.As(err, &unknown) {
		t.Errorf("GetItems without the CA in the system roots: %v, want an x509.UnknownAuthorityError", err)
	}
	store.Close()

	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestTLSOpenStoreURL$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), tlsURLEnv+"="+u, "SSL_CERT_FILE="+r.caFile)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "TLS URL end to end: ok") {
		t.Fatalf("the test in a process with SSL_CERT_FILE=%s: %v\n%s", r.caFile, err, out)
	}
}

// endToEnd adds, gets, pops, lists and clears a session of b, on a server
// that holds no other session of b's prefix.
func endToEnd(t *testing.T, b agentsession.Backend) {
	t.Helper()
	ctx := t.Context()
	s, err := agentsession.New(b, "conv", &agentsession.Options{TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	want := []json.RawMessage{json.RawMessage(`{"role":"user","content":"Hello"}`), json.RawMessage(`{"role":"assistant","content":"Hi there!"}`)}
	if err := s.AddItems(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetItems(ctx, 0)
	if err != nil || len(got) != 2 || string(got[0]) != string(want[0]) || string(got[1]) != string(want[1]) {
		t.Fatalf("GetItems = %s, %v; want %s", got, err, want)
	}
	infos, _, err := agentsession.List(ctx, b, "", 100)
	if err != nil || len(infos) != 1 || infos[0].ID != "conv" || infos[0].Items != 2 || infos[0].TTL <= 0 {
		t.Fatalf("List = %+v, %v; want conv with 2 items and a TTL", infos, err)
	}
	last, err := s.PopItem(ctx)
	if err != nil || string(last) != string(want[1]) {
		t.Fatalf("PopItem = %s, %v; want %s", last, err, want[1])
	}
	if err := s.ClearSession(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetItems(ctx, 0); err != nil || len(got) != 0 {
		t.Fatalf("GetItems after ClearSession = %s, %v; want none", got, err)
	}
}

// TestACLNoPermission: bob, whose keys are app2:*, using the key prefix app1
// gets a NOPERM error reply on every operation, lists nothing of app1, and
// changes nothing there (as alice sees); with his own prefix he works.
func TestACLNoPermission(t *testing.T) {
	r := startTLSRedis(t)
	ctx := t.Context()
	alice, err := redissession.New(r.client(t, "alice", "pw1"), &redissession.Options{KeyPrefix: "app1"})
	if err != nil {
		t.Fatal(err)
	}
	bobClient := r.client(t, "bob", "pw2")
	bob, err := redissession.New(bobClient, &redissession.Options{KeyPrefix: "app1"})
	if err != nil {
		t.Fatal(err)
	}
	aliceConv, err := agentsession.New(alice, "conv", nil)
	if err != nil {
		t.Fatal(err)
	}
	stored := []json.RawMessage{json.RawMessage(`{"role":"user","content":"alice's"}`)}
	if err := aliceConv.AddItems(ctx, stored); err != nil {
		t.Fatal(err)
	}

	noperm := func(what string, err error) {
		t.Helper()
		var rerr redis.Error
		if !errors.As(err, &rerr) || !strings.Contains(err.Error(), "NOPERM") {
			t.Errorf("bob's %s: %v, want a redis.Error with NOPERM", what, err)
		}
	}
	for _, ttl := range []time.Duration{0, time.Hour} { // RPUSH, and the scripts
		for _, id := range []string{"conv", "new"} {
			s, err := agentsession.New(bob, id, &agentsession.Options{TTL: ttl, SlidingTTL: ttl > 0})
			if err != nil {
				t.Fatal(err)
			}
			what := func(op string) string { return fmt.Sprintf("%s of app1:%s (TTL %v)", op, id, ttl) }
			noperm(what("AddItems"), s.AddItems(ctx, []json.RawMessage{json.RawMessage(`{"role":"user","content":"bob's"}`)}))
			got, err := s.GetItems(ctx, 0)
			noperm(what("GetItems"), err)
			if len(got) > 0 {
				t.Errorf("bob's %s read %s", what("GetItems"), got)
			}
			popped, err := s.PopItem(ctx)
			noperm(what("PopItem"), err)
			if popped != nil {
				t.Errorf("bob's %s popped %s", what("PopItem"), popped)
			}
			noperm(what("ClearSession"), s.ClearSession(ctx))
			_, _, err = s.TTL(ctx)
			noperm(what("TTL"), err)
			_, err = s.SetTTL(ctx, time.Minute)
			noperm(what("SetTTL"), err)
		}
	}
	if infos, _, err := agentsession.List(ctx, bob, "", 100); err != nil {
		noperm("List of app1", err)
	} else if len(infos) > 0 {
		t.Errorf("bob's List of app1 = %+v, want nothing", infos)
	}

	// Nothing changed, as alice sees.
	if got, err := aliceConv.GetItems(ctx, 0); err != nil || len(got) != 1 || string(got[0]) != string(stored[0]) {
		t.Errorf("alice's conv after bob's tries = %s, %v; want %s", got, err, stored)
	}
	if ttl, ok, err := aliceConv.TTL(ctx); err != nil || !ok || ttl != 0 {
		t.Errorf("alice's conv TTL after bob's tries = %v, %v, %v; want none", ttl, ok, err)
	}
	infos, _, err := agentsession.List(ctx, alice, "", 100)
	if err != nil || len(infos) != 1 || infos[0].ID != "conv" {
		t.Errorf("alice's List after bob's tries = %+v, %v; want conv alone", infos, err)
	}

	// Bob with his own prefix works.
	own, err := redissession.New(bobClient, &redissession.Options{KeyPrefix: "app2"})
	if err != nil {
		t.Fatal(err)
	}
	endToEnd(t, own)
}

// TestTLSConformance runs the conformance suite through alice's TLS client,
// each backend with the key prefix "app1:" + sessiontest.UniquePrefix, inside
// alice's ~app1:* keys.
func TestTLSConformance(t *testing.T) {
	r := startTLSRedis(t)
	client := r.client(t, "alice", "pw1")
	sessiontest.Run(t, func(t *testing.T) (agentsession.Backend, error) {
		return redissession.New(client, &redissession.Options{KeyPrefix: "app1:" + sessiontest.UniquePrefix(t)})
	})
}
