package sandbox

import (
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/phone"
)

// CallRecord is one call offered to an instance and what the host
// answered.
type CallRecord struct {
	driver.Call
	Rejected bool
}

// CheckContacts says, in the order asked, which numbers are on WhatsApp:
// in the sandbox, every valid number but those starting with 999.
func (n *Network) CheckContacts(ctx context.Context, instance string, phones []string) ([]bool, error) {
	if err := n.fenceOK(ctx, instance, "CheckContacts"); err != nil {
		return nil, err
	}
	out := make([]bool, 0, len(phones))
	err := n.own(ctx, instance, "check contacts", func(*conn) error {
		for _, p := range phones {
			out = append(out, onWhatsApp(p))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Contact describes a number: what the far side set with SetProfile,
// nothing otherwise, and nothing at all for a number not on WhatsApp.
func (n *Network) Contact(ctx context.Context, instance, number string) (driver.Contact, error) {
	if err := n.fenceOK(ctx, instance, "Contact"); err != nil {
		return driver.Contact{}, err
	}
	out := driver.Contact{Phone: number}
	err := n.own(ctx, instance, "contact", func(*conn) error {
		if !onWhatsApp(number) {
			return nil
		}
		p := n.profiles[number]
		out.OnWhatsApp, out.Name, out.About, out.PictureURL = true, p.Name, p.About, p.PictureURL
		return nil
	})
	if err != nil {
		return driver.Contact{}, err
	}
	return out, nil
}

// Block blocks or unblocks number on the instance's account; doing
// either twice changes nothing.
func (n *Network) Block(ctx context.Context, instance, number string, block bool) error {
	if err := n.fenceOK(ctx, instance, "Block"); err != nil {
		return err
	}
	return n.own(ctx, instance, "block", func(c *conn) error {
		switch {
		case !phone.Valid(number):
			return fmt.Errorf("%q: %s", number, phone.FormatMessage)
		case block && c.blocked == nil:
			c.blocked = map[string]bool{number: true}
		case block:
			c.blocked[number] = true
		default:
			delete(c.blocked, number)
		}
		return nil
	})
}

// Blocked is the numbers the instance's account has blocked, in order.
func (n *Network) Blocked(instance string) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := []string{}
	if c := n.conns[instance]; c != nil {
		for p := range c.blocked {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// SetProfile is c.Phone setting what WhatsApp tells about it: Name,
// About and PictureURL (OnWhatsApp is the network's to say).
func (n *Network) SetProfile(c driver.Contact) error {
	if !onWhatsApp(c.Phone) {
		return fmt.Errorf("sandbox: profile of %q: %s, on WhatsApp", c.Phone, phone.FormatMessage)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.profiles[c.Phone] = driver.Contact{Phone: c.Phone, OnWhatsApp: true, Name: c.Name, About: c.About,
		PictureURL: c.PictureURL}
	return nil
}

// Call is from calling the instance: the host hears the offer (with a
// call id made up as WhatsApp's, and the network's time) and says whether
// to reject it. Like Inbound, it returns once the host has answered; the
// outcome is kept for Calls.
func (n *Network) Call(instance, from string, video bool) (callID string, rejected bool, err error) {
	switch {
	case !phone.Valid(from):
		return "", false, fmt.Errorf("sandbox: call to %s: from: %s", instance, phone.FormatMessage)
	case !onWhatsApp(from):
		// WhatsApp would not place the call: the caller is told why.
		return "", false, fmt.Errorf("sandbox: call to %s: %w", instance, &driver.RefusedError{Reason: from + ": " + NotOnWhatsApp})
	}
	ge, ok := n.events.(driver.GroupEvents)
	if !ok {
		return "", false, fmt.Errorf("sandbox: call to %s: %w", instance, ErrNotHeard)
	}
	call := driver.Call{From: from, Video: video}
	// The closure reads call when the outbox reaches it, after fill; the
	// reply's channel orders its write of rejected before our read.
	err = n.report(instance, "call", func(driver.Events) error {
		var err error
		rejected, err = ge.Call(instance, call)
		return err
	}, func(*conn) error {
		call.CallID, call.At = n.callID(), n.clk.Now()
		return nil
	})
	if err != nil {
		return "", false, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	c := n.conn(instance)
	c.calls = append(c.calls, CallRecord{Call: call, Rejected: rejected})
	return call.CallID, rejected, nil
}

// Calls returns the calls offered to instance, oldest first.
func (n *Network) Calls(instance string) []CallRecord {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := []CallRecord{}
	if c := n.conns[instance]; c != nil {
		out = append(out, c.calls...)
	}
	return out
}

// callID makes a call id as WhatsApp's look (32 upper-case hex digits).
// Call with mu held.
func (n *Network) callID() string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(n.rnd.Uint32())
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

// NotOnWhatsApp returns two numbers the sandbox has off WhatsApp, for
// tests that need some.
func (n *Network) NotOnWhatsApp() []string {
	return []string{unreachablePrefix + "1100000001", unreachablePrefix + "1100000002"}
}
