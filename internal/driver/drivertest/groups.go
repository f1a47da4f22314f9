package drivertest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
)

// GroupDriver is a Driver that also serves the group and contact routes
// (host.GroupDriver, whose doc comments are the semantics; declared again
// here so that the suite does not depend on the host) and reports group
// changes and calls through driver.GroupEvents.
//
// Beyond those doc comments, RunGroups holds drivers to:
//
//   - a change reaches GroupEvents whoever made it: another member, or
//     the instance itself (UpdateGroup, UpdateParticipants, JoinGroup and
//     LeaveGroup report the instance's own number as By);
//   - creating a group and revoking an invite link are not changes: they
//     report nothing;
//   - UpdateParticipants reports one GroupParticipants with the numbers
//     whose outcome was ok, none if there is none; each field UpdateGroup
//     applies may report a GroupUpdated of its own, the last one carrying
//     the group's final state;
//   - a refused operation reports nothing;
//   - Groups lists each group as Group describes it;
//   - only admins change the settings (announce, locked), manage
//     participants and see the invite link; any member edits the subject
//     and description unless the group is locked.
type GroupDriver interface {
	Driver
	Groups(ctx context.Context, instance string) ([]driver.Group, error)
	CreateGroup(ctx context.Context, instance, subject string, participants []string) (driver.Group, error)
	Group(ctx context.Context, instance, id string) (driver.Group, error)
	UpdateGroup(ctx context.Context, instance, id string, c driver.GroupChange) error
	UpdateParticipants(ctx context.Context, instance, id string, a driver.ParticipantAction,
		phones []string) ([]driver.ParticipantResult, error)
	InviteLink(ctx context.Context, instance, id string, reset bool) (string, error)
	JoinGroup(ctx context.Context, instance, link string) (string, error)
	LeaveGroup(ctx context.Context, instance, id string) error
	CheckContacts(ctx context.Context, instance string, phones []string) ([]bool, error)
	Contact(ctx context.Context, instance, phone string) (driver.Contact, error)
	Block(ctx context.Context, instance, phone string, block bool) error
}

// GroupPhone is the far side of the group cases: the other members of the
// instance's groups, callers, and what WhatsApp's servers know. Groups are
// named as the instance sees them, so the far side may keep them per
// instance. Each method that reports something to an open instance returns
// once the instance has acknowledged it.
type GroupPhone interface {
	Phone
	// NotOnWhatsApp returns at least two distinct valid numbers that are
	// not on WhatsApp; every number the suite uses besides these is.
	NotOnWhatsApp() []string
	// NewGroup is creator making a group with members (never the
	// instance's number), which the instance can then join by a link or
	// be added to; it returns the group's id.
	NewGroup(instance, creator, subject string, members []string) (string, error)
	// GroupEvent is e.By, a member, changing e.Group's membership
	// (e.Action on e.Participants); the instance hears it if it is a
	// member before or after.
	GroupEvent(instance string, e driver.GroupParticipants) error
	// ChangeGroup is by, a member, changing the group's subject,
	// description or settings.
	ChangeGroup(instance, group, by string, c driver.GroupChange) error
	// GroupInvite is the group's current invite link as by, a member,
	// gets it.
	GroupInvite(instance, group, by string) (string, error)
	// Call is from calling the instance; it returns the call's id and
	// whether the instance rejected it, once it answered the offer.
	Call(instance, from string, video bool) (callID string, rejected bool, err error)
	// Blocked is the numbers the instance's account has blocked, in any
	// order.
	Blocked(instance string) []string
	// SetProfile sets what WhatsApp tells about c.Phone (Name, About,
	// PictureURL; OnWhatsApp is ignored).
	SetProfile(c driver.Contact) error
}

// GroupHarness builds one driver and its far side, as Harness does;
// events implements driver.GroupEvents.
type GroupHarness func(t *testing.T, events driver.Events, clk *clock.Fake) (GroupDriver, GroupPhone)

// More phones for the group cases.
const (
	phoneC = "5491155550003"
	phoneD = "5491155550004"
)

// groupSetup is one group case's driver, far side and events.
type groupSetup struct {
	*setup
	gd  GroupDriver
	gp  GroupPhone
	gev *GroupRecorder
}

// RunGroups runs every group, contact and call case, each on a fresh
// driver from h.
func RunGroups(t *testing.T, h GroupHarness) {
	cases := []struct {
		name string
		run  func(t *testing.T, s *groupSetup)
	}{
		{"create a group", createGroup},
		{"list groups", listGroups},
		{"a group the instance is not in", notInGroup},
		{"update a group", updateGroup},
		{"not an admin", notAdmin},
		{"manage participants", manageParticipants},
		{"changes by others", changesByOthers},
		{"invite links", inviteLinks},
		{"join by link and leave", joinAndLeave},
		{"check contacts", checkContacts},
		{"block and unblock", blockContacts},
		{"calls", calls},
		{"closed instance", groupsClosed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := NewGroupRecorder()
			clk := clock.NewFake(t0)
			d, p := h(t, ev, clk)
			s := &setup{ev: ev.Recorder, clk: clk, d: d, p: p}
			c.run(t, &groupSetup{setup: s, gd: d, gp: p, gev: ev})
		})
	}
}

// sorted returns g with its participants in phone order, for comparing
// groups whatever order a driver lists members in.
func sorted(g driver.Group) driver.Group {
	g.Participants = slices.Clone(g.Participants)
	slices.SortFunc(g.Participants, func(a, b driver.Participant) int { return strings.Compare(a.Phone, b.Phone) })
	return g
}

// members builds a sorted participant list from phone/role pairs.
func members(ps ...driver.Participant) []driver.Participant {
	return sorted(driver.Group{Participants: ps}).Participants
}

// group reads id as the instance sees it, participants sorted.
func (s *groupSetup) group(t *testing.T, id string) driver.Group {
	t.Helper()
	g, err := s.gd.Group(context.Background(), instA, id)
	require.NoError(t, err, "group %s", id)
	return sorted(g)
}

// create makes a group as instA, failing the test on an error.
func (s *groupSetup) create(t *testing.T, subject string, participants ...string) driver.Group {
	t.Helper()
	g, err := s.gd.CreateGroup(context.Background(), instA, subject, participants)
	require.NoError(t, err, "create %q", subject)
	return sorted(g)
}

// expectParticipants takes instA's next group event, which must be the
// membership change want (At is checked to be set, not compared).
func (s *groupSetup) expectParticipants(t *testing.T, want driver.GroupParticipants) {
	t.Helper()
	got := s.gev.ExpectGroup(t, instA, Participants).Participants
	require.False(t, got.At.IsZero(), "the change's time")
	got.At = time.Time{}
	require.Equal(t, want, got)
}

// expectUpdate takes instA's group events until one carries the state
// want; every one before it must be a GroupUpdated of the same group (a
// driver may report each field it applied).
func (s *groupSetup) expectUpdate(t *testing.T, want driver.GroupUpdate) {
	t.Helper()
	for {
		got := s.gev.ExpectGroup(t, instA, GroupUpdated).Update
		require.Equal(t, want.Group, got.Group)
		require.False(t, got.At.IsZero(), "the change's time")
		got.At = time.Time{}
		if got == want {
			return
		}
	}
}

// refused checks that err is WhatsApp refusing the operation, with a
// reason to show.
func refused(t *testing.T, err error, what string) {
	t.Helper()
	var re *driver.RefusedError
	require.True(t, errors.As(err, &re), "%s: want *driver.RefusedError, got %v", what, err)
	require.NotEmpty(t, re.Reason, "%s: the reason shown to the client", what)
}
