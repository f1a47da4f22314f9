package devicestore

import (
	"context"
	"errors"
	"fmt"

	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
)

func secretSK(chat, sender types.JID, id types.MessageID) string {
	return "secret#" + esc(chat.String()) + "#" + esc(sender.String()) + "#" + esc(id)
}

func (s *deviceStore) secretItem(chat, sender types.JID, id types.MessageID, secret []byte) item {
	return withKey(s.pk, secretSK(chat, sender, id), item{"v": avB(secret), "sender": avS(sender.String())})
}

// PutMessageSecrets stores message secrets, skipping incomplete entries
// and those already stored (a secret is written once). Existing ones are
// looked up first and the rest written in batches.
func (s *deviceStore) PutMessageSecrets(ctx context.Context, inserts []store.MessageSecretInsert) error {
	if len(inserts) == 0 {
		return nil
	}
	wanted := make(map[string]item, len(inserts))
	keys := make([]item, 0, len(inserts))
	for _, in := range inserts {
		if in.Chat.IsEmpty() || in.Sender.IsEmpty() || in.ID == "" || len(in.Secret) == 0 {
			continue
		}
		it := s.secretItem(in.Chat.ToNonAD(), in.Sender.ToNonAD(), in.ID, in.Secret)
		_, sk := keyOf(it)
		if _, dup := wanted[sk]; !dup {
			wanted[sk] = it
			keys = append(keys, keyItem(s.pk, sk))
		}
	}
	existing, err := s.c.batchGet(ctx, keys)
	if err != nil {
		return fmt.Errorf("put message secrets: %w", err)
	}
	for _, it := range existing {
		_, sk := keyOf(it)
		delete(wanted, sk)
	}
	reqs := make([]ddb.WriteRequest, 0, len(wanted))
	for _, it := range wanted {
		reqs = append(reqs, putRequest(it))
	}
	if err := s.c.batchWrite(ctx, reqs); err != nil {
		return fmt.Errorf("put message secrets: %w", err)
	}
	return nil
}

// PutMessageSecret stores a message secret unless one is stored.
func (s *deviceStore) PutMessageSecret(ctx context.Context, chat, sender types.JID, id types.MessageID, secret []byte) error {
	if secret == nil {
		return errors.New("put message secret: no secret")
	}
	err := s.c.putNew(ctx, s.secretItem(chat.ToNonAD(), sender.ToNonAD(), id, secret))
	if err != nil && !errors.Is(err, errExists) {
		return fmt.Errorf("put message secret: %w", err)
	}
	return nil
}

// GetMessageSecret returns a message's secret and the sender it was stored
// under. Chat and sender match either side of their LID mapping.
func (s *deviceStore) GetMessageSecret(ctx context.Context, chat, sender types.JID, id types.MessageID) ([]byte, types.JID, error) {
	chat, sender = chat.ToNonAD(), sender.ToNonAD()
	chats, err := s.c.lids.withAlt(ctx, chat)
	if err != nil {
		return nil, types.EmptyJID, fmt.Errorf("get message secret: %w", err)
	}
	senders, err := s.c.lids.withAlt(ctx, sender)
	if err != nil {
		return nil, types.EmptyJID, fmt.Errorf("get message secret: %w", err)
	}
	// Candidates in order of preference: the JIDs as given first.
	var order []string
	keys := make([]item, 0, 4)
	for _, c := range chats {
		for _, snd := range senders {
			sk := secretSK(c, snd, id)
			order = append(order, sk)
			keys = append(keys, keyItem(s.pk, sk))
		}
	}
	found, err := s.c.batchGet(ctx, keys)
	if err != nil {
		return nil, types.EmptyJID, fmt.Errorf("get message secret: %w", err)
	}
	bySK := make(map[string]item, len(found))
	for _, it := range found {
		_, sk := keyOf(it)
		bySK[sk] = it
	}
	for _, sk := range order {
		it, ok := bySK[sk]
		if !ok {
			continue
		}
		r := reader{it: it}
		secret, stored := r.b("v"), r.s("sender")
		if r.err != nil {
			return nil, types.EmptyJID, fmt.Errorf("get message secret: %w", r.err)
		}
		realSender, err := types.ParseJID(stored)
		if err != nil {
			return nil, types.EmptyJID, fmt.Errorf("get message secret: %w", err)
		}
		return secret, realSender, nil
	}
	return nil, types.EmptyJID, nil
}
