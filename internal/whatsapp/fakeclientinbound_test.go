package whatsapp

import (
	"context"
	"errors"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types/events"
)

// The fakeClient's side of inbound media and poll votes. The protocol
// (encryption, secrets) is exercised against the fake WhatsApp server
// (fakeinbound_test.go); here media is what the fake network holds in the
// clear under a direct path, and no vote can be decrypted.

func (c *fakeClient) DownloadToFile(_ context.Context, m whatsmeow.DownloadableMessage, file whatsmeow.File) error {
	c.net.mu.Lock()
	data, ok := c.net.media[m.GetDirectPath()]
	c.net.mu.Unlock()
	if !ok {
		return whatsmeow.ErrMediaDownloadFailedWith404
	}
	_, err := file.Write(data)
	return err
}

func (c *fakeClient) DecryptPollVote(context.Context, *events.Message) (*waE2E.PollVoteMessage, error) {
	return nil, errors.New("fake: " + whatsmeow.ErrOriginalMessageSecretNotFound.Error())
}
