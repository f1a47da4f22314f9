package devicestoretest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
)

func contacts(t *testing.T, c Container) {
	ctx := t.Context()
	d := paired(t, c, "15550040001:1@s.whatsapp.net")
	cs := d.Contacts
	alice, bob := jid(t, "111@s.whatsapp.net"), jid(t, "222@s.whatsapp.net")

	got, err := cs.GetContact(ctx, alice)
	require.NoError(t, err)
	require.Equal(t, types.ContactInfo{}, got)

	changed, prev, err := cs.PutPushName(ctx, alice, "Al")
	require.NoError(t, err)
	require.True(t, changed)
	require.Empty(t, prev)
	changed, _, err = cs.PutPushName(ctx, alice, "Al")
	require.NoError(t, err)
	require.False(t, changed, "same push name")
	changed, prev, err = cs.PutPushName(ctx, alice, "Alice")
	require.NoError(t, err)
	require.True(t, changed)
	require.Equal(t, "Al", prev)

	changed, prev, err = cs.PutBusinessName(ctx, alice, "Alice Inc")
	require.NoError(t, err)
	require.True(t, changed)
	require.Empty(t, prev)
	changed, _, err = cs.PutBusinessName(ctx, alice, "Alice Inc")
	require.NoError(t, err)
	require.False(t, changed)

	// sqlstore stores the third argument as the first name, whatever the
	// interface calls it; whatsmeow passes (first, full).
	require.NoError(t, cs.PutContactName(ctx, alice, "Ali", "Alice Smith"))
	require.NoError(t, cs.PutContactName(ctx, bob, "Bob", "Bob Jones"))
	got, err = cs.GetContact(ctx, alice)
	require.NoError(t, err)
	require.Equal(t, types.ContactInfo{Found: true, FirstName: "Ali", FullName: "Alice Smith", PushName: "Alice", BusinessName: "Alice Inc"}, got)

	// A fresh load of the device reads the same from storage.
	loaded, err := c.GetDevice(ctx, *d.ID)
	require.NoError(t, err)
	got, err = loaded.Contacts.GetContact(ctx, alice)
	require.NoError(t, err)
	require.Equal(t, types.ContactInfo{Found: true, FirstName: "Ali", FullName: "Alice Smith", PushName: "Alice", BusinessName: "Alice Inc"}, got)
	all, err := loaded.Contacts.GetAllContacts(ctx)
	require.NoError(t, err)
	require.Equal(t, map[types.JID]types.ContactInfo{
		alice: {Found: true, FirstName: "Ali", FullName: "Alice Smith", PushName: "Alice", BusinessName: "Alice Inc"},
		bob:   {Found: true, FirstName: "Bob", FullName: "Bob Jones"},
	}, all)

	other := paired(t, c, "15550040002:1@s.whatsapp.net")
	all, err = other.Contacts.GetAllContacts(ctx)
	require.NoError(t, err)
	require.Empty(t, all, "contacts belong to one device")
}

