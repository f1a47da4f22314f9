package dynamo

import (
	"strconv"

	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/instance"
)

// Store is the DynamoDB adapter of the gateway's state port, on one table
// made by CreateTable.
type Store struct {
	db    *dynamodb.Client
	table string
	clock clock.Clock // paces the retries of conflicting transactions
	// outbox is the outbox index partition the store writes events to
	// and the relay reads (ForShard).
	outbox string
}

// ForShard returns the store writing events to shard n's outbox
// partition, and reading that partition as the relay's store: each
// shard's relay publishes what its hosts wrote, so relays scale with
// shards. Shard 0's partition is the one every store writes to by
// default (the API's events, redeliveries): any relay may publish any
// event, and shard 0's always runs.
func (s *Store) ForShard(n int) *Store {
	c := *s
	c.outbox = outboxPartition(n)
	return &c
}

// outboxPartition is shard n's outbox partition: "1" for shard 0, as
// before there were shards, "1#n" for the others.
func outboxPartition(n int) string {
	if n == 0 {
		return unpublished
	}
	return unpublished + "#" + strconv.Itoa(n)
}

var (
	_ gateway.Store = (*Store)(nil)
	_ host.Store    = (*Store)(nil)
)

// New returns the store on table.
func New(client *dynamodb.Client, table string) *Store {
	return &Store{db: client, table: table, clock: clock.Real{}, outbox: unpublished}
}

// Primary keys, one shape per kind of item (see the package doc).
func key(pk, sk string) item { return item{attrPK: str(pk), attrSK: str(sk)} }

func tenantKey(id string) item           { return key("T#"+id, "TENANT") }
func apiKeyKey(id string) item           { return key("K#"+id, "KEY") }
func messageKey(id string) item          { return key("M#"+id, "MSG") }
func idemKey(tenantID, k string) item    { return key("ID#"+tenantID+"#"+k, "IDEM") }
func deliveryKey(id string) item         { return key("D#"+id, "DELIVERY") }
func commandKey(id string) item          { return key("C#"+id, "RESULT") }
func waKey(inst, waID string) item       { return key("W#"+inst+"#"+waID, "WAID") }
func receivedKey(inst, waID string) item { return key("R#"+inst+"#"+waID, "RECEIVED") }
func instanceSK(name string) string      { return "I#" + name }
func instanceKeyOf(n instance.Name) item { return key("T#"+n.Tenant, instanceSK(n.String())) }
func idOf(it item, prefix string) string { return strings.TrimPrefix(getStr(it, attrPK), prefix) }
func (s *Store) tableName() *string      { return aws.String(s.table) }

// instanceKey is the key of a named instance; ok is false for a name that
// cannot exist.
func instanceKey(name string) (item, bool) {
	n, err := instance.ParseName(name)
	if err != nil {
		return nil, false
	}
	return instanceKeyOf(n), true
}
