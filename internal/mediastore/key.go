package mediastore

import "fmt"

// Key length limits. Instance names are tenant__client__label, three
// parts of at most 32 characters (internal/instance); 128 leaves room.
// Message ids are WhatsApp ids (hex, about 20-32 characters) or UUIDs.
const (
	MaxInstanceLen  = 128
	MaxMessageIDLen = 128
)

// Key names one media object: the instance that received the message and
// the message's id.
type Key struct {
	Instance  string
	MessageID string
}

// NewKey parses an instance name and a message id, typically from a
// request path, into a Key, or returns ErrInvalidKey.
func NewKey(instance, messageID string) (Key, error) {
	k := Key{Instance: instance, MessageID: messageID}
	if err := k.Validate(); err != nil {
		return Key{}, err
	}
	return k, nil
}

// Validate returns ErrInvalidKey unless the key is safe to use as path
// elements and object key segments: an instance name of [a-z0-9_-] and a
// message id of [A-Za-z0-9_-], neither empty nor too long. Neither can
// contain '/', '\\' or '.', so no key can climb out of its directory or
// collide with an adapter's temporary and sidecar names, which all
// contain a dot.
//
// The error does not repeat the rejected value: it may be anything a
// client put into a URL.
func (k Key) Validate() error {
	if err := ValidateInstance(k.Instance); err != nil {
		return err
	}
	return validateMessageID(k.MessageID)
}

// String renders the key as instance/messageId for errors and logs. Call
// it on validated keys only.
func (k Key) String() string { return k.Instance + "/" + k.MessageID }

// ValidateInstance returns ErrInvalidKey unless name is a valid instance
// name (see Key.Validate).
func ValidateInstance(name string) error {
	if err := checkLen("instance name", name, MaxInstanceLen); err != nil {
		return err
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return fmt.Errorf("%w: instance name has a character outside [a-z0-9_-] at byte %d", ErrInvalidKey, i)
		}
	}
	return nil
}

func validateMessageID(id string) error {
	if err := checkLen("message id", id, MaxMessageIDLen); err != nil {
		return err
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return fmt.Errorf("%w: message id has a character outside [A-Za-z0-9_-] at byte %d", ErrInvalidKey, i)
		}
	}
	return nil
}

func checkLen(what, s string, max int) error {
	if s == "" {
		return fmt.Errorf("%w: empty %s", ErrInvalidKey, what)
	}
	if len(s) > max {
		return fmt.Errorf("%w: %s longer than %d bytes", ErrInvalidKey, what, max)
	}
	return nil
}
