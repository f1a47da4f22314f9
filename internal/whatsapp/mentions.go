package whatsapp

import (
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/driver"
)

// mentionContext is the ContextInfo of out's message with the users its
// text or caption mentions; nil when it mentions none, so a plain message
// stays as small as WhatsApp's own clients send it (a reply adds to it:
// withQuote). The client wrote
// "@<number>" in the text; WhatsApp shows it as a mention only for the
// JIDs listed here, and notifies those users.
func mentionContext(out driver.Outbound) *waE2E.ContextInfo {
	if len(out.Mentions) == 0 {
		return nil
	}
	jids := make([]string, len(out.Mentions))
	for i, n := range out.Mentions {
		jids[i] = types.NewJID(n, types.DefaultUserServer).String()
	}
	return &waE2E.ContextInfo{MentionedJID: jids}
}

// viewOnce is the ViewOnce field of an image or video: set only when
// asked, as WhatsApp's own clients leave it out of ordinary media.
func viewOnce(out driver.Outbound) *bool {
	if !out.ViewOnce {
		return nil
	}
	return proto.Bool(true)
}
