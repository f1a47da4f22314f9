package whatsapp

import (
	"context"
	"errors"
	"fmt"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/driver"
)

// The group and contact operations run on the instance's open
// connection, at once (no queue): what they fail with becomes the port's
// errors here. WhatsApp answers queries with status codes; whatsmeow
// passes them on as *whatsmeow.IQError, sometimes wrapped in a sentinel
// of its own (ErrGroupNotFound, ErrNotInGroup...), which still unwraps to
// the IQError.

// refusals words WhatsApp's codes for an operation it refuses itself, as
// the API shows them (409, "WhatsApp refused: ..."). The code and
// WhatsApp's text follow in parentheses.
var refusals = map[int]string{
	401: "only group admins can do this",
	405: "not allowed",
	406: "not acceptable (a subject or description too long, or a value WhatsApp does not take)",
	409: "the group changed meanwhile, try again",
	419: "the group is full",
	429: "too many changes, try again later",
}

// refusal is the RefusedError of an IQError WhatsApp refused the
// operation with, nil for codes that are no refusal of the operation.
func refusal(iq *whatsmeow.IQError) *driver.RefusedError {
	words, ok := refusals[iq.Code]
	if !ok {
		return nil
	}
	return &driver.RefusedError{Reason: fmt.Sprintf("%s (%d %s)", words, iq.Code, iq.Text)}
}

// connFailure maps what every operation on the connection can fail
// with: no connection (ErrNotConnected) and WhatsApp's refusals. ok is
// false for anything else, left to the caller.
func connFailure(err error) (mapped error, ok bool) {
	var disc *whatsmeow.DisconnectedError
	var iq *whatsmeow.IQError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err, true
	case errors.Is(err, whatsmeow.ErrNotConnected), errors.Is(err, whatsmeow.ErrNotLoggedIn), errors.As(err, &disc):
		return fmt.Errorf("%w: %w", driver.ErrNotConnected, err), true
	case errors.As(err, &iq):
		if r := refusal(iq); r != nil {
			return r, true
		}
	}
	return err, false
}

// groupFailure classifies the error of an operation on a group: a group
// that does not exist (404) or that the instance is not in (403) is
// driver.ErrNoGroup; a refusal a *driver.RefusedError; anything else a
// session failure, wrapped.
func groupFailure(err error) error {
	if err == nil {
		return nil
	}
	var iq *whatsmeow.IQError
	switch {
	case errors.Is(err, whatsmeow.ErrGroupNotFound), errors.Is(err, whatsmeow.ErrNotInGroup),
		errors.As(err, &iq) && (iq.Code == 403 || iq.Code == 404):
		return fmt.Errorf("%w: %w", driver.ErrNoGroup, err)
	case errors.Is(err, whatsmeow.ErrGroupInviteLinkUnauthorized):
		return &driver.RefusedError{Reason: refusals[401] + " (401 not-authorized)"}
	}
	mapped, _ := connFailure(err)
	return mapped
}

// opened returns the instance's connection if it is open.
func (d *Driver) opened(ctx context.Context, instance, op string) (*attempt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a, p := d.current(instance)
	if a == nil || p != open {
		return nil, fmt.Errorf("whatsapp: %s of %s: %w", op, instance, driver.ErrNotConnected)
	}
	return a, nil
}

// groupJID is the JID of a group id as the port names groups. Something
// that is not a group id names no group the instance is in.
func groupJID(id string) (types.JID, error) {
	r, ok := chat.Parse(id)
	if !ok || !r.Group {
		return types.EmptyJID, fmt.Errorf("%q is not a group id: %w", id, driver.ErrNoGroup)
	}
	return types.NewJID(r.User, types.GroupServer), nil
}
