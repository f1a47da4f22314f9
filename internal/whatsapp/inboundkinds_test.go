package whatsapp

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/driver"
)

// The kinds, quotes, mentions and chats of inbound messages beyond those
// of TestInbound, without a server.

func TestInboundKindsAndContext(t *testing.T) {
	lids := lidMap{m: map[string]string{senderLID: sender, "203456789099999": phoneC}}
	options := []*waE2E.PollCreationMessage_Option{{OptionName: proto.String("yes")}, {OptionName: proto.String("no")}}
	pollOf := func(n uint32) *waE2E.PollCreationMessage {
		return &waE2E.PollCreationMessage{Name: proto.String("ok?"), Options: options, SelectableOptionsCount: proto.Uint32(n)}
	}
	wantPoll := func(n int) driver.Inbound {
		return driver.Inbound{MessageType: "pollCreationMessage", Poll: &driver.InboundPoll{Question: "ok?", Options: []string{"yes", "no"}, SelectableCount: n}}
	}
	card := func(name, number string) *waE2E.ContactMessage {
		return &waE2E.ContactMessage{DisplayName: proto.String(name),
			Vcard: proto.String("BEGIN:VCARD\nVERSION:3.0\nFN:" + name + "\nTEL;type=CELL;waid=" + number + ":+" + number + "\nEND:VCARD")}
	}
	tests := []struct {
		name  string
		msg   *waE2E.Message
		group bool
		want  driver.Inbound // kind fields only
	}{
		{"poll", &waE2E.Message{PollCreationMessage: pollOf(0)}, false, wantPoll(0)},
		{"poll V2", &waE2E.Message{PollCreationMessageV2: pollOf(2)}, false, wantPoll(2)},
		{"poll V4 (future-proof envelope)", &waE2E.Message{PollCreationMessageV4: &waE2E.FutureProofMessage{
			Message: &waE2E.Message{PollCreationMessageV3: pollOf(1)}}}, false, wantPoll(1)},
		{"contacts array", &waE2E.Message{ContactsArrayMessage: &waE2E.ContactsArrayMessage{DisplayName: proto.String("2 contacts"),
			Contacts: []*waE2E.ContactMessage{card("Ana", "5491155550000"), card("Beto", "5491166660000")}}}, false,
			driver.Inbound{MessageType: "contactMessage", Contacts: []driver.InboundContact{
				{FullName: "Ana", PhoneNumbers: []string{"5491155550000"}}, {FullName: "Beto", PhoneNumbers: []string{"5491166660000"}}}}},
		{"contact that is no vCard", &waE2E.Message{ContactMessage: &waE2E.ContactMessage{DisplayName: proto.String("Ana"), Vcard: proto.String("garbage")}}, false,
			driver.Inbound{MessageType: "contactMessage", Contacts: []driver.InboundContact{{FullName: "Ana"}}}},
		{"quote by LID, mentions by LID and PN, one unknown", &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{
			Text: proto.String("hi"), ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String("Q1"), Participant: proto.String(senderLID + "@lid"),
				MentionedJID: []string{"203456789099999@lid", phoneA + "@s.whatsapp.net", "1@lid", "not a jid@"}}}}, false,
			driver.Inbound{MessageType: "conversation", Text: "hi", Quoted: &driver.InboundQuote{MessageID: "Q1", From: sender},
				Mentions: []string{phoneC, phoneA}}},
		{"quote without a participant", &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("c"),
			ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String("Q2")}}}, false,
			driver.Inbound{MessageType: "imageMessage", Caption: "c", Media: &driver.InboundMedia{}, Quoted: &driver.InboundQuote{MessageID: "Q2"}}},
		{"group message", &waE2E.Message{Conversation: proto.String("hola grupo")}, true,
			driver.Inbound{MessageType: "conversation", Text: "hola grupo", Chat: groupID + "@g.us", IsGroup: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := direct(tt.msg)
			if tt.group {
				e.Info.Chat, e.Info.IsGroup = types.NewJID(groupID, types.GroupServer), true
			}
			got, ok, err := inbound(context.Background(), e, lids)
			require.NoError(t, err)
			require.True(t, ok)
			want := tt.want
			want.MessageID, want.From, want.PushName, want.Timestamp = e.Info.ID, sender, e.Info.PushName, sentAt
			if want.Chat == "" {
				want.Chat = sender
			}
			require.Equal(t, want, got)
		})
	}
}

// TestInboundMentionsLIDStoreDown: a failing LID store leaves the message
// unacknowledged rather than dropping a mention that would resolve later.
func TestInboundMentionsLIDStoreDown(t *testing.T) {
	e := direct(&waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("hi"),
		ContextInfo: &waE2E.ContextInfo{MentionedJID: []string{"203456789099999@lid"}}}})
	_, ok, err := inbound(context.Background(), e, lidMap{err: errors.New("db locked")})
	require.Error(t, err)
	require.False(t, ok)
}

func TestContactCards(t *testing.T) {
	two := "BEGIN:VCARD\r\nFN:Ana\r\nTEL:+54 11 1234-5678\r\nEND:VCARD\r\nbegin:vcard\nFN:Beto\nitem1.TEL;WAID=5491166660000:+54 9 11 6666-0000\nend:vcard\n"
	require.Equal(t, []driver.InboundContact{{FullName: "Ana", PhoneNumbers: []string{"541112345678"}},
		{FullName: "Beto", PhoneNumbers: []string{"5491166660000"}}}, contactCards("Ana", two), "two cards in one text")
	require.Equal(t, []driver.InboundContact{{FullName: "Shown", PhoneNumbers: []string{"1"}}},
		contactCards("Shown", "BEGIN:VCARD\nTEL:1\nEND:VCARD"), "no FN: the display name")
	require.Nil(t, contactCards("", "no card"))
}

// FuzzContactCards: any vCard text reads without panicking, into no more
// cards than it has BEGIN lines, with numbers of digits only.
func FuzzContactCards(f *testing.F) {
	for _, s := range []string{
		"BEGIN:VCARD\nVERSION:3.0\nFN:Ana\nTEL;type=CELL;waid=5491155550000:+5491155550000\nEND:VCARD",
		"BEGIN:VCARD\r\nFN:A\r\n  na\r\nitem1.TEL:+1 (555) 010\r\nEND:VCARD\r\nBEGIN:VCARD\r\nEND:VCARD",
		"begin:vcard\nend:vcard", "BEGIN:VCARD", "\xffBEGIN:VCARD\nFN:\\\nEND:VCARD\x00", "",
	} {
		f.Add("name", s)
	}
	f.Fuzz(func(t *testing.T, name, text string) {
		cards := contactCards(name, text)
		begins := strings.Count(asciiUpper(text), "BEGIN:VCARD")
		require.LessOrEqual(t, len(cards), max(begins, 1))
		for _, c := range cards {
			for _, n := range c.PhoneNumbers {
				require.True(t, digits(n), "number %q", n)
			}
		}
	})
}
