package whatsapp

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	waLog "go.mau.fi/whatsmeow/util/log"
)

// waClient is what the driver uses of a *whatsmeow.Client, so that the
// driver's own logic can be tested against a fake client as well as
// against a fake WhatsApp server.
type waClient interface {
	ConnectContext(ctx context.Context) error
	Disconnect()
	Logout(ctx context.Context) error
	IsLoggedIn() bool
	PairPhone(ctx context.Context, phone string, showPushNotification bool, clientType whatsmeow.PairClientType, clientDisplayName string) (string, error)
	SendMessage(ctx context.Context, to types.JID, message *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error)
	Upload(ctx context.Context, plaintext []byte, appInfo whatsmeow.MediaType) (whatsmeow.UploadResponse, error)
	IsOnWhatsApp(ctx context.Context, phones []string) ([]types.IsOnWhatsAppResponse, error)
	SendPresence(ctx context.Context, state types.Presence) error
	SendChatPresence(ctx context.Context, jid types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error
	MarkRead(ctx context.Context, ids []types.MessageID, timestamp time.Time, chat, sender types.JID, receiptTypeExtra ...types.ReceiptType) error
	BuildPollCreation(name string, optionNames []string, selectableOptionCount int) *waE2E.Message
	// Inbound media (inmedia.go) and poll votes (updates.go).
	DownloadToFile(ctx context.Context, msg whatsmeow.DownloadableMessage, file whatsmeow.File) error
	DecryptPollVote(ctx context.Context, vote *events.Message) (*waE2E.PollVoteMessage, error)
	groupClient
}

// groupClient is what the group, contact and call operations use
// (groups.go, groupmembers.go, contacts.go, calls.go).
type groupClient interface {
	GetJoinedGroups(ctx context.Context) ([]*types.GroupInfo, error)
	CreateGroup(ctx context.Context, req whatsmeow.ReqCreateGroup) (*types.GroupInfo, error)
	GetGroupInfo(ctx context.Context, jid types.JID) (*types.GroupInfo, error)
	SetGroupName(ctx context.Context, jid types.JID, name string) error
	SetGroupTopic(ctx context.Context, jid types.JID, previousID, newID, topic string) error
	SetGroupAnnounce(ctx context.Context, jid types.JID, announce bool) error
	SetGroupLocked(ctx context.Context, jid types.JID, locked bool) error
	UpdateGroupParticipants(ctx context.Context, jid types.JID, participantChanges []types.JID, action whatsmeow.ParticipantChange) ([]types.GroupParticipant, error)
	GetGroupInviteLink(ctx context.Context, jid types.JID, reset bool) (string, error)
	JoinGroupWithLink(ctx context.Context, code string) (types.JID, error)
	LeaveGroup(ctx context.Context, jid types.JID) error
	GetUserInfo(ctx context.Context, jids []types.JID) (map[types.JID]types.UserInfo, error)
	GetProfilePictureInfo(ctx context.Context, jid types.JID, params *whatsmeow.GetProfilePictureParams) (*types.ProfilePictureInfo, error)
	UpdateBlocklist(ctx context.Context, jid types.JID, action events.BlocklistChangeAction) (*types.Blocklist, error)
	RejectCall(ctx context.Context, callFrom types.JID, callID string) error
}

var _ waClient = (*whatsmeow.Client)(nil)

// hooks are the driver's callbacks into one client.
type hooks struct {
	// handle receives every event; false leaves an inbound message or
	// receipt unacknowledged, so WhatsApp sends it again.
	handle func(evt any) bool
	// prePair runs before whatsmeow saves a newly paired device; false
	// refuses the pairing.
	prePair func(jid types.JID) bool
}

// clientFactory makes the client of one attempt.
type clientFactory func(instance string, dev *store.Device, h hooks) waClient

// whatsmeowClient is the production factory.
func (d *Driver) whatsmeowClient(instance string, dev *store.Device, h hooks) waClient {
	// The logger carries the instance name rather than a d.log.With
	// copy: whatsmeow keeps a dozen sub-loggers per client for good.
	cli := whatsmeow.NewClient(dev, waLogger{log: d.log, instance: instance, module: "whatsmeow"})
	trimClient(cli)
	// The host reconnects after re-checking its lease; whatsmeow's own
	// reconnects could ping-pong with another host (StreamReplaced).
	cli.EnableAutoReconnect = false
	// Acknowledge a message only after our handler (the host) stored it,
	// and keep decrypted messages until then so a redelivery decrypts.
	cli.SynchronousAck = true
	cli.EnableDecryptedEventBuffer = true
	cli.PrePairCallback = func(jid types.JID, _, _ string) bool { return h.prePair(jid) }
	if c := d.cfg.HTTPClient; c != nil {
		cli.SetWebsocketHTTPClient(c)
		cli.SetPreLoginHTTPClient(c)
		cli.SetMediaHTTPClient(c)
	}
	cli.AddEventHandlerWithSuccessStatus(h.handle)
	return cli
}

// waLogger sends whatsmeow's log to slog, with the instance's name and
// whatsmeow's module as attributes. Debug output is dropped: it dumps
// protocol nodes and QR codes, which hold key material. It holds no
// allocation of its own: whatsmeow keeps about a dozen sub-loggers per
// client (Sub), as long as the client lives.
type waLogger struct {
	log      *slog.Logger
	instance string
	module   string
}

func (l waLogger) Errorf(msg string, args ...any) {
	l.log.Error(fmt.Sprintf(msg, args...), "instance", l.instance, "module", l.module)
}

func (l waLogger) Warnf(msg string, args ...any) {
	l.log.Warn(fmt.Sprintf(msg, args...), "instance", l.instance, "module", l.module)
}

// Infof goes to slog's debug level: whatsmeow's info lines narrate every
// connection step.
func (l waLogger) Infof(msg string, args ...any) {
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		l.log.Debug(fmt.Sprintf(msg, args...), "instance", l.instance, "module", l.module)
	}
}

func (l waLogger) Debugf(string, ...any) {}

func (l waLogger) Sub(module string) waLog.Logger {
	return waLogger{log: l.log, instance: l.instance, module: l.module + "/" + module}
}
