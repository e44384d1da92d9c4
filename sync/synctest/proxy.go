// Package synctest holds brug's end-to-end sync tests (issue 3, "Tests"):
// a real server over HTTP on 127.0.0.1, replicas with real stores enrolled
// through /v1/enroll, random workloads with partitions, a network that cuts
// connections, and a server that crashes mid-sync. docs/sync.md lists the
// invariants they hold.
//
// The only non-test code is FaultProxy, a TCP proxy that breaks
// connections at random byte offsets, so other tests (and benchmarks) can
// put a bad network between a client and a server too.
package synctest

import (
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"sync"
)

// ProxyStats counts what a FaultProxy did.
type ProxyStats struct {
	Conns   int // connections accepted
	CutUp   int // connections cut while forwarding the client's bytes (the request)
	CutDown int // connections cut while forwarding the server's bytes (the answer)
}

// FaultProxy forwards TCP connections from a listener on 127.0.0.1 to a
// target address and cuts some of them, as a flaky network does: after a
// random number of bytes of the client's stream (a request broken off
// before or while the server reads it) or of the server's stream (an
// answer lost after the server has committed). Which connections are cut,
// in which direction and where comes from a seeded random source, so a
// failing run can be repeated (connection order permitting).
type FaultProxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	rng     *rand.Rand
	cut     float64 // probability that a connection is cut
	maxAt   int     // cut offsets are in [0, maxAt)
	faults  bool
	conns   map[net.Conn]struct{}
	stats   ProxyStats
	closing bool

	wg sync.WaitGroup
}

// NewFaultProxy listens on a free port of 127.0.0.1 and forwards to target
// (host:port). Each connection is cut with probability cut, in one
// direction chosen at random, after a number of bytes drawn from
// [0, maxOffset).
func NewFaultProxy(target string, seed uint64, cut float64, maxOffset int) (*FaultProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if maxOffset < 1 {
		maxOffset = 1
	}
	p := &FaultProxy{
		ln: ln, target: target, rng: rand.New(rand.NewPCG(seed, 0x5eed)),
		cut: cut, maxAt: maxOffset, faults: true, conns: map[net.Conn]struct{}{},
	}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// URL is the proxy's address as an http URL, for a client.Syncer.
func (p *FaultProxy) URL() string { return "http://" + p.ln.Addr().String() }

// SetFaults turns cutting on or off; with it off the proxy forwards
// faithfully (to let everything through at the end of a test).
func (p *FaultProxy) SetFaults(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = on
}

// Stats returns the counts so far.
func (p *FaultProxy) Stats() ProxyStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// Close stops listening, breaks every open connection and waits for the
// forwarding goroutines to end.
func (p *FaultProxy) Close() error {
	p.mu.Lock()
	p.closing = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *FaultProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		p.wg.Add(1)
		go p.forward(c)
	}
}

// track registers a connection so Close can break it; it reports false
// when the proxy is closing.
func (p *FaultProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closing {
		return false
	}
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *FaultProxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		delete(p.conns, c)
	}
}

// plan draws the byte limits of one connection: -1 means no cut.
func (p *FaultProxy) plan() (up, down int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.Conns++
	up, down = -1, -1
	if !p.faults || p.rng.Float64() >= p.cut {
		return up, down
	}
	at := int64(p.rng.IntN(p.maxAt))
	if p.rng.IntN(2) == 0 {
		up = at
	} else {
		down = at
	}
	return up, down
}

func (p *FaultProxy) count(up bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if up {
		p.stats.CutUp++
	} else {
		p.stats.CutDown++
	}
}

// forward copies both ways until either side ends or a limit is reached,
// then closes both connections at once: the other side sees the break
// wherever its stream was.
func (p *FaultProxy) forward(client net.Conn) {
	defer p.wg.Done()
	up, down := p.plan()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(client, server) {
		client.Close()
		server.Close()
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn, limit int64, isUp bool) {
		defer func() { done <- struct{}{} }()
		if limit < 0 {
			_, _ = io.Copy(dst, src)
			return
		}
		if n, err := io.CopyN(dst, src, limit); err == nil && n == limit {
			p.count(isUp)
		}
	}
	go pipe(server, client, up, true)
	go pipe(client, server, down, false)
	<-done
	client.Close()
	server.Close()
	<-done
	p.untrack(client, server)
}