func contactBatches(t *testing.T, c Container) {
	ctx := t.Context()
	d := paired(t, c, "15550040003:1@s.whatsapp.net")
	cs := d.Contacts
	alice, bob, carol := jid(t, "111@s.whatsapp.net"), jid(t, "222@s.whatsapp.net"), jid(t, "333@lid")

	require.NoError(t, cs.PutAllContactNames(ctx, nil))
	_, _, err := cs.PutPushName(ctx, alice, "Alice")
	require.NoError(t, err)
	_, err = cs.GetContact(ctx, bob) // caches "not found" in sqlstore
	require.NoError(t, err)
	require.NoError(t, cs.PutAllContactNames(ctx, []store.ContactEntry{
		{JID: alice, FirstName: "Ali", FullName: "Alice A"},
		{JID: bob, FirstName: "Bob", FullName: "Bob B"},
		{JID: alice, FirstName: "Dup", FullName: "Duplicate"},
	}))
	got, err := cs.GetContact(ctx, alice)
	require.NoError(t, err)
	require.Equal(t, types.ContactInfo{Found: true, FirstName: "Ali", FullName: "Alice A", PushName: "Alice"}, got, "the first of duplicates wins; push names stay")
	got, err = cs.GetContact(ctx, bob)
	require.NoError(t, err)
	require.Equal(t, types.ContactInfo{Found: true, FirstName: "Bob", FullName: "Bob B"}, got)

	require.NoError(t, cs.PutManyRedactedPhones(ctx, nil))
	require.NoError(t, cs.PutManyRedactedPhones(ctx, []store.RedactedPhoneEntry{
		{JID: bob, RedactedPhone: "+1 555-***-**22"}, {JID: carol, RedactedPhone: "+44 ***"},
	}))
	got, err = cs.GetContact(ctx, bob)
	require.NoError(t, err)
	require.Equal(t, types.ContactInfo{Found: true, FirstName: "Bob", FullName: "Bob B", RedactedPhone: "+1 555-***-**22"}, got)
	got, err = cs.GetContact(ctx, carol)
	require.NoError(t, err)
	require.Equal(t, types.ContactInfo{Found: true, RedactedPhone: "+44 ***"}, got)

	// An address book sync, well past one write batch.
	book := make([]store.ContactEntry, 250)
	for i := range book {
		book[i] = store.ContactEntry{JID: types.NewJID(fmt.Sprintf("1555%07d", i), types.DefaultUserServer), FirstName: "F", FullName: fmt.Sprint("Name ", i)}
	}
	require.NoError(t, cs.PutAllContactNames(ctx, book))
	all, err := cs.GetAllContacts(ctx)
	require.NoError(t, err)
	require.Len(t, all, 253)
	require.Equal(t, "Name 249", all[book[249].JID].FullName)
}

func chatSettings(t *testing.T, c Container) {
	ctx := t.Context()
	s := paired(t, c, "15550040004:1@s.whatsapp.net").ChatSettings
	chat := jid(t, "111@s.whatsapp.net")

	got, err := s.GetChatSettings(ctx, chat)
	require.NoError(t, err)
	require.Equal(t, types.LocalChatSettings{}, got)

	require.NoError(t, s.PutPinned(ctx, chat, true))
	got, err = s.GetChatSettings(ctx, chat)
	require.NoError(t, err)
	require.Equal(t, types.LocalChatSettings{Found: true, Pinned: true}, got)

	until := time.Date(2030, 1, 2, 3, 4, 5, 600, time.UTC)
	require.NoError(t, s.PutMutedUntil(ctx, chat, until))
	require.NoError(t, s.PutArchived(ctx, chat, true))
	got, err = s.GetChatSettings(ctx, chat)
	require.NoError(t, err)
	require.True(t, got.Found && got.Pinned && got.Archived)
	require.Equal(t, until.Unix(), got.MutedUntil.Unix(), "seconds precision")

	require.NoError(t, s.PutMutedUntil(ctx, chat, store.MutedForever))
	require.NoError(t, s.PutPinned(ctx, chat, false))
	got, err = s.GetChatSettings(ctx, chat)
	require.NoError(t, err)
	require.Equal(t, store.MutedForever, got.MutedUntil)
	require.False(t, got.Pinned)
	require.True(t, got.Archived)

	require.NoError(t, s.PutMutedUntil(ctx, chat, time.Time{}))
	got, err = s.GetChatSettings(ctx, chat)
	require.NoError(t, err)
	require.True(t, got.MutedUntil.IsZero(), "unmuted")

	group := chatJID
	require.NoError(t, s.PutArchived(ctx, group, true))
	got, err = s.GetChatSettings(ctx, group)
	require.NoError(t, err)
	require.Equal(t, types.LocalChatSettings{Found: true, Archived: true}, got)
}
