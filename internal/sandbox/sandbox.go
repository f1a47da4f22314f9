// Package sandbox is an in-memory phone network that stands in for
// WhatsApp when the gateway runs with GATEWAY_DRIVER=sandbox: newcomers can
// link, send and receive without a phone or an account, and end-to-end
// tests play the phone's part (scan a QR code, write to an instance, drop a
// connection) and see exactly what "WhatsApp" received.
//
// It behaves like the real driver wherever the session host could tell the
// difference (the drivertest conformance suite holds both to one contract):
//
//   - QR codes look like WhatsApp's ("2@" and base64 segments joined by
//     commas) and follow WhatsApp's schedule on the injected clock: the
//     first lives 60 s, five more live 20 s each, then linking ends with
//     Disconnected(instance, "");
//   - pairing codes are 8 characters of WhatsApp's alphabet, "XXXX-XXXX";
//     the QR code stays valid meanwhile, so a Scan completes either;
//   - a dropped connection (connection_lost, replaced, banned) keeps the
//     device linked, so Connect reconnects it; logged_out unlinks it.
//
// Sending to a number that starts with 999 fails permanently with a
// *driver.SendError whose Reason is NotOnWhatsApp ("number not on
// WhatsApp"): tests and demos use it to exercise the failed path. Every
// other valid number succeeds.
//
// The far side plays the other phones: someone writes (Inbound, every
// kind of message.received, in direct chats and groups, files included),
// a recipient's phone acknowledges one of ours (Receipt), and someone
// reacts, edits, deletes for everyone or votes (Update; votes travel as
// WhatsApp's SHA-256 option hashes). Each waits for the host's answer, as
// WhatsApp waits for an acknowledgement, and reaches the host in order
// with the instance's other events.
//
// Groups live in the network's memory, per instance, with WhatsApp's
// rules (groups.go): the creator is superadmin, only admins manage
// members, change settings and see the invite link, a locked group's info
// is for admins, numbers starting with 999 are not on WhatsApp (checks
// say so, adds report not_on_whatsapp, creation leaves them out). A group
// id the instance never saw is a group it is in, as an admin, unless it
// left it, was removed, or the group was made without it (API.md). Every
// change reaches driver.GroupEvents, the instance's own included; the far
// side plays the other members (GroupEvent, ChangeGroup) and callers
// (Call).
//
// Nothing persists: after a process restart the network knows no instance,
// and Connect trusts the number the host stored. The log of sent messages
// grows with every send, media included; the sandbox is for trials and
// tests, not for traffic.
package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/phone"
)

// NotOnWhatsApp is the SendError reason of a send to a 999… number.
const NotOnWhatsApp = "number not on WhatsApp"

// unreachablePrefix marks the numbers the sandbox treats as not on WhatsApp.
const unreachablePrefix = "999"

// ErrAlreadyLinked is the driver port's sentinel, named here for callers
// of the sandbox alone.
var ErrAlreadyLinked = driver.ErrAlreadyLinked

// device is what every sandbox "phone" reports, so nobody mistakes it for
// a real one.
var device = driver.Device{Name: "Sandbox phone", Platform: "WHATSAPP"}

// SentRecord is one message the network received, for GET
// /sandbox/{name}/sent.
type SentRecord struct {
	driver.Outbound
	SentAt time.Time // from the network's clock
	// Edit or Revoke, when set, make the record a change of an earlier
	// message (Outbound.Type is then "edit" or "revoke"; see edit.go).
	Edit   *driver.Edit
	Revoke *driver.Revoke
}

// state is where an instance's device and connection are.
type state uint8

const (
	unlinked state = iota // never linked here, or logged out: needs linking
	linking               // showing QR codes, accepting a pairing code
	offline               // linked, no connection
	open                  // linked and connected: sends and receives
)

// conn is one instance. An idle open instance is just this struct: no
// goroutine, no timer.
type conn struct {
	name     string
	state    state
	phone    string   // the linked number, while linked
	link     *session // while linking
	sent     []SentRecord
	shown    []driver.Presence    // chat presences, for GET /sandbox/{name}/presence
	reads    []driver.ReadReceipt // read receipts, for GET /sandbox/{name}/read (read.go)
	outbox   []event              // reported in order by whoever drains it (events.go)
	draining bool
	groups   map[string]*group // the instance's world of groups, by id (groups.go)
	blocked  map[string]bool   // numbers the account blocked (contacts.go)
	calls    []CallRecord      // calls offered to the instance, with the host's answer (contacts.go)
}

func (c *conn) linked() bool { return c.state == offline || c.state == open }

// Network is the sandbox driver and the phones on the far side of it. It is
// safe for concurrent use.
type Network struct {
	fences *fencing // nil: fences are not checked (fence.go)
	events driver.Events
	clk    clock.Clock

	mu       sync.Mutex
	rnd      *rand.Rand // under mu: a rand.Rand is not safe for concurrent use
	conns    map[string]*conn
	profiles map[string]driver.Contact // what WhatsApp tells about a number, as the far side set it (contacts.go)
}

