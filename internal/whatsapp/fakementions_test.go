package whatsapp

import (
	"fmt"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/driver"
)

// The fake phone's reading of who a message goes to and what it carries
// besides its kind's content: mentions and view-once. It is strict where a
// phone would be: a mention that is not a user JID would show as plain
// text, and view-once on anything but an image or video is not a thing.

// fakeChat is the recipient as the port names it: a group by its id
// (…@g.us), a person by their number.
func fakeChat(to types.JID) string {
	if to.Server == types.GroupServer {
		return to.String()
	}
	return to.User
}

// decodeExtras fills out's Mentions and ViewOnce from m.
func decodeExtras(m *waE2E.Message, out *driver.Outbound) error {
	if m.GetDocumentWithCaptionMessage().GetMessage() != nil {
		m = m.GetDocumentWithCaptionMessage().GetMessage()
	}
	var ci *waE2E.ContextInfo
	switch {
	case m.ExtendedTextMessage != nil:
		ci = m.GetExtendedTextMessage().GetContextInfo()
	case m.ImageMessage != nil:
		ci, out.ViewOnce = m.GetImageMessage().GetContextInfo(), m.GetImageMessage().GetViewOnce()
	case m.VideoMessage != nil:
		ci, out.ViewOnce = m.GetVideoMessage().GetContextInfo(), m.GetVideoMessage().GetViewOnce()
	case m.DocumentMessage != nil:
		ci = m.GetDocumentMessage().GetContextInfo()
	}
	for _, j := range ci.GetMentionedJID() {
		jid, err := types.ParseJID(j)
		if err != nil || jid.Server != types.DefaultUserServer || jid.Device != 0 {
			return fmt.Errorf("fake: mention %q is not a user JID", j)
		}
		out.Mentions = append(out.Mentions, jid.User)
	}
	return nil
}
