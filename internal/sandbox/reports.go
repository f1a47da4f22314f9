package sandbox

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/phone"
)

// Errors of the far side's reports.
var (
	// ErrUnknownMessage: a receipt for a message the network never
	// received from the instance; no phone could have sent it.
	ErrUnknownMessage = errors.New("no such message was sent from this instance")
	// ErrNotHeard: the host the network reports to does not take this
	// kind of report (driver.ReceiptEvents, driver.UpdateEvents). It is
	// a wiring mistake, not something a phone did wrong; the sandbox says
	// so rather than acknowledging a report nobody heard.
	ErrNotHeard = errors.New("the session host does not take these reports")
)

// Receipt is the recipient's phone of a message the instance sent
// (messageID, our id, as in Sent) acknowledging it: delivered, or read.
// The host hears it as WhatsApp reports it: the message's WhatsApp id,
// with the network's time. Like Inbound, it returns once the host has
// answered; sending the same receipt twice reports it twice, as WhatsApp
// may.
func (n *Network) Receipt(instance, messageID string, status driver.ReceiptStatus) error {
	if status != driver.Delivered && status != driver.Read {
		return fmt.Errorf("sandbox: receipt to %s: unknown status %q", instance, status)
	}
	rec, ok := n.events.(driver.ReceiptEvents)
	if !ok {
		return fmt.Errorf("sandbox: receipt to %s: %w", instance, ErrNotHeard)
	}
	r := driver.Receipt{Status: status}
	// The closure reads r when the outbox reaches it, after fill.
	return n.report(instance, "receipt", func(driver.Events) error { return rec.Receipt(instance, r) }, func(c *conn) error {
		wa := sentWAID(c, messageID)
		if wa == "" {
			return ErrUnknownMessage
		}
		r.WAMessageIDs, r.At = []string{wa}, n.clk.Now()
		return nil
	})
}

// sentWAID is the WhatsApp id of the message c sent with our id
// messageID, "" if the log has none. Edits and deletions share the id of
// the message they change, and receipts are for messages, so they do not
// count. Call with mu held.
func sentWAID(c *conn, messageID string) string {
	for i := len(c.sent) - 1; i >= 0; i-- {
		if r := c.sent[i]; r.MessageID == messageID && r.Edit == nil && r.Revoke == nil {
			return r.WAMessageID
		}
	}
	return ""
}

// Update is someone else reacting to a message, editing or deleting for
// everyone one of theirs, or voting in a poll (u.Kind). u.MessageID is
// the WhatsApp id of the message concerned; u.Chat is as Inbound's (a
// group id, or empty for the direct chat with u.From); a missing
// Timestamp is the network's time in whole seconds. A vote carries its
// options as WhatsApp does, as SHA-256 hashes of their texts: the
// SelectedOptions given become OptionHashes, so the host matches them
// against the poll it knows exactly as it does with real WhatsApp (an
// option the poll does not have matches nothing). Like Inbound, it
// returns once the host has answered.
func (n *Network) Update(instance string, u driver.Update) error {
	switch {
	case !phone.Valid(u.From):
		return fmt.Errorf("sandbox: %s to %s: from: %s", u.Kind, instance, phone.FormatMessage)
	case u.Kind != driver.Reacted && u.Kind != driver.Edited && u.Kind != driver.Revoked && u.Kind != driver.Voted:
		return fmt.Errorf("sandbox: update to %s: unknown kind %q", instance, u.Kind)
	case u.MessageID == "":
		return fmt.Errorf("sandbox: %s to %s: no message id", u.Kind, instance)
	}
	var err error
	if u.Chat, u.IsGroup, err = where(u.Chat, u.From); err != nil {
		return fmt.Errorf("sandbox: %s to %s: %w", u.Kind, instance, err)
	}
	up, ok := n.events.(driver.UpdateEvents)
	if !ok {
		return fmt.Errorf("sandbox: %s to %s: %w", u.Kind, instance, ErrNotHeard)
	}
	if u.Kind == driver.Voted && u.OptionHashes == nil {
		u.OptionHashes = make([][]byte, 0, len(u.SelectedOptions))
		for _, o := range u.SelectedOptions {
			sum := sha256.Sum256([]byte(o))
			u.OptionHashes = append(u.OptionHashes, sum[:])
		}
		u.SelectedOptions = nil
	}
	// The closure reads u when the outbox reaches it, after fill.
	return n.report(instance, string(u.Kind), func(driver.Events) error { return up.Updated(instance, u) }, func(*conn) error {
		if u.Timestamp.IsZero() {
			u.Timestamp = n.clk.Now().Truncate(time.Second)
		}
		return nil
	})
}
