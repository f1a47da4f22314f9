package cloud_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/cloud"
	"github.com/wagateway/wagateway/internal/dynamo"
	"github.com/wagateway/wagateway/internal/emulator"
)

// The counter prices transactions by DynamoDB's rule (DynamoDB Local's own
// figures are wrong for them): 2 units per action of an item up to 1 KB,
// and each index entry written, removed or changed at its single-write
// cost (a move: two). The table is the gateway's, so its indexes are the
// ones the bench meets.
func TestTransactionPricing(t *testing.T) {
	ctx := context.Background()
	counter := &cloud.RequestCounter{}
	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(emulator.DynamoDB(t)),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), HTTPClient: counter.Wrap(http.DefaultClient)})
	table := "txprice-" + uuid.NewString()[:8]
	require.NoError(t, dynamo.CreateTable(ctx, db, table))
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	put := func(pk string, attrs ...string) types.TransactWriteItem {
		it := map[string]types.AttributeValue{"pk": s(pk), "sk": s("X")}
		for i := 0; i+1 < len(attrs); i += 2 {
			it[attrs[i]] = s(attrs[i+1])
		}
		return types.TransactWriteItem{Put: &types.Put{TableName: &table, Item: it}}
	}
	update := func(pk, expr string, vals ...string) types.TransactWriteItem {
		v := map[string]types.AttributeValue{}
		for i := 0; i+1 < len(vals); i += 2 {
			v[vals[i]] = s(vals[i+1])
			if strings.HasPrefix(vals[i], ":n") {
				v[vals[i]] = &types.AttributeValueMemberN{Value: vals[i+1]}
			}
		}
		u := &types.Update{TableName: &table, Key: map[string]types.AttributeValue{"pk": s(pk), "sk": s("X")},
			UpdateExpression: &expr}
		if len(v) > 0 {
			u.ExpressionAttributeValues = v
		}
		return types.TransactWriteItem{Update: u}
	}
	check := func(pk string) types.TransactWriteItem {
		return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: &table,
			Key: map[string]types.AttributeValue{"pk": s(pk), "sk": s("X")}, ConditionExpression: aws.String("attribute_exists(pk)")}}
	}
	big := strings.Repeat("x", 1500)

	tests := []struct {
		name  string
		items []types.TransactWriteItem
		units float64
	}{
		{"one small item", []types.TransactWriteItem{put("a1")}, 2},
		{"three small items", []types.TransactWriteItem{put("a2"), put("a3"), put("a4")}, 6},
		{"an item of 1.5 KB", []types.TransactWriteItem{put("a5", "body", big)}, 4},
		{"an entry in two indexes", []types.TransactWriteItem{put("b1", "pendingOf", "i", "pendingKey", "k", "listOf", "i", "listKey", "k"), put("b2")}, 6},
		{"a condition check", []types.TransactWriteItem{check("a1"), put("b3")}, 4},
		{"an unprojected change", []types.TransactWriteItem{update("b1", "SET sendingUntil = :v", ":v", "1")}, 2},
		{"a projected change", []types.TransactWriteItem{update("b1", "SET lane = :v", ":v", "bulk")}, 3},
		{"a key move", []types.TransactWriteItem{update("b1", "SET pendingKey = :v", ":v", "k2")}, 4},
		{"leaving one index for another", []types.TransactWriteItem{update("b1", "SET sentOf = :v, sentAt = :n REMOVE pendingOf, pendingKey", ":v", "i", ":n", "1")}, 4},
	}
	for _, tt := range tests {
		before := counter.Capacity()["DynamoDB_20120810.TransactWriteItems"]
		_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tt.items})
		require.NoError(t, err, tt.name)
		got := counter.Capacity()["DynamoDB_20120810.TransactWriteItems"] - before
		require.Equal(t, tt.units, got, tt.name)
	}
}
