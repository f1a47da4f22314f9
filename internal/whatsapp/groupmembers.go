package whatsapp

import (
	"context"
	"errors"
	"fmt"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/driver"
)

// UpdateParticipants adds, removes, promotes or demotes numbers in a
// group, one query for all of them. WhatsApp refuses the whole operation
// when the instance may not make it (a plain member: *RefusedError), and
// otherwise answers per number. Numbers to add are checked first, as
// WhatsApp's apps do: those not on WhatsApp are not sent.
func (d *Driver) UpdateParticipants(ctx context.Context, instance, id string, act driver.ParticipantAction, phones []string) ([]driver.ParticipantResult, error) {
	if !act.Valid() {
		return nil, fmt.Errorf("whatsapp: unknown participant action %q", act)
	}
	op := "change participants (" + string(act) + ")"
	a, jid, err := d.openedGroup(ctx, instance, id, op)
	if err != nil {
		return nil, err
	}
	numbers := unique(phones)
	absent := map[string]bool{}
	if act == driver.Add {
		found, err := onWhatsApp(ctx, a.cli, numbers)
		if err != nil {
			return nil, fmt.Errorf("whatsapp: %s in %s of %s: %w", op, jid, instance, contactFailure(err))
		}
		for _, n := range numbers {
			absent[n] = !found[n].IsIn
		}
	}
	var jids []types.JID
	for _, n := range numbers {
		if !absent[n] {
			jids = append(jids, types.NewJID(n, types.DefaultUserServer))
		}
	}
	answered := map[string]types.GroupParticipant{}
	if len(jids) > 0 {
		got, err := a.cli.UpdateGroupParticipants(ctx, jid, jids, whatsmeow.ParticipantChange(act))
		if err != nil {
			return nil, fmt.Errorf("whatsapp: %s in %s of %s: %w", op, jid, instance, groupFailure(err))
		}
		for _, p := range got {
			n, err := memberPhone(ctx, p.JID, p.PhoneNumber, lidsOf(a))
			if err != nil && !errors.Is(err, errUnresolvedLID) {
				return nil, fmt.Errorf("whatsapp: %s in %s of %s: %w", op, jid, instance, err)
			}
			answered[n] = p
		}
	}
	results := make([]driver.ParticipantResult, len(phones))
	for i, n := range phones {
		results[i] = driver.ParticipantResult{Phone: n, Status: driver.NotOnWhatsApp}
		if absent[n] {
			continue
		}
		p, ok := answered[n]
		if !ok {
			results[i].Status, results[i].Error = driver.ParticipantRefused, "WhatsApp did not answer for this number"
			continue
		}
		results[i].Status, results[i].Error = participantOutcome(act, p.Error)
	}
	return results, nil
}

// participantOutcome reads WhatsApp's error code for one number of a
// participant change (0: done).
func participantOutcome(act driver.ParticipantAction, code int) (driver.ParticipantStatus, string) {
	switch {
	case code == 0:
		return driver.ParticipantOK, ""
	case code == 404 && act == driver.Add:
		return driver.NotOnWhatsApp, ""
	}
	words, ok := participantErrors[code]
	if code == 404 {
		words, ok = "not a participant", true
	}
	if !ok {
		return driver.ParticipantRefused, fmt.Sprintf("error %d", code)
	}
	return driver.ParticipantRefused, fmt.Sprintf("%s (%d)", words, code)
}

// participantErrors words WhatsApp's per-number error codes.
var participantErrors = map[int]string{
	401: "not allowed",
	403: "their privacy settings do not allow adding them; invite them with the group's link",
	408: "they left the group recently",
	409: "already a participant",
	500: "the group is full",
}
