package whatsapp

import (
	"context"
	"errors"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wagateway/wagateway/internal/host"
)

var _ host.GroupDriver = (*Driver)(nil)

// errFakeGroups: the fake client does not model groups, contacts or
// calls; the driver's side of them runs against the fake WhatsApp server
// (fakegroupops_test.go and the files next to it).
var errFakeGroups = errors.New("fake: groups, contacts and calls are tested against the fake WhatsApp server")

func (c *fakeClient) GetJoinedGroups(context.Context) ([]*types.GroupInfo, error) {
	return nil, errFakeGroups
}

func (c *fakeClient) CreateGroup(context.Context, whatsmeow.ReqCreateGroup) (*types.GroupInfo, error) {
	return nil, errFakeGroups
}

func (c *fakeClient) GetGroupInfo(context.Context, types.JID) (*types.GroupInfo, error) {
	return nil, errFakeGroups
}

func (c *fakeClient) SetGroupName(context.Context, types.JID, string) error { return errFakeGroups }

func (c *fakeClient) SetGroupTopic(context.Context, types.JID, string, string, string) error {
	return errFakeGroups
}

func (c *fakeClient) SetGroupAnnounce(context.Context, types.JID, bool) error { return errFakeGroups }

func (c *fakeClient) SetGroupLocked(context.Context, types.JID, bool) error { return errFakeGroups }

func (c *fakeClient) UpdateGroupParticipants(context.Context, types.JID, []types.JID, whatsmeow.ParticipantChange) ([]types.GroupParticipant, error) {
	return nil, errFakeGroups
}

func (c *fakeClient) GetGroupInviteLink(context.Context, types.JID, bool) (string, error) {
	return "", errFakeGroups
}

func (c *fakeClient) JoinGroupWithLink(context.Context, string) (types.JID, error) {
	return types.EmptyJID, errFakeGroups
}

func (c *fakeClient) LeaveGroup(context.Context, types.JID) error { return errFakeGroups }

func (c *fakeClient) GetUserInfo(context.Context, []types.JID) (map[types.JID]types.UserInfo, error) {
	return nil, errFakeGroups
}

func (c *fakeClient) GetProfilePictureInfo(context.Context, types.JID, *whatsmeow.GetProfilePictureParams) (*types.ProfilePictureInfo, error) {
	return nil, errFakeGroups
}

func (c *fakeClient) UpdateBlocklist(context.Context, types.JID, events.BlocklistChangeAction) (*types.Blocklist, error) {
	return nil, errFakeGroups
}

func (c *fakeClient) RejectCall(context.Context, types.JID, string) error { return errFakeGroups }
