package devicestore_test

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/devicestore"
)

// What the conformance suite cannot see: the items themselves, several
// processes on one table, expiry and the sizes that need paging and chunks.

func pairedDevice(t *testing.T, c *devicestore.Container, id string) *store.Device {
	t.Helper()
	d := c.NewDevice()
	j, err := types.ParseJID(id)
	require.NoError(t, err)
	d.ID = &j
	d.Account = &waAdv.ADVSignedDeviceIdentity{
		Details: []byte("d"), AccountSignature: make([]byte, 64), AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64),
	}
	require.NoError(t, d.Save(t.Context()))
	return d
}

// countItems counts what a partition holds.
func countItems(t *testing.T, cli *dynamodb.Client, table, pk string) int {
	t.Helper()
	pages := dynamodb.NewQueryPaginator(cli, &dynamodb.QueryInput{
		TableName: aws.String(table), KeyConditionExpression: aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]ddb.AttributeValue{":pk": &ddb.AttributeValueMemberS{Value: pk}},
		Select:                    ddb.SelectCount, ConsistentRead: aws.Bool(true),
	})
	n := 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(t.Context())
		require.NoError(t, err)
		n += int(page.Count)
	}
	return n
}

// Deleting a device with more data than one page of a query leaves nothing
// of it behind.
func TestDeleteDeviceRemovesEveryItem(t *testing.T) {
	ctx := t.Context()
	cli := client(t)
	table := newTable(t, cli)
	c := devicestore.New(cli, table, nil)
	d := pairedDevice(t, c, "15551110000:1@s.whatsapp.net")
	keep := pairedDevice(t, c, "15551110001:1@s.whatsapp.net")

	sessions := make(map[string][]byte, 300)
	for i := range 300 {
		sessions[fmt.Sprintf("1555%07d:1", i)] = bytes.Repeat([]byte{byte(i)}, 4096) // 1.2 MB: several pages
	}
	start := time.Now()
	require.NoError(t, d.Sessions.PutManySessions(ctx, sessions))
	t.Logf("wrote 300 sessions in %v", time.Since(start))
	start = time.Now()
	_, err := d.PreKeys.GetOrGenPreKeys(ctx, 150)
	require.NoError(t, err)
	t.Logf("generated 150 prekeys in %v", time.Since(start))
	require.NoError(t, keep.Sessions.PutSession(ctx, "1:1", []byte("kept")))
	pk := "d#" + d.ID.String()
	require.Equal(t, 450, countItems(t, cli, table, pk))

	start = time.Now()
	require.NoError(t, d.Delete(ctx))
	t.Logf("deleted 450 items (1.2 MB) in %v", time.Since(start))
	require.Zero(t, countItems(t, cli, table, pk))
	require.Equal(t, 1, countItems(t, cli, table, "device"))
	require.Equal(t, 1, countItems(t, cli, table, "d#"+keep.ID.String()))
}

// Several session hosts share the table: a mapping one writes is seen by
// another that looked before (absent mappings are not cached), and
// concurrent writers leave both directions of the map in agreement.
func TestLIDMapAcrossContainers(t *testing.T) {
	ctx := t.Context()
	cli := client(t)
	table := newTable(t, cli)
	a := pairedDevice(t, devicestore.New(cli, table, nil), "15552220000:1@s.whatsapp.net")
	b := pairedDevice(t, devicestore.New(cli, table, nil), "15552220001:1@s.whatsapp.net")
	pn := types.NewJID("15553330000", types.DefaultUserServer)

	got, err := a.LIDs.GetLIDForPN(ctx, pn)
	require.NoError(t, err)
	require.True(t, got.IsEmpty())
	require.NoError(t, b.LIDs.PutLIDMapping(ctx, types.NewJID("900", types.HiddenUserServer), pn))
	got, err = a.LIDs.GetLIDForPN(ctx, pn)
	require.NoError(t, err)
	require.Equal(t, types.NewJID("900", types.HiddenUserServer), got)

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			c := devicestore.New(cli, table, nil)
			lid := types.NewJID(fmt.Sprint(910+i), types.HiddenUserServer)
			require.NoError(t, c.LIDMap().PutLIDMapping(ctx, lid, pn))
		})
	}
	wg.Wait()
	fresh := pairedDevice(t, devicestore.New(cli, table, nil), "15552220002:1@s.whatsapp.net")
	winner, err := fresh.LIDs.GetLIDForPN(ctx, pn)
	require.NoError(t, err)
	require.NotEqual(t, "900", winner.User)
	for _, user := range []string{"900", "910", "911", "912", "913", "914", "915", "916", "917"} {
		lid := types.NewJID(user, types.HiddenUserServer)
		back, err := fresh.LIDs.GetPNForLID(ctx, lid)
		require.NoError(t, err)
		if lid.User == winner.User {
			require.Equal(t, pn, back)
		} else {
			require.True(t, back.IsEmpty(), "LID %s still maps to %s", lid.User, back)
		}
	}
}
