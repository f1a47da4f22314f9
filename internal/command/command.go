package command

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Kind names an operation of the session host.
type Kind string

// The commands, one per httpapi.Sessions method.
const (
	KindLink        Kind = "link"
	KindPairingCode Kind = "pairing-code"
	KindDevice      Kind = "device"
	KindLogout      Kind = "logout"
	KindRestart     Kind = "restart"
	KindForget      Kind = "forget"
	KindSettings    Kind = "settings"
	KindRead        Kind = "read"
	// The group and contact operations (group.go): their arguments and
	// results travel as JSON in Args and Result.Data.
	KindGroups       Kind = "groups"
	KindGroupCreate  Kind = "group-create"
	KindGroup        Kind = "group"
	KindGroupUpdate  Kind = "group-update"
	KindParticipants Kind = "group-participants"
	KindInvite       Kind = "group-invite"
	KindJoin         Kind = "group-join"
	KindLeave        Kind = "group-leave"
	KindCheck        Kind = "contact-check"
	KindContact      Kind = "contact"
	KindBlock        Kind = "contact-block"
)

// Known reports whether k is one of the commands above.
func (k Kind) Known() bool {
	switch k {
	case KindLink, KindPairingCode, KindDevice, KindLogout, KindRestart, KindForget, KindSettings, KindRead:
		return true
	case KindGroups, KindGroupCreate, KindGroup, KindGroupUpdate, KindParticipants, KindInvite, KindJoin, KindLeave,
		KindCheck, KindContact, KindBlock:
		return true
	}
	return false
}

// maxID bounds ids and instance names: they are an SQS deduplication id
// and group id, both at most 128 characters.
const maxID = 128

// maxReadIDs is the most message ids one read command carries, as POST
// /instance/{name}/read takes them; with ids of at most maxID characters
// the body stays far below SQS's 256 KiB.
const maxReadIDs = 100

// Command is one operation for the host holding an instance's connection.
type Command struct {
	ID       string `json:"id"`
	Kind     Kind   `json:"kind"`
	Instance string `json:"instance"`
	Phone    string `json:"phone,omitempty"` // pairing-code only
	// MessageIDs are the WhatsApp ids of received messages to mark as
	// read (read only).
	MessageIDs []string `json:"messageIds,omitempty"`
	// Args are a group or contact operation's arguments (group.go).
	Args     json.RawMessage `json:"args,omitempty"`
	IssuedAt time.Time       `json:"issuedAt"` // by the API's clock
}

// EncodeCommand is the queue message body of c.
func EncodeCommand(c Command) ([]byte, error) {
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("encode command: %w", err)
	}
	c.IssuedAt = c.IssuedAt.UTC()
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode command %s: %w", c.ID, err)
	}
	return b, nil
}

// DecodeCommand parses a queue message body. When the body is JSON with an
// id but is otherwise not a valid command, the error comes with that id in
// the returned Command, so the worker can still answer the waiting client.
func DecodeCommand(b []byte) (Command, error) {
	var c Command
	if err := json.Unmarshal(b, &c); err != nil {
		var id struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(b, &id) // best effort, for the answer only
		return Command{ID: checkedID(id.ID)}, fmt.Errorf("decode command: %w", err)
	}
	c.IssuedAt = c.IssuedAt.UTC()
	if err := c.check(); err != nil {
		return Command{ID: checkedID(c.ID)}, fmt.Errorf("decode command: %w", err)
	}
	return c, nil
}

func checkedID(id string) string {
	if len(id) > maxID {
		return ""
	}
	return id
}

// idsOK reports whether every id is 1 to maxID characters.
func idsOK(ids []string) bool {
	for _, id := range ids {
		if id == "" || len(id) > maxID {
			return false
		}
	}
	return true
}

func (c Command) check() error {
	switch {
	case c.ID == "" || len(c.ID) > maxID:
		return errors.New("id must be 1 to 128 characters")
	case !c.Kind.Known():
		return fmt.Errorf("unknown kind %q", c.Kind)
	case c.Instance == "" || len(c.Instance) > maxID:
		return errors.New("instance must be 1 to 128 characters")
	case c.Kind == KindPairingCode && c.Phone == "":
		return errors.New("pairing-code needs a phone number")
	case c.Kind == KindRead && (len(c.MessageIDs) == 0 || len(c.MessageIDs) > maxReadIDs):
		return errors.New("read needs 1 to 100 message ids")
	case c.Kind != KindRead && c.MessageIDs != nil:
		return fmt.Errorf("%s takes no message ids", c.Kind)
	case c.Kind.takesArgs() != (len(c.Args) > 0):
		return fmt.Errorf("%s: arguments where none belong, or missing", c.Kind)
	case !idsOK(c.MessageIDs):
		return errors.New("message ids must be 1 to 128 characters")
	case c.IssuedAt.IsZero():
		return errors.New("issuedAt is required")
	case c.IssuedAt.UTC().Year() < 2000 || c.IssuedAt.UTC().Year() > 9999:
		return errors.New("issuedAt out of range")
	}
	return nil
}
