package message_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
)

func TestEditApply(t *testing.T) {
	s := func(v string) *string { return &v }
	media := message.Content{MediaURL: "https://x.example/a.jpg", Caption: "old"}
	cases := []struct {
		name  string
		typ   message.Type
		edit  message.Edit
		want  message.Content
		issue string // the path of the first issue; "" for none
	}{
		{"text", message.Text, message.Edit{Text: s("{new|fresh}")}, message.Content{Text: "{new|fresh}"}, ""},
		{"caption", message.Image, message.Edit{Caption: s("new")}, message.Content{MediaURL: media.MediaURL, Caption: "new"}, ""},
		{"caption removed", message.Video, message.Edit{Caption: s("")}, message.Content{MediaURL: media.MediaURL}, ""},
		{"caption on a text", message.Text, message.Edit{Caption: s("x")}, message.Content{}, "caption"},
		{"text on a document", message.Document, message.Edit{Text: s("x")}, message.Content{}, "text"},
		{"both", message.Text, message.Edit{Text: s("a"), Caption: s("b")}, message.Content{}, "caption"},
		{"nothing", message.Image, message.Edit{}, message.Content{}, "caption"},
		{"empty text", message.Text, message.Edit{Text: s("")}, message.Content{}, "text"},
		{"bad spintax", message.Text, message.Edit{Text: s(deepSpintax())}, message.Content{}, "text"},
		{"audio has neither", message.Audio, message.Edit{Caption: s("x")}, message.Content{}, "caption"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var issues fault.Issues
			before := message.Content{Text: "old"}
			if c.typ != message.Text {
				before = media
			}
			got := c.edit.Apply(c.typ, before, &issues)
			err := issues.Err()
			if c.issue == "" {
				require.NoError(t, err)
				require.Equal(t, c.want, got)
				return
			}
			var ve *fault.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, []any{c.issue}, ve.Issues[0].Path)
		})
	}
}

func deepSpintax() string {
	s := ""
	for range 17 {
		s += "{a|"
	}
	for range 17 {
		s += "}"
	}
	return s
}

func TestEditable(t *testing.T) {
	sentAt := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	m := message.Message{Status: message.Sent, SentAt: sentAt}
	require.True(t, m.Editable(sentAt.Add(message.EditWindow-time.Millisecond)))
	require.False(t, m.Editable(sentAt.Add(message.EditWindow)), "15 minutes after sentAt it is over")
	revoked := m
	revoked.RevokedAt = sentAt
	require.False(t, revoked.Editable(sentAt), "a deleted message cannot be edited")
	require.False(t, message.Message{Status: message.Pending}.Editable(sentAt), "pending messages are replaced, not edited")
	require.Equal(t, "old", message.Content{Text: "t", Caption: "old"}.EditedText(message.Image))
	require.Equal(t, "t", message.Content{Text: "t", Caption: "old"}.EditedText(message.Text))
}
