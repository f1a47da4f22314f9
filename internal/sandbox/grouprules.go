package sandbox

import (
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/wagateway/wagateway/internal/driver"
)

// WhatsApp's reasons, as the sandbox words them (RefusedError and
// ParticipantResult.Error show them to the client).
const (
	notAdmin       = "not an admin of the group"
	notMember      = "not a participant of the group"
	infoLocked     = "only admins can edit the group's info"
	alreadyMember  = "already a participant"
	creatorStays   = "the group's creator cannot be removed or demoted by others"
	descriptionBig = "the description is too long"
)

// infoRefusal says why who may not change a group's info (settings
// false: subject, description) or settings (true: announce, locked);
// "" when it may. These are WhatsApp's defaults: any member edits the
// info unless the group is locked, only admins change the settings.
func (g *group) infoRefusal(who string, settings bool) string {
	r, ok := g.role(who)
	switch {
	case !ok:
		return notMember
	case r != driver.Member:
		return ""
	case settings:
		return notAdmin
	case g.locked:
		return infoLocked
	}
	return ""
}

// field is one field of a driver.GroupChange.
type field struct {
	settings bool
	refusal  func() string // besides rights: the value's own limits
	apply    func()
}

// fields are c's fields in the order UpdateGroup applies them.
func (g *group) fields(c driver.GroupChange) []field {
	var fs []field
	if v := c.Subject; v != nil {
		fs = append(fs, field{refusal: func() string { return subjectRefusal(*v) }, apply: func() { g.subject = *v }})
	}
	if v := c.Description; v != nil {
		fs = append(fs, field{refusal: func() string {
			if utf8.RuneCountInString(*v) > maxDescription {
				return descriptionBig
			}
			return ""
		}, apply: func() { g.description = *v }})
	}
	if v := c.Announce; v != nil {
		fs = append(fs, field{settings: true, refusal: func() string { return "" }, apply: func() { g.announce = *v }})
	}
	if v := c.Locked; v != nil {
		fs = append(fs, field{settings: true, refusal: func() string { return "" }, apply: func() { g.locked = *v }})
	}
	return fs
}

// change applies c as who, field by field, stopping at the first
// refusal: it returns the group's state after each field applied, and the
// refusal. A field's rights do not depend on the fields before it (locked
// comes last), so checking first and applying after is the same.
func (g *group) change(who string, c driver.GroupChange, at time.Time) ([]driver.GroupUpdate, error) {
	var done []driver.GroupUpdate
	for _, f := range g.fields(c) {
		reason := g.infoRefusal(who, f.settings)
		if reason == "" {
			reason = f.refusal()
		}
		if reason != "" {
			return done, &driver.RefusedError{Reason: reason}
		}
		f.apply()
		done = append(done, g.state(at))
	}
	return done, nil
}

// checkChange is change's refusal without applying anything, for the
// far side, whose changes are all or nothing.
func (g *group) checkChange(who string, c driver.GroupChange) error {
	for _, f := range g.fields(c) {
		reason := g.infoRefusal(who, f.settings)
		if reason == "" {
			reason = f.refusal()
		}
		if reason != "" {
			return &driver.RefusedError{Reason: reason}
		}
	}
	return nil
}

// participant applies a to number as who, whose rights are checked
// already, and returns the number's outcome.
func (g *group) participant(who string, a driver.ParticipantAction, number string) driver.ParticipantResult {
	refused := func(reason string) driver.ParticipantResult {
		return driver.ParticipantResult{Phone: number, Status: driver.ParticipantRefused, Error: reason}
	}
	if !onWhatsApp(number) {
		return driver.ParticipantResult{Phone: number, Status: driver.NotOnWhatsApp}
	}
	i := g.index(number)
	switch {
	case a == driver.Add && i >= 0:
		return refused(alreadyMember)
	case a == driver.Add:
		g.members = append(g.members, driver.Participant{Phone: number})
	case i < 0:
		return refused(notMember)
	case (a == driver.Remove || a == driver.Demote) && g.members[i].Role == driver.SuperAdmin && number != who:
		return refused(creatorStays)
	case a == driver.Remove:
		g.members = slices.Delete(g.members, i, i+1)
	case a == driver.Promote && g.members[i].Role == driver.Member:
		g.members[i].Role = driver.Admin
	case a == driver.Demote:
		g.members[i].Role = driver.Member
	}
	return driver.ParticipantResult{Phone: number, Status: driver.ParticipantOK}
}

// participants applies a to each number as who, an admin or (far side)
// any member, and returns the outcomes in order and the numbers changed.
func (g *group) participants(who string, a driver.ParticipantAction, numbers []string) ([]driver.ParticipantResult, []string) {
	results := make([]driver.ParticipantResult, 0, len(numbers))
	var changed []string
	for _, number := range numbers {
		r := g.participant(who, a, number)
		results = append(results, r)
		if r.Status == driver.ParticipantOK {
			changed = append(changed, number)
		}
	}
	return results, changed
}

// allOrNothing applies a as participants does, but undoes everything
// and refuses when any number's outcome is not ok: the far side's
// changes are all or nothing, so a mistake in a test shows at once.
func (g *group) allOrNothing(who string, a driver.ParticipantAction, numbers []string) error {
	before := slices.Clone(g.members)
	results, _ := g.participants(who, a, numbers)
	for _, r := range results {
		if r.Status != driver.ParticipantOK {
			g.members = before
			reason := r.Error
			if r.Status == driver.NotOnWhatsApp {
				reason = NotOnWhatsApp
			}
			return &driver.RefusedError{Reason: fmt.Sprintf("%s: %s", r.Phone, reason)}
		}
	}
	return nil
}
