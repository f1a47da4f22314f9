package whatsapp

import (
	"context"
	"errors"

	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wagateway/wagateway/internal/driver"
)

// Group mapping: whatsmeow's group info and notifications, and call
// offers, as the port names them. People are phone numbers: WhatsApp
// names them by LID more and more (LID-addressed groups, calls), and the
// LID store resolves those, as for inbound messages (mapinbound.go).

// memberPhone is the phone number of a group member, actor or caller
// named by jid, with alt its other address when WhatsApp gave one;
// errUnresolvedLID when it is a LID the store cannot resolve.
func memberPhone(ctx context.Context, jid, alt types.JID, lids lidResolver) (string, error) {
	return senderPhone(ctx, types.MessageSource{Sender: jid, SenderAlt: alt}, lids)
}

// groupOf turns whatsmeow's group info into the port's group. A
// participant WhatsApp did not add (an error code: a creation's refused
// numbers) is not in the group; one known only by a LID the store cannot
// resolve is left out, since the port names members by number.
func groupOf(ctx context.Context, info *types.GroupInfo, lids lidResolver) (driver.Group, error) {
	g := driver.Group{ID: info.JID.String(), Subject: info.Name, Description: info.Topic,
		Announce: info.IsAnnounce, Locked: info.IsLocked, Participants: []driver.Participant{}}
	if !info.GroupCreated.IsZero() {
		g.CreatedAt = info.GroupCreated.UTC()
	}
	owner, alt := info.OwnerJID, info.OwnerPN
	if owner.IsEmpty() {
		owner, alt = alt, types.EmptyJID
	}
	if !owner.IsEmpty() {
		number, err := memberPhone(ctx, owner, alt, lids)
		if err != nil && !errors.Is(err, errUnresolvedLID) {
			return driver.Group{}, err
		}
		g.Owner = number
	}
	for _, p := range info.Participants {
		if p.Error != 0 {
			continue
		}
		number, err := memberPhone(ctx, p.JID, p.PhoneNumber, lids)
		switch {
		case errors.Is(err, errUnresolvedLID):
			continue
		case err != nil:
			return driver.Group{}, err
		case number == "":
			continue
		}
		role := driver.Member
		switch {
		case p.IsSuperAdmin:
			role = driver.SuperAdmin
		case p.IsAdmin:
			role = driver.Admin
		}
		g.Participants = append(g.Participants, driver.Participant{Phone: number, Role: role})
	}
	return g, nil
}

// participantChanges are the membership changes a group notification
// carries (usually one), each with who made it. By is "" when WhatsApp
// does not say.
func participantChanges(ctx context.Context, e *events.GroupInfo, lids lidResolver) ([]driver.GroupParticipants, error) {
	by, err := actor(ctx, e.Sender, e.SenderPN, lids)
	if err != nil {
		return nil, err
	}
	var out []driver.GroupParticipants
	for _, c := range []struct {
		action driver.ParticipantAction
		jids   []types.JID
	}{{driver.Add, e.Join}, {driver.Remove, e.Leave}, {driver.Promote, e.Promote}, {driver.Demote, e.Demote}} {
		if len(c.jids) == 0 {
			continue
		}
		phones, err := memberPhones(ctx, c.jids, lids)
		if err != nil {
			return nil, err
		}
		out = append(out, driver.GroupParticipants{Group: e.JID.String(), Action: c.action, Participants: phones,
			By: by, At: e.Timestamp.UTC()})
	}
	return out, nil
}

// joinedGroup is the membership change of the instance (self, its phone
// number) joining a group: added by someone, or joining by invite link
// (By is then the instance). ok is false for a group the instance
// created itself: a creation is not a change (the creator learns the
// group from CreateGroup's answer).
func joinedGroup(ctx context.Context, e *events.JoinedGroup, self string, lids lidResolver) (change driver.GroupParticipants, ok bool, err error) {
	by, err := actor(ctx, e.Sender, e.SenderPN, lids)
	if err != nil {
		return driver.GroupParticipants{}, false, err
	}
	if e.Reason == "invite" {
		by = self
	}
	if e.Type == "new" && (by == self || by == "" && e.OwnerJID.User == self) {
		return driver.GroupParticipants{}, false, nil
	}
	return driver.GroupParticipants{Group: e.JID.String(), Action: driver.Add, Participants: []string{self}, By: by}, true, nil
}

// settingsChanged reports whether a group notification changes what
// driver.GroupUpdate describes.
func settingsChanged(e *events.GroupInfo) bool {
	return e.Name != nil || e.Topic != nil || e.Announce != nil || e.Locked != nil
}

// applyChange is the group's state after the change e, from its state
// before.
func applyChange(e *events.GroupInfo, before driver.GroupUpdate) driver.GroupUpdate {
	u := before
	u.Group, u.At = e.JID.String(), e.Timestamp.UTC()
	if e.Name != nil {
		u.Subject = e.Name.Name
	}
	if e.Topic != nil {
		u.Description = e.Topic.Topic
	}
	if e.Announce != nil {
		u.Announce = e.Announce.IsAnnounce
	}
	if e.Locked != nil {
		u.Locked = e.Locked.IsLocked
	}
	return u
}

// callOf is a call offer as the port describes it.
func callOf(ctx context.Context, e *events.CallOffer, lids lidResolver) (driver.Call, error) {
	from, err := memberPhone(ctx, e.CallCreator, e.CallCreatorAlt, lids)
	if err != nil {
		return driver.Call{}, err
	}
	video := false
	if e.Data != nil {
		_, video = e.Data.GetOptionalChildByTag("video")
	}
	return driver.Call{From: from, CallID: e.CallID, Video: video, At: e.Timestamp.UTC()}, nil
}

// actor is the phone number of who made a change, "" when WhatsApp does
// not say.
func actor(ctx context.Context, sender, senderPN *types.JID, lids lidResolver) (string, error) {
	if sender == nil {
		return "", nil
	}
	var alt types.JID
	if senderPN != nil {
		alt = *senderPN
	}
	return memberPhone(ctx, *sender, alt, lids)
}

func memberPhones(ctx context.Context, jids []types.JID, lids lidResolver) ([]string, error) {
	phones := make([]string, 0, len(jids))
	for _, j := range jids {
		n, err := memberPhone(ctx, j, types.EmptyJID, lids)
		if err != nil {
			return nil, err
		}
		if n != "" {
			phones = append(phones, n)
		}
	}
	return phones, nil
}
