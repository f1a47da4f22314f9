package whatsapptest

import (
	"context"
	"fmt"
	"strconv"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
)

// notice is one group notification (<notification type="w:gp2">) and the
// connections it goes to: every connected device of the group's members,
// the acting account's among them, and of those a change removed.
type notice struct {
	id    string
	conns []*conn
	node  waBinary.Node
}

// noticeLocked builds the notification of a change of g that actor (a
// phone number) made, for the accounts in to (usually g's members);
// change is its content (<add>, <subject>, <create>...). The caller holds
// s.mu.
func (s *Server) noticeLocked(g *group, actor string, to []string, change ...waBinary.Node) notice {
	id := s.newIDLocked()
	n := notice{id: id, node: waBinary.Node{Tag: "notification", Attrs: waBinary.Attrs{
		"id": id, "from": g.jid, "type": "w:gp2", "participant": pnJID(actor), "t": unixAttr(time.Now()),
		"addressing_mode": "pn",
	}, Content: change}}
	n.conns = s.connsOfLocked(to)
	return n
}

// connsOfLocked lists the logged-in connections of the accounts numbers,
// each once. The caller holds s.mu.
func (s *Server) connsOfLocked(numbers []string) []*conn {
	var conns []*conn
	seen := map[string]bool{}
	for _, number := range numbers {
		if seen[number] {
			continue
		}
		seen[number] = true
		for _, d := range s.devicesLocked(pnJID(number)) {
			if d.conn != nil {
				conns = append(conns, d.conn)
			}
		}
	}
	return conns
}

// post sends notifications without waiting for the devices' acks: the
// way a change a client made is notified, from the connection's read
// loop, which must go on reading (the acks, and the client's next
// queries, come through it).
func (s *Server) post(notices ...notice) {
	for _, n := range notices {
		for _, c := range n.conns {
			if err := c.send(n.node); err != nil {
				s.log.Debug("group notification", "err", err)
			}
		}
	}
}

// notify sends notifications and waits for every device to acknowledge
// each: ErrNotAcknowledged when one does not before ctx ends (5 s without
// a deadline), as a client whose handler refused the change does not.
func (s *Server) notify(ctx context.Context, notices ...notice) error {
	ctx, cancel := ackContext(ctx)
	defer cancel()
	for _, n := range notices {
		for _, c := range n.conns {
			ack, err := c.sendAndWait(ctx, ackKey("notification", n.id), n.node)
			if err != nil {
				return fmt.Errorf("group notification %s: %w", n.id, err)
			}
			if code, ok := ack.Attrs["error"]; ok {
				return fmt.Errorf("group notification %s: %w: the client refused it (error %v)", n.id, ErrNotAcknowledged, code)
			}
		}
	}
	return nil
}

// participantList renders numbers as a notification's or answer's
// <participant> nodes, with their LIDs alongside. The caller holds s.mu.
func (s *Server) participantListLocked(numbers []string) []waBinary.Node {
	nodes := make([]waBinary.Node, 0, len(numbers))
	for _, number := range numbers {
		attrs := waBinary.Attrs{"jid": pnJID(number)}
		if p := s.phones[number]; p != nil {
			attrs["lid"] = p.lid
		}
		nodes = append(nodes, waBinary.Node{Tag: "participant", Attrs: attrs})
	}
	return nodes
}

// membersAnd lists g's members and the accounts in also (who left or
// were removed: they learn it too).
func (g *group) membersAnd(also ...string) []string {
	return append(append([]string(nil), g.members...), also...)
}

// bumpVersion moves g's participant list to a new version and returns the
// attributes a participant change notification carries.
func (g *group) bumpVersion() waBinary.Attrs {
	prev := strconv.FormatUint(g.version, 10)
	g.version++
	return waBinary.Attrs{"prev_v_id": prev, "v_id": strconv.FormatUint(g.version, 10)}
}
