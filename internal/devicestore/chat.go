package devicestore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
)

func chatSK(chat types.JID) string { return "chat#" + esc(chat.String()) }

// putChatSetting upserts one setting of a chat; the others keep their
// value, or their default (unmuted, unpinned, unarchived) on a new chat.
func (s *deviceStore) putChatSetting(ctx context.Context, chat types.JID, attr string, v ddb.AttributeValue) error {
	_, err := s.c.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.c.table), Key: keyItem(s.pk, chatSK(chat)),
		UpdateExpression:          aws.String("SET #a = :v"),
		ExpressionAttributeNames:  map[string]string{"#a": attr},
		ExpressionAttributeValues: item{":v": v},
	})
	if err != nil {
		return fmt.Errorf("put chat setting %s: %w", attr, err)
	}
	return nil
}

// PutMutedUntil stores until when a chat is muted, to the second: the zero
// time unmutes, store.MutedForever mutes for good.
func (s *deviceStore) PutMutedUntil(ctx context.Context, chat types.JID, mutedUntil time.Time) error {
	var val int64
	if mutedUntil == store.MutedForever {
		val = -1
	} else if !mutedUntil.IsZero() {
		val = mutedUntil.Unix()
	}
	return s.putChatSetting(ctx, chat, "muted", avN(val))
}

// PutPinned stores whether a chat is pinned.
func (s *deviceStore) PutPinned(ctx context.Context, chat types.JID, pinned bool) error {
	return s.putChatSetting(ctx, chat, "pinned", avBool(pinned))
}

// PutArchived stores whether a chat is archived.
func (s *deviceStore) PutArchived(ctx context.Context, chat types.JID, archived bool) error {
	return s.putChatSetting(ctx, chat, "archived", avBool(archived))
}

// GetChatSettings returns a chat's settings; Found is false when none is
// stored.
func (s *deviceStore) GetChatSettings(ctx context.Context, chat types.JID) (types.LocalChatSettings, error) {
	var settings types.LocalChatSettings
	it, err := s.c.getItem(ctx, s.pk, chatSK(chat))
	if err != nil {
		return settings, fmt.Errorf("get chat settings: %w", err)
	}
	if it == nil {
		return settings, nil
	}
	r := reader{it: it}
	muted := r.n("muted")
	settings.Pinned, settings.Archived = r.bool("pinned"), r.bool("archived")
	if r.err != nil {
		return types.LocalChatSettings{}, fmt.Errorf("get chat settings: %w", r.err)
	}
	settings.Found = true
	if muted < 0 {
		settings.MutedUntil = store.MutedForever
	} else if muted > 0 {
		settings.MutedUntil = time.Unix(muted, 0)
	}
	return settings, nil
}
