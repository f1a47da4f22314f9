package whatsapp

import (
	"fmt"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/message"
)

// decodeChange reads an edit or a revoke as the recipient's phone would,
// checking every field it needs: the protocol message's type, a key of
// our own message in the chat it was sent to, and for an edit the new
// content. ok is false for a message that is no change.
func decodeChange(chat types.JID, m *waE2E.Message) (ch drivertest.Changed, ok bool, err error) {
	pm, change := m.GetProtocolMessage(), message.ChangeRevoke
	if edited := m.GetEditedMessage().GetMessage(); edited != nil {
		pm, change = edited.GetProtocolMessage(), message.ChangeEdit
	}
	if pm == nil {
		return drivertest.Changed{}, false, nil
	}
	want := map[message.Change]waE2E.ProtocolMessage_Type{
		message.ChangeEdit: waE2E.ProtocolMessage_MESSAGE_EDIT, message.ChangeRevoke: waE2E.ProtocolMessage_REVOKE}
	key := pm.GetKey()
	switch {
	case pm.GetType() != want[change]:
		return ch, true, fmt.Errorf("fake: %s with protocol type %s", change, pm.GetType())
	case !key.GetFromMe() || key.GetRemoteJID() != chat.String() || key.GetID() == "" || key.Participant != nil:
		return ch, true, fmt.Errorf("fake: %s of someone else's message or another chat: %v", change, key)
	}
	ch = drivertest.Changed{Change: change, TargetWAID: key.GetID()}
	if change == message.ChangeRevoke {
		return ch, true, nil
	}
	c := pm.GetEditedMessage()
	switch {
	case c.Conversation != nil:
		ch.Text = c.GetConversation()
	case c.GetImageMessage().Caption != nil:
		ch.Text = c.GetImageMessage().GetCaption()
	case c.GetDocumentMessage().Caption != nil:
		ch.Text = c.GetDocumentMessage().GetCaption()
	case c.GetVideoMessage().Caption != nil:
		ch.Text = c.GetVideoMessage().GetCaption()
	default:
		return ch, true, fmt.Errorf("fake: edit without new text or caption: %v", c)
	}
	if pm.GetTimestampMS() == 0 {
		return ch, true, fmt.Errorf("fake: edit without its time")
	}
	return ch, true, nil
}

// recordChange keeps a decoded change as SendMessage keeps a message.
func (c *fakeClient) recordChange(ch drivertest.Changed, id string, to types.JID, err error) (whatsmeow.SendResponse, error) {
	if err != nil {
		return whatsmeow.SendResponse{}, err
	}
	ch.WAMessageID, ch.To = id, to.User
	c.net.mu.Lock()
	c.net.changed[c.instance] = append(c.net.changed[c.instance], ch)
	c.net.mu.Unlock()
	return whatsmeow.SendResponse{ID: id, Timestamp: time.Now()}, nil
}

// Changed is what the phone side received of edits and revokes.
func (p fakePhone) Changed(instance string) []drivertest.Changed {
	p.net.mu.Lock()
	defer p.net.mu.Unlock()
	return append([]drivertest.Changed(nil), p.net.changed[instance]...)
}
