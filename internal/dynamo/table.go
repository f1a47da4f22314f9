package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Attribute names (the package doc lists which item carries which).
const (
	attrPK  = "pk"
	attrSK  = "sk"
	attrTTL = "ttl"

	attrKind     = "kind"     // entity index: TENANT | INSTANCE
	attrEntityID = "entityId" // entity index: tenant id or instance name

	attrCreatedAt   = "createdAt"
	attrTenantID    = "tenantId"
	attrHash        = "hash"
	attrWebhookURL  = "webhookUrl"
	attrWebhookSec  = "webhookSecret"
	attrState       = "state"
	attrPhone       = "phone"
	attrConnectedAt = "connectedAt"
	attrSentCount   = "sentCount"
	attrFailedCount = "failedCount"
	attrTyping      = "typingSimulation" // instance settings: absent reads the default
	attrGroups      = "receiveGroups"
	attrCalls       = "rejectCalls"

	// attrWebhookEvents is the webhook's event filter (L of S); absent:
	// every event. The entity index does not project it: ListLinked
	// serves reconnects, never delivery (dispatchers get the instance).
	attrWebhookEvents = "webhookEvents"

	attrInstance   = "instance"
	attrLane       = "lane"
	attrTo         = "to"
	attrType       = "type"
	attrContent    = "content"
	attrStatus     = "status"
	attrError      = "error"
	attrSentAt     = "sentAt"
	attrUpdatedAt  = "updatedAt"
	attrPendingOf  = "pendingOf"
	attrPendingKey = "pendingKey"
	attrSentOf     = "sentOf"
	attrSendingTo  = "sendingUntil" // message: end of the send claim (message.SendClaim)
	attrReadAt     = "readAt"       // message: first read receipt (deliveredAt: first delivery receipt)
	attrEditedAt   = "editedAt"     // message: when its last edit went out
	attrRevokedAt  = "revokedAt"    // message: when its deletion for everyone went out
	attrMessageID  = "messageId"    // WhatsApp id lookup: the message it names
	attrChat       = "chat"         // received message: its chat; attrFrom its sender
	attrFrom       = "from"
	attrText       = "text"    // received message: text or caption
	attrPayload    = "payload" // received message: its message.received data (JSON)
	// attrListOf and attrListKey place a message (either direction) in
	// the listing index: its instance, and createdAt#direction#id.
	attrListOf  = "listOf"
	attrListKey = "listKey"

	attrStatusCode = "statusCode"
	attrBody       = "body"
	attrExpiresAt  = "expiresAt"

	attrEvent          = "event"
	attrAttempts       = "attempts"
	attrNextAt         = "nextAt"
	attrLastStatusCode = "lastStatusCode"
	attrLastError      = "lastError"
	attrDeliveredAt    = "deliveredAt"
	attrDeliveryOf     = "deliveryOf"
	attrDeliverySort   = "deliverySort"
	attrUnpublished    = "unpublished"
	attrOutboxSort     = "outboxSort"

	attrResult = "result"
)

// Global secondary indexes.
const (
	indexEntity   = "entity"
	indexPending  = "pending"
	indexSent     = "sent"
	indexDelivery = "delivery"
	indexOutbox   = "outbox"
	indexListing  = "listing"
)

// Entity kinds in the entity index, and the one partition of the outbox
// index.
const (
	kindTenant   = "TENANT"
	kindInstance = "INSTANCE"
	unpublished  = "1"
)

// CreateTable creates table with its indexes (on demand capacity), waits
// until it is ACTIVE and enables TTL on the ttl attribute. The CDK app
// declares the same table; tests make one per test with it.
func CreateTable(ctx context.Context, client *dynamodb.Client, table string) error {
	s, n := types.ScalarAttributeTypeS, types.ScalarAttributeTypeN
	attrs := []types.AttributeDefinition{}
	for _, a := range []struct {
		name string
		typ  types.ScalarAttributeType
	}{{attrPK, s}, {attrSK, s}, {attrKind, s}, {attrEntityID, s}, {attrPendingOf, s}, {attrPendingKey, s},
		{attrSentOf, s}, {attrSentAt, n}, {attrDeliveryOf, s}, {attrDeliverySort, s}, {attrUnpublished, s}, {attrOutboxSort, s},
		{attrListOf, s}, {attrListKey, s}} {
		attrs = append(attrs, types.AttributeDefinition{AttributeName: aws.String(a.name), AttributeType: a.typ})
	}
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: attrs,
		KeySchema:            keySchema(attrPK, attrSK),
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
			index(indexEntity, attrKind, attrEntityID, attrCreatedAt, attrWebhookURL, attrWebhookSec, attrState, attrPhone, attrConnectedAt),
			index(indexPending, attrPendingOf, attrPendingKey, attrTenantID, attrInstance, attrLane, attrTo, attrType),
			index(indexSent, attrSentOf, attrSentAt, attrLane),
			index(indexDelivery, attrDeliveryOf, attrDeliverySort, attrStatus),
			index(indexOutbox, attrUnpublished, attrOutboxSort, attrTenantID, attrInstance, attrEvent, attrBody, attrCreatedAt),
			index(indexListing, attrListOf, attrListKey, attrTo, attrChat, attrExpiresAt),
		},
	})
	if err != nil {
		return fmt.Errorf("create table %s: %w", table, err)
	}
	w := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Second, 10*time.Second
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)}, 5*time.Minute); err != nil {
		return fmt.Errorf("wait for table %s: %w", table, err)
	}
	_, err = client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(table),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(attrTTL), Enabled: aws.Bool(true)}})
	if err != nil {
		return fmt.Errorf("enable ttl on %s: %w", table, err)
	}
	return nil
}

func keySchema(hash, rng string) []types.KeySchemaElement {
	return []types.KeySchemaElement{
		{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash},
		{AttributeName: aws.String(rng), KeyType: types.KeyTypeRange},
	}
}

// index is a GSI projecting its keys, the table's keys and include: only
// a change to one of those writes the index, which is why the message and
// instance counters are left out of every projection.
func index(name, hash, rng string, include ...string) types.GlobalSecondaryIndex {
	return types.GlobalSecondaryIndex{
		IndexName:  aws.String(name),
		KeySchema:  keySchema(hash, rng),
		Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: include},
	}
}