// New returns an empty network reporting to events. clk times QR rotation
// and stamps sends; rnd makes codes and ids (nil: randomly seeded), so a
// test with a fixed seed sees the same codes every run.
func New(events driver.Events, clk clock.Clock, rnd *rand.Rand) *Network {
	if rnd == nil {
		rnd = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return &Network{events: events, clk: clk, rnd: rnd, conns: map[string]*conn{}, profiles: map[string]driver.Contact{}}
}

// conn returns the instance, creating it unlinked. Call with mu held.
func (n *Network) conn(name string) *conn {
	c := n.conns[name]
	if c == nil {
		c = &conn{name: name}
		n.conns[name] = c
	}
	return c
}

// Connect opens a linked instance. An instance the network has never seen
// is taken as linked to number, as after a restart of the process; one it
// knows to be unlinked is ErrNotLinked. Connecting an open instance
// reports Connecting and Connected again, so a host that lost track
// converges.
func (n *Network) Connect(ctx context.Context, instance, number string) error {
	if err := n.fenceOK(ctx, instance, "Connect"); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	n.mu.Lock()
	c := n.conns[instance]
	switch {
	case c == nil && !phone.Valid(number):
		n.mu.Unlock()
		return fmt.Errorf("sandbox: connect %s: no linked number (%q): %w", instance, number, driver.ErrNotLinked)
	case c == nil:
		c = &conn{name: instance, state: offline, phone: number}
		n.conns[instance] = c
	case !c.linked():
		n.mu.Unlock()
		return fmt.Errorf("sandbox: connect %s: %w", instance, driver.ErrNotLinked)
	}
	c.state = open
	c.outbox = append(c.outbox, event{change: driver.ConnectingChange()}, event{change: driver.ConnectedChange(c.phone)})
	n.mu.Unlock()
	n.flush(c)
	return nil
}

// Disconnect drops the instance's connection, or abandons its linking,
// without a word: the host asked for it.
func (n *Network) Disconnect(instance string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := n.conns[instance]
	switch {
	case c == nil:
	case c.state == open:
		c.state = offline
	case c.state == linking:
		c.stopLinking()
		c.state = unlinked
	}
}

// Logout unlinks the instance's device, connected or not.
func (n *Network) Logout(ctx context.Context, instance string) error {
	if err := n.fenceOK(ctx, instance, "Logout"); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	n.mu.Lock()
	c := n.conns[instance]
	if c == nil || !c.linked() {
		n.mu.Unlock()
		return fmt.Errorf("sandbox: log out %s: %w", instance, driver.ErrNotLinked)
	}
	c.state, c.phone = unlinked, ""
	c.outbox = append(c.outbox, event{change: driver.DisconnectedChange(driver.LoggedOut)})
	n.mu.Unlock()
	n.flush(c)
	return nil
}

// Send delivers out, recording it with the network's time. A closed
// instance is ErrNotConnected before anything else, so that the message
// waits instead of failing.
func (n *Network) Send(ctx context.Context, instance string, out driver.Outbound) error {
	if err := n.fenceOK(ctx, instance, "Send"); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	c := n.conns[instance]
	if c == nil || c.state != open {
		return fmt.Errorf("sandbox: send from %s: %w", instance, driver.ErrNotConnected)
	}
	switch {
	// Every well-formed group id is a group the instance is in (API.md),
	// but for the groups it left or was removed from or created without
	// it (groups.go); only numbers can be unreachable.
	case !chat.Valid(out.To):
		return &driver.SendError{Reason: "invalid phone number"}
	case !chat.IsGroup(out.To) && strings.HasPrefix(out.To, unreachablePrefix):
		return &driver.SendError{Reason: NotOnWhatsApp}
	case chat.IsGroup(out.To) && c.sendRefusal(out.To) != "":
		return &driver.SendError{Reason: c.sendRefusal(out.To)}
	case !out.Type.Valid():
		return &driver.SendError{Reason: fmt.Sprintf("unsupported message type %q", out.Type)}
	}
	if out.WAMessageID == "" {
		out.WAMessageID = n.messageID()
	}
	// The network's copy: the caller may reuse its buffers.
	out.Media = bytes.Clone(out.Media)
	out.Contacts = slices.Clone(out.Contacts)
	out.Mentions = slices.Clone(out.Mentions)
	if out.Location != nil {
		place := *out.Location
		out.Location = &place
	}
	if out.Poll != nil {
		poll := *out.Poll
		poll.Options = slices.Clone(poll.Options)
		out.Poll = &poll
	}
	if out.Quote != nil {
		q := *out.Quote
		out.Quote = &q
	}
	if out.Reaction != nil {
		r := *out.Reaction
		out.Reaction = &r
	}
	c.sent = append(c.sent, SentRecord{Outbound: out, SentAt: n.clk.Now()})
	return nil
}

// Sent returns what the network received from instance, oldest first. The
// records share their Media with the network's log: do not modify it.
func (n *Network) Sent(instance string) []SentRecord {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := []SentRecord{}
	if c := n.conns[instance]; c != nil {
		out = append(out, c.sent...)
	}
	return out
}

// Device describes the linked phone.
func (n *Network) Device(ctx context.Context, instance string) (driver.Device, error) {
	if err := n.fenceOK(ctx, instance, "Device"); err != nil {
		return driver.Device{}, err
	}
	if err := ctx.Err(); err != nil {
		return driver.Device{}, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if c := n.conns[instance]; c == nil || !c.linked() {
		return driver.Device{}, fmt.Errorf("sandbox: device of %s: %w", instance, driver.ErrNotLinked)
	}
	return device, nil
}
