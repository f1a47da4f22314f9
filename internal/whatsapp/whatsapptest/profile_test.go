package whatsapptest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// TestProfiles: about and picture as GetUserInfo and GetProfilePictureInfo
// read them, hidden ones refused, a business's verified name in
// IsOnWhatsApp.
func TestProfiles(t *testing.T) {
	s := NewServer(t)
	c, _ := link(t, s, phoneA)
	const url = "https://pps.whatsapp.net/v/t61.24694-24/b.jpg"
	s.SetProfile(phoneB, Profile{About: "En el trabajo", PictureURL: url, BusinessName: "Ferretería Sur"})
	s.SetProfile(phoneC, Profile{About: "secret", PictureURL: url, Hidden: true})
	ctx := context.Background()

	infos, err := c.GetUserInfo(ctx, []types.JID{pn(phoneB), pn(phoneC), pn(phoneD)})
	require.NoError(t, err)
	require.Equal(t, "En el trabajo", infos[pn(phoneB)].Status)
	require.NotEmpty(t, infos[pn(phoneB)].PictureID)
	require.Equal(t, s.LID(phoneB), infos[pn(phoneB)].LID)
	require.Empty(t, infos[pn(phoneC)].Status, "hidden")
	require.Empty(t, infos[pn(phoneC)].PictureID, "hidden")
	require.Empty(t, infos[pn(phoneD)].Status, "none set")

	pic, err := c.GetProfilePictureInfo(ctx, pn(phoneB), nil)
	require.NoError(t, err)
	require.Equal(t, url, pic.URL)
	require.Equal(t, infos[pn(phoneB)].PictureID, pic.ID)
	_, err = c.GetProfilePictureInfo(ctx, pn(phoneC), nil)
	require.ErrorIs(t, err, whatsmeow.ErrProfilePictureUnauthorized)
	_, err = c.GetProfilePictureInfo(ctx, pn(phoneD), nil)
	require.ErrorIs(t, err, whatsmeow.ErrProfilePictureNotSet)

	found, err := c.IsOnWhatsApp(ctx, []string{"+" + phoneB, "+" + phoneD})
	require.NoError(t, err)
	require.Len(t, found, 2)
	require.Equal(t, "Ferretería Sur", found[0].VerifiedName.Details.GetVerifiedName())
	require.Nil(t, found[1].VerifiedName, "a personal account")
}

// TestBlocklist: blocking by number (whatsmeow finds the LID first) and
// unblocking, the list answered each time.
func TestBlocklist(t *testing.T) {
	s := NewServer(t)
	c, _ := link(t, s, phoneA)
	ctx := context.Background()

	list, err := c.UpdateBlocklist(ctx, pn(phoneB), events.BlocklistChangeActionBlock)
	require.NoError(t, err)
	require.Equal(t, []types.JID{s.LID(phoneB)}, list.JIDs)
	_, err = c.UpdateBlocklist(ctx, pn(phoneC), events.BlocklistChangeActionBlock)
	require.NoError(t, err)
	require.Equal(t, []string{phoneB, phoneC}, s.Blocked(phoneA))

	list, err = c.UpdateBlocklist(ctx, pn(phoneB), events.BlocklistChangeActionUnblock)
	require.NoError(t, err)
	require.Equal(t, []types.JID{s.LID(phoneC)}, list.JIDs)
	require.Equal(t, []string{phoneC}, s.Blocked(phoneA))

	s.NotOnWhatsApp(phoneD)
	_, err = c.UpdateBlocklist(ctx, pn(phoneD), events.BlocklistChangeActionBlock)
	require.ErrorContains(t, err, "no LID found", "a number without an account has no LID to block")
}
