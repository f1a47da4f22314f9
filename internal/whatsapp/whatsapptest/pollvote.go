package whatsapptest

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/util/gcmutil"
	"go.mau.fi/whatsmeow/util/hkdfutil"
	"google.golang.org/protobuf/proto"
)

// A poll vote is end-to-end encrypted a second time, for those who saw
// the poll: the poll carries a random 32-byte message secret, and a vote
// is AES-GCM sealed under a key expanded from it (HKDF-SHA256, info =
// poll id, poll sender, voter, "Poll Vote"; additional data = poll id NUL
// voter). This is the phone's side of whatsmeow's DecryptPollVote.

// VotePoll is the message with which voter's phone votes for options in
// poll, a poll a device sent (from Sent). Deliver it from voter: with
// Deliver in a direct chat, with DeliverGroup in a group. The JIDs in the
// key follow how those address people: a direct chat by LID (the poll's
// sender and the voter by their LIDs), a group by phone number. Options
// must be among the poll's.
func (s *Server) VotePoll(voter string, poll Sent, options ...string) (*waE2E.Message, error) {
	secret := poll.Message.GetMessageContextInfo().GetMessageSecret()
	p := unwrap(poll.Message).GetPollCreationMessage()
	if p == nil || len(secret) != 32 {
		return nil, errors.New("vote: not a poll with its message secret")
	}
	var names []string
	for _, o := range p.GetOptions() {
		names = append(names, o.GetOptionName())
	}
	hashes := make([][]byte, len(options))
	for i, o := range options {
		if !slices.Contains(names, o) {
			return nil, fmt.Errorf("vote: %q is not an option of the poll", o)
		}
		sum := sha256.Sum256([]byte(o))
		hashes[i] = sum[:]
	}
	s.mu.Lock()
	pollster, err1 := s.phoneLocked(poll.From.User)
	v, err2 := s.phoneLocked(voter)
	s.mu.Unlock()
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("vote: %w", err)
	}
	key := &waCommon.MessageKey{FromMe: proto.Bool(false), ID: proto.String(poll.ID)}
	var origSender, modSender types.JID
	if poll.To.Server == types.GroupServer {
		origSender, modSender = types.NewJID(pollster.number, types.DefaultUserServer), types.NewJID(v.number, types.DefaultUserServer)
		key.RemoteJID, key.Participant = proto.String(poll.To.String()), proto.String(origSender.String())
	} else {
		origSender, modSender = pollster.lid, v.lid
		key.RemoteJID = proto.String(origSender.String())
	}
	plain, err := proto.Marshal(&waE2E.PollVoteMessage{SelectedOptions: hashes})
	if err != nil {
		return nil, err
	}
	info := poll.ID + origSender.String() + modSender.String() + "Poll Vote"
	secretKey := hkdfutil.SHA256(secret, nil, []byte(info), 32)
	iv := make([]byte, 12)
	_, _ = rand.Read(iv)
	ct, err := gcmutil.Encrypt(secretKey, iv, plain, fmt.Appendf(nil, "%s\x00%s", poll.ID, modSender))
	if err != nil {
		return nil, fmt.Errorf("vote: %w", err)
	}
	return &waE2E.Message{PollUpdateMessage: &waE2E.PollUpdateMessage{
		PollCreationMessageKey: key,
		Vote:                   &waE2E.PollEncValue{EncPayload: ct, EncIV: iv},
		SenderTimestampMS:      proto.Int64(time.Now().UnixMilli()),
	}}, nil
}
