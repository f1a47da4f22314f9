// Package netguardtest helps test code that dials through a netguard
// policy: it resolves any name to loopback without touching the network,
// so a test can show that a *name* resolving to a forbidden address is
// refused at dial time, not just a literal IP.
package netguardtest

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"time"
)

// LoopbackResolver is a Go resolver whose "DNS server" is a goroutine at
// the other end of a net.Pipe. A Pipe is not a PacketConn, so the resolver
// speaks DNS over TCP framing (two-byte length prefix).
func LoopbackResolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		client, server := net.Pipe()
		go serveDNS(server)
		return client, nil
	}}
}

func serveDNS(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	for {
		var n [2]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return
		}
		q := make([]byte, binary.BigEndian.Uint16(n[:]))
		if _, err := io.ReadFull(c, q); err != nil {
			return
		}
		resp := answer(q)
		if _, err := c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(resp))), resp...)); err != nil {
			return
		}
	}
}

// answer replies to an A query with 127.0.0.1 and to anything else with no
// records. It echoes the question, as resolvers require.
func answer(q []byte) []byte {
	end := 12
	for end < len(q) && q[end] != 0 {
		end += int(q[end]) + 1
	}
	end += 5 // root label, QTYPE, QCLASS
	if end > len(q) {
		return q[:min(len(q), 12)]
	}
	r := append([]byte(nil), q[:end]...)
	r[2] = 0x84 | q[2]&0x01 // response, authoritative, recursion desired as asked
	r[3] = 0x80             // recursion available, no error
	binary.BigEndian.PutUint16(r[4:], 1)
	binary.BigEndian.PutUint16(r[6:], 0)
	binary.BigEndian.PutUint16(r[8:], 0)
	binary.BigEndian.PutUint16(r[10:], 0)
	if binary.BigEndian.Uint16(q[end-4:]) == 1 { // A
		binary.BigEndian.PutUint16(r[6:], 1)
		r = append(r, 0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1)
	}
	return r
}
