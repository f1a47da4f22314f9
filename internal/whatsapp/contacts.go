package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wagateway/wagateway/internal/driver"
)

// CheckContacts says for each number, in the order asked, whether it is
// on WhatsApp: one directory query for all of them (repeats asked once).
func (d *Driver) CheckContacts(ctx context.Context, instance string, phones []string) ([]bool, error) {
	a, err := d.opened(ctx, instance, "check numbers")
	if err != nil {
		return nil, err
	}
	found, err := onWhatsApp(ctx, a.cli, unique(phones))
	if err != nil {
		return nil, fmt.Errorf("whatsapp: check numbers for %s: %w", instance, contactFailure(err))
	}
	out := make([]bool, len(phones))
	for i, n := range phones {
		out[i] = found[n].IsIn
	}
	return out, nil
}

// Contact describes a number as WhatsApp shows it to the instance: its
// business's verified name (or the push name the device has seen), its
// about text and profile picture, each "" when WhatsApp tells nothing
// (none set, or hidden by the person's privacy settings). A number not on
// WhatsApp is asked nothing more.
func (d *Driver) Contact(ctx context.Context, instance, phone string) (driver.Contact, error) {
	a, err := d.opened(ctx, instance, "read contact")
	if err != nil {
		return driver.Contact{}, err
	}
	fail := func(err error) (driver.Contact, error) {
		return driver.Contact{}, fmt.Errorf("whatsapp: read contact for %s: %w", instance, contactFailure(err))
	}
	found, err := onWhatsApp(ctx, a.cli, []string{phone})
	if err != nil {
		return fail(err)
	}
	c := driver.Contact{Phone: phone}
	r := found[phone]
	if !r.IsIn {
		return c, nil
	}
	c.OnWhatsApp = true
	if vn := r.VerifiedName; vn != nil && vn.Details != nil {
		c.Name = vn.Details.GetVerifiedName()
	}
	pn := types.NewJID(phone, types.DefaultUserServer)
	if c.Name == "" {
		c.Name = pushName(ctx, a, pn, r.JID)
	}
	infos, err := a.cli.GetUserInfo(ctx, []types.JID{pn})
	if err != nil {
		return fail(err)
	}
	info := infos[pn]
	c.About = info.Status
	if info.PictureID == "" {
		return c, nil // none, or hidden: asking for its URL would be refused
	}
	pic, err := a.cli.GetProfilePictureInfo(ctx, pn, &whatsmeow.GetProfilePictureParams{})
	switch {
	case errors.Is(err, whatsmeow.ErrProfilePictureNotSet), errors.Is(err, whatsmeow.ErrProfilePictureUnauthorized):
	case err != nil:
		return fail(err)
	case pic != nil:
		c.PictureURL = pic.URL
	}
	return c, nil
}

// pushName is the profile name the device has seen for the person (by
// number or by LID), "" if none.
func pushName(ctx context.Context, a *attempt, jids ...types.JID) string {
	if a.dev.Contacts == nil {
		return ""
	}
	for _, j := range jids {
		if j.IsEmpty() {
			continue
		}
		if info, err := a.dev.Contacts.GetContact(ctx, j); err == nil && info.PushName != "" {
			return info.PushName
		}
	}
	return ""
}

// Block blocks (block true) or unblocks a number. A number without a
// WhatsApp account cannot be blocked: *RefusedError.
func (d *Driver) Block(ctx context.Context, instance, phone string, block bool) error {
	a, err := d.opened(ctx, instance, "block")
	if err != nil {
		return err
	}
	action := events.BlocklistChangeActionBlock
	if !block {
		action = events.BlocklistChangeActionUnblock
	}
	if _, err := a.cli.UpdateBlocklist(ctx, types.NewJID(phone, types.DefaultUserServer), action); err != nil {
		if strings.Contains(err.Error(), noLIDText) {
			return &driver.RefusedError{Reason: NotOnWhatsApp}
		}
		return fmt.Errorf("whatsapp: %s for %s: %w", action, instance, contactFailure(err))
	}
	return nil
}

// onWhatsApp asks WhatsApp which numbers have an account (and whatsmeow
// keeps their LIDs): the answer for each number asked, IsIn false for
// one WhatsApp does not know.
func onWhatsApp(ctx context.Context, look lookup, numbers []string) (map[string]types.IsOnWhatsAppResponse, error) {
	found := make(map[string]types.IsOnWhatsAppResponse, len(numbers))
	if len(numbers) == 0 {
		return found, nil
	}
	queries := make([]string, len(numbers))
	for i, n := range numbers {
		queries[i] = "+" + n
	}
	answers, err := look.IsOnWhatsApp(ctx, queries)
	if err != nil {
		return nil, fmt.Errorf("ask WhatsApp which numbers have an account: %w", err)
	}
	for _, r := range answers {
		n := strings.TrimPrefix(r.Query, "+")
		if n == "" {
			n = r.PhoneNumber.User
		}
		found[n] = r
	}
	return found, nil
}

// contactFailure classifies the error of a contact operation: no
// connection, WhatsApp's refusal, or a session failure.
func contactFailure(err error) error {
	mapped, _ := connFailure(err)
	return mapped
}
