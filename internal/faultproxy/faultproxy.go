// Package faultproxy is a TCP proxy for tests that speaks just enough RESP to
// pass a Redis connection through one command and one reply at a time, and
// can cut the connection after the server has run a command but before its
// reply reaches the client: the fault that makes a client retry a command
// that already took effect.
package faultproxy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Proxy forwards connections from Addr to a Redis server.
type Proxy struct {
	ln     net.Listener
	target string
	cut    func(command string) bool
	cuts   atomic.Int64
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]bool
}

// Start listens on a free loopback port and forwards to target. For each
// command (its name, upper case) cut says whether to drop the connection in
// place of the reply. The proxy stops when t ends.
func Start(t testing.TB, target string, cut func(command string) bool) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, cut: cut, conns: map[net.Conn]bool{}}
	p.wg.Go(p.accept)
	t.Cleanup(p.close)
	return p
}

// Addr is the proxy's address.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cuts is how many replies the proxy has dropped.
func (p *Proxy) Cuts() int64 { return p.cuts.Load() }

func (p *Proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) track(c net.Conn, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.conns[c] = true
	} else {
		delete(p.conns, c)
	}
}

func (p *Proxy) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Go(func() { p.serve(client) })
	}
}

// serve passes one command at a time: read it whole from the client, send
// it, read one reply whole from the server, and send it on or cut.
func (p *Proxy) serve(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	p.track(client, true)
	p.track(server, true)
	defer func() {
		client.Close()
		server.Close()
		p.track(client, false)
		p.track(server, false)
	}()
	fromClient, fromServer := bufio.NewReader(client), bufio.NewReader(server)
	for {
		cmd, name, err := readValue(fromClient)
		if err != nil {
			return
		}
		if _, err := server.Write(cmd); err != nil {
			return
		}
		reply, _, err := readValue(fromServer)
		if err != nil {
			return
		}
		if p.cut(name) {
			p.cuts.Add(1)
			return // the server ran it; the client hears nothing
		}
		if _, err := client.Write(reply); err != nil {
			return
		}
	}
}

// readValue reads one whole RESP2 or RESP3 value and returns its bytes and,
// for an array of bulk strings (a command), its first element upper-cased.
func readValue(r *bufio.Reader) (raw []byte, name string, err error) {
	var buf []byte
	var first string
	var read func(depth int) error
	read = func(depth int) error {
		line, err := r.ReadBytes('\n')
		if err != nil {
			return err
		}
		buf = append(buf, line...)
		if len(line) < 3 {
			return errors.New("faultproxy: short RESP line")
		}
		kind, body := line[0], strings.TrimRight(string(line[1:]), "\r\n")
		switch kind {
		case '+', '-', ':', '_', ',', '#', '(':
			return nil
		case '$', '=', '!':
			n, err := strconv.Atoi(body)
			if err != nil {
				return err
			}
			if n < 0 {
				return nil
			}
			data := make([]byte, n+2)
			if _, err := io.ReadFull(r, data); err != nil {
				return err
			}
			buf = append(buf, data...)
			if depth == 1 && first == "" {
				first = strings.ToUpper(string(data[:n]))
			}
			return nil
		case '*', '~', '>', '%', '|':
			n, err := strconv.Atoi(body)
			if err != nil {
				return err
			}
			if kind == '%' || kind == '|' {
				n *= 2
			}
			for range max(n, 0) {
				if err := read(depth + 1); err != nil {
					return err
				}
			}
			return nil
		}
		return fmt.Errorf("faultproxy: unknown RESP type %q", kind)
	}
	if err := read(0); err != nil {
		return nil, "", err
	}
	return buf, first, nil
}
