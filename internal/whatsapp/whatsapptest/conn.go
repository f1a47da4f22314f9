package whatsapptest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/socket"
	"go.mau.fi/whatsmeow/types"
)

// writeTimeout bounds every write to a client.
const writeTimeout = 10 * time.Second

// conn is one client connection: unpaired (linking) or logged in as a
// device. Its goroutine reads and dispatches nodes; the controls write to
// it from others.
type conn struct {
	s      *Server
	tr     *transport
	ctx    context.Context // ends when the connection does
	cancel context.CancelFunc
	noise  [32]byte // the client's static noise key

	dev  *device  // logged in as; guarded by s.mu
	link *linking // linking under way; guarded by s.mu
	// available: the connection announced itself online (presence.go);
	// guarded by s.mu.
	available bool

	waitMu  sync.Mutex
	waiters map[string]chan *waBinary.Node
	once    sync.Once
	done    chan struct{} // closed once the connection is forgotten
}

func (s *Server) serveChat(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: []string{"web.whatsapp.com"}})
	if err != nil {
		s.log.Warn("websocket accept", "err", err)
		return
	}
	ws.SetReadLimit(socket.FrameMaxSize + 64)
	c := &conn{s: s, tr: &transport{ws: ws}, waiters: map[string]chan *waBinary.Node{}, done: make(chan struct{})}
	c.ctx, c.cancel = context.WithCancel(s.ctx)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.CloseNow()
		return
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	c.run()
}

func (c *conn) run() {
	defer c.detach()
	res, err := respond(c.ctx, c.tr, c.s.static, c.s.certChain)
	if err != nil {
		c.s.log.Warn("noise handshake", "err", err)
		return
	}
	c.tr.readKey, c.tr.writeKey, c.noise = res.read, res.write, res.clientStatic
	if res.payload.Username != nil {
		c.s.login(c, res.payload)
	} else if res.payload.GetDevicePairingData() != nil {
		c.s.startLinking(c, res.payload.GetDevicePairingData())
	} else {
		c.s.log.Warn("client payload neither logs in nor registers")
		return
	}
	for {
		node, err := c.tr.readNode(c.ctx)
		if err != nil {
			if c.ctx.Err() == nil && websocket.CloseStatus(err) == -1 && !errors.Is(err, context.Canceled) {
				c.s.log.Debug("connection read", "err", err)
			}
			return
		}
		c.s.log.Debug("recv", "node", node)
		c.handle(node)
	}
}

// handle dispatches one node from the client.
func (c *conn) handle(node *waBinary.Node) {
	switch node.Tag {
	case "iq":
		switch node.Attrs["type"] {
		case "result", "error":
			c.resolve(node)
		default:
			c.handleIQ(node)
		}
	case "message":
		c.handleMessage(node)
	case "receipt":
		c.handleReceipt(node)
	case "presence", "chatstate":
		c.handlePresence(node)
	case "ack":
		c.routeAck(node) // acks.go
	case "call":
		c.handleCall(node) // call.go
	}
	// ib and the rest need no answer, nor do acks, presence and chatstate.
}

// send writes node to the client.
func (c *conn) send(node waBinary.Node) error {
	ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
	defer cancel()
	c.s.log.Debug("send", "node", &node)
	if err := c.tr.writeNode(ctx, node); err != nil {
		if errors.Is(err, net.ErrClosed) || c.ctx.Err() != nil {
			// The device hung up and the server has not noticed yet: it
			// is not connected, as a control told a moment later says.
			return fmt.Errorf("send %s: %w: %w", node.Tag, ErrNotConnected, err)
		}
		return fmt.Errorf("send %s: %w", node.Tag, err)
	}
	return nil
}

// request sends an iq (its id set here) and waits for the client's answer.
func (c *conn) request(ctx context.Context, iq waBinary.Node) (*waBinary.Node, error) {
	id := c.s.newID()
	iq.Attrs["id"] = id
	ch := make(chan *waBinary.Node, 1)
	c.waitMu.Lock()
	c.waiters[id] = ch
	c.waitMu.Unlock()
	defer func() {
		c.waitMu.Lock()
		delete(c.waiters, id)
		c.waitMu.Unlock()
	}()
	if err := c.send(iq); err != nil {
		return nil, err
	}
	select {
	case resp := <-ch:
		return resp, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-c.ctx.Done():
		return nil, fmt.Errorf("%w: connection closed", ErrNotConnected)
	}
}

func (c *conn) resolve(node *waBinary.Node) {
	id, _ := node.Attrs["id"].(string)
	c.waitMu.Lock()
	ch := c.waiters[id]
	c.waitMu.Unlock()
	if ch != nil {
		select {
		case ch <- node:
		default:
		}
	}
}

// reply answers a client iq with a result holding children.
func (c *conn) reply(iq *waBinary.Node, children ...waBinary.Node) {
	node := waBinary.Node{Tag: "iq", Attrs: waBinary.Attrs{
		"id": iq.Attrs["id"], "type": "result", "from": types.ServerJID,
	}}
	if len(children) > 0 {
		node.Content = children
	}
	if err := c.send(node); err != nil {
		c.s.log.Debug("reply", "err", err)
	}
}

// replyError answers a client iq with an error.
func (c *conn) replyError(iq *waBinary.Node, code int, text string) {
	err := c.send(waBinary.Node{Tag: "iq", Attrs: waBinary.Attrs{
		"id": iq.Attrs["id"], "type": "error", "from": types.ServerJID,
	}, Content: []waBinary.Node{{Tag: "error", Attrs: waBinary.Attrs{"code": code, "text": text}}}})
	if err != nil {
		c.s.log.Debug("reply error", "err", err)
	}
}

// terminate sends a node that ends the connection (stream error, failure)
// and closes it once the client closed it or the grace period passed, so
// the client handles the node before it sees the connection go. It
// returns once the server forgot the connection.
func (c *conn) terminate(node waBinary.Node) {
	if err := c.send(node); err != nil {
		c.s.log.Debug("terminate", "err", err)
	}
	t := time.NewTimer(c.s.grace)
	defer t.Stop()
	select {
	case <-c.ctx.Done():
	case <-t.C:
	}
	c.close()
	<-c.done
}

// spawn runs f on a goroutine that Close waits for. The caller must not
// hold s.mu.
func (s *Server) spawn(f func()) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		f()
	}()
}

// close drops the connection at once, without a closing handshake: the
// client sees a lost connection.
func (c *conn) close() {
	c.once.Do(func() {
		c.cancel()
		_ = c.tr.ws.CloseNow()
	})
}

// detach forgets the connection once its read loop ended.
func (c *conn) detach() {
	c.close()
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	defer close(c.done)
	delete(s.conns, c)
	if c.dev != nil && c.dev.conn == c {
		c.dev.conn = nil
	}
	if l := c.link; l != nil {
		for _, ref := range l.refs {
			delete(s.linkings, ref)
		}
		if l.code != nil && s.codeLinks[l.code.number] == l {
			delete(s.codeLinks, l.code.number)
		}
	}
}
