package devicestore_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/devicestore"
)

var t0 = time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)

// ttlOf reads the expiry attribute of one item of a device.
func ttlOf(t *testing.T, cli *dynamodb.Client, table, pk, sk string) time.Time {
	t.Helper()
	out, err := cli.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]ddb.AttributeValue{"pk": &ddb.AttributeValueMemberS{Value: pk}, "sk": &ddb.AttributeValueMemberS{Value: sk}},
	})
	require.NoError(t, err)
	n, ok := out.Item["ttl"].(*ddb.AttributeValueMemberN)
	require.True(t, ok, "item %s has a ttl", sk)
	sec, err := strconv.ParseInt(n.Value, 10, 64)
	require.NoError(t, err)
	return time.Unix(sec, 0).UTC()
}

// Buffered and outgoing events expire by TTL and by whatsmeow's own
// cleanup, both on the injected clock.
func TestEventExpiry(t *testing.T) {
	ctx := t.Context()
	cli := client(t)
	table := newTable(t, cli)
	ttl, err := cli.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	require.NoError(t, err)
	require.Equal(t, ddb.TimeToLiveStatusEnabled, ttl.TimeToLiveDescription.TimeToLiveStatus)
	require.Equal(t, "ttl", aws.ToString(ttl.TimeToLiveDescription.AttributeName))
	require.NoError(t, devicestore.CreateTable(ctx, cli, table), "creating an existing table is fine")

	clk := clock.NewFake(t0)
	c := devicestore.New(cli, table, nil, devicestore.WithClock(clk))
	d := pairedDevice(t, c, "15554440000:1@s.whatsapp.net")
	pk := "d#" + d.ID.String()
	chat := types.NewJID("15554440001", types.DefaultUserServer)
	var old, recent [32]byte
	old[0], recent[0] = 1, 2

	require.NoError(t, d.EventBuffer.PutBufferedEvent(ctx, old, []byte("a"), t0))
	require.NoError(t, d.EventBuffer.AddOutgoingEvent(ctx, chat, "OLD", "proto", []byte("o")))
	require.Equal(t, t0.Add(14*24*time.Hour), ttlOf(t, cli, table, pk, fmt.Sprintf("event#%x", old)))
	require.Equal(t, t0.Add(7*24*time.Hour), ttlOf(t, cli, table, pk, "out#"+chat.String()+"#OLD"))
	ev, err := d.EventBuffer.GetBufferedEvent(ctx, old)
	require.NoError(t, err)
	require.Equal(t, t0, ev.InsertTime.UTC())

	clk.Advance(7*24*time.Hour + time.Minute)
	require.NoError(t, d.EventBuffer.AddOutgoingEvent(ctx, chat, "NEW", "proto", []byte("n")))
	require.NoError(t, d.EventBuffer.DeleteOldOutgoingEvents(ctx))
	_, _, err = d.EventBuffer.GetOutgoingEvent(ctx, chat, types.EmptyJID, "OLD")
	require.Error(t, err)
	_, _, err = d.EventBuffer.GetOutgoingEvent(ctx, chat, types.EmptyJID, "NEW")
	require.NoError(t, err)

	clk.Advance(7 * 24 * time.Hour)
	require.NoError(t, d.EventBuffer.PutBufferedEvent(ctx, recent, []byte("b"), t0))
	require.NoError(t, d.EventBuffer.DeleteOldBufferedHashes(ctx))
	ev, err = d.EventBuffer.GetBufferedEvent(ctx, old)
	require.NoError(t, err)
	require.Nil(t, ev, "older than 14 days")
	ev, err = d.EventBuffer.GetBufferedEvent(ctx, recent)
	require.NoError(t, err)
	require.NotNil(t, ev)
}

// A decryption transaction is committed atomically: when another writer
// buffers the same event first, none of its writes land.
func TestDecryptionTxnCommitConflict(t *testing.T) {
	ctx := t.Context()
	cli := client(t)
	table := newTable(t, cli)
	d := pairedDevice(t, devicestore.New(cli, table, nil), "15555550000:1@s.whatsapp.net")
	other, err := devicestore.New(cli, table, nil).GetDevice(ctx, *d.ID)
	require.NoError(t, err)
	require.NoError(t, d.Sessions.PutSession(ctx, "1:1", []byte("before")))
	var hash [32]byte
	hash[0] = 9

	err = d.EventBuffer.DoDecryptionTxn(ctx, func(ctx context.Context) error {
		require.NoError(t, d.Sessions.PutSession(ctx, "1:1", []byte("after")))
		require.NoError(t, d.EventBuffer.PutBufferedEvent(ctx, hash, []byte("mine"), t0))
		// Another host gets there between the check and the commit.
		return other.EventBuffer.PutBufferedEvent(context.WithoutCancel(context.Background()), hash, []byte("theirs"), t0)
	})
	require.Error(t, err)
	sess, err := d.Sessions.GetSession(ctx, "1:1")
	require.NoError(t, err)
	require.Equal(t, []byte("before"), sess)
	ev, err := d.EventBuffer.GetBufferedEvent(ctx, hash)
	require.NoError(t, err)
	require.Equal(t, []byte("theirs"), ev.Plaintext)

	// Past one transaction's 100 items the writes still all land.
	require.NoError(t, d.EventBuffer.DoDecryptionTxn(ctx, func(ctx context.Context) error {
		for i := range 130 {
			if err := d.Sessions.PutSession(ctx, fmt.Sprintf("%d:1", i), []byte{byte(i)}); err != nil {
				return err
			}
		}
		return nil
	}))
	sess, err = d.Sessions.GetSession(ctx, "129:1")
	require.NoError(t, err)
	require.Equal(t, []byte{129}, sess)
}

// Migrating a contact with more sender keys than one transaction holds
// moves all of them; large prekey batches are stored whole.
func TestLargeBatches(t *testing.T) {
	ctx := t.Context()
	cli := client(t)
	d := pairedDevice(t, devicestore.New(cli, newTable(t, cli), nil), "15556660000:1@s.whatsapp.net")
	for i := range 120 {
		require.NoError(t, d.SenderKeys.PutSenderKey(ctx, fmt.Sprintf("1203630000%04d@g.us", i), "111:0", []byte{byte(i)}))
	}
	require.NoError(t, d.Sessions.MigratePNToLID(ctx, types.NewJID("111", types.DefaultUserServer), types.NewJID("222", types.HiddenUserServer)))
	for _, i := range []int{0, 49, 50, 119} {
		group := fmt.Sprintf("1203630000%04d@g.us", i)
		got, err := d.SenderKeys.GetSenderKey(ctx, group, "222_1:0")
		require.NoError(t, err)
		require.Equal(t, []byte{byte(i)}, got, group)
		got, err = d.SenderKeys.GetSenderKey(ctx, group, "111:0")
		require.NoError(t, err)
		require.Nil(t, got)
	}

	keys, err := d.PreKeys.GetOrGenPreKeys(ctx, 250)
	require.NoError(t, err)
	require.Len(t, keys, 250)
	require.NoError(t, d.PreKeys.MarkPreKeysAsUploaded(ctx, 250))
	n, err := d.PreKeys.UploadedPreKeyCount(ctx)
	require.NoError(t, err)
	require.Equal(t, 250, n)
}
