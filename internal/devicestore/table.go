package devicestore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.mau.fi/whatsmeow/types"
)

// Key layout of the table. Every item has a string partition key "pk" and
// sort key "sk"; variable parts are escaped (esc) so that '#' only ever
// separates parts and a prefix of a part is a prefix of its key.
//
//	pk                   sk                                  item
//	device               <device JID>                        keys and profile of a device
//	d#<device JID>       ident#<address>                     identity key
//	                     sess#<address>                      Signal session
//	                     prekey#<id, 8 digits>               prekey and its uploaded flag
//	                     skey#<sender address>#<group>       sender key
//	                     synckey#<hex key id>                app state sync key
//	                     asver#<collection>                  app state version and hash
//	                     asmac#<collection>#<hex index MAC>  value MAC per version ("v<version>")
//	                     contact#<JID>                       contact names
//	                     chat#<JID>                          chat settings
//	                     secret#<chat>#<sender>#<message id> message secret
//	                     ptoken#<JID>                        privacy token
//	                     nct                                 NCT salt
//	                     event#<hex ciphertext hash>         buffered event (ttl: +14 days)
//	                     out#<chat>#<message id>             outgoing event for retries (ttl: +7 days)
//	lid#<LID user>       map                                 LID → phone number
//	pn#<phone user>      map                                 phone number → LID
//
// All devices sit in one partition so that GetAllDevices is one Query;
// everything of a device sits in its own, so that deleting it is a Query
// and batch deletes. Addresses lead their keys ("sess#123:4") because
// whatsmeow deletes and migrates all of a phone number's entries by prefix.
// The LID map is global, as whatsmeow's is, written as two items kept in
// step by transactions.
const (
	attrPK  = "pk"
	attrSK  = "sk"
	attrTTL = "ttl"

	devicesPK   = "device"
	lidMapSK    = "map"
	maxPreKeyID = 1<<24 - 1
)

func devicePK(jid types.JID) string { return "d#" + esc(jid.String()) }
func lidPK(user string) string      { return "lid#" + esc(user) }
func pnPK(user string) string       { return "pn#" + esc(user) }

// esc escapes one variable key part ('%' → "%25", '#' → "%23"). It works
// byte by byte, so esc(a+b) == esc(a)+esc(b) and prefix queries
// stay exact.
func esc(s string) string {
	if !strings.ContainsAny(s, "%#") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			b.WriteString("%25")
		case '#':
			b.WriteString("%23")
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// unesc reverses esc.
func unesc(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "%25"):
			b.WriteByte('%')
			i += 2
		case strings.HasPrefix(s[i:], "%23"):
			b.WriteByte('#')
			i += 2
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// CreateTable creates the device store's table (on-demand capacity) if it
// does not exist, waits until it is active and turns on expiry through the
// "ttl" attribute. It is the table New expects; production tables are
// created by the infrastructure code with the same shape.
func CreateTable(ctx context.Context, client *dynamodb.Client, table string) error {
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(table),
		BillingMode: ddb.BillingModePayPerRequest,
		AttributeDefinitions: []ddb.AttributeDefinition{
			{AttributeName: aws.String(attrPK), AttributeType: ddb.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrSK), AttributeType: ddb.ScalarAttributeTypeS},
		},
		KeySchema: []ddb.KeySchemaElement{
			{AttributeName: aws.String(attrPK), KeyType: ddb.KeyTypeHash},
			{AttributeName: aws.String(attrSK), KeyType: ddb.KeyTypeRange},
		},
	})
	var inUse *ddb.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("create table %s: %w", table, err)
	}
	waiter := dynamodb.NewTableExistsWaiter(client)
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)}, 5*time.Minute); err != nil {
		return fmt.Errorf("wait for table %s: %w", table, err)
	}
	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	if err != nil {
		return fmt.Errorf("describe ttl of %s: %w", table, err)
	}
	if d := ttl.TimeToLiveDescription; d != nil && (d.TimeToLiveStatus == ddb.TimeToLiveStatusEnabled || d.TimeToLiveStatus == ddb.TimeToLiveStatusEnabling) {
		return nil
	}
	_, err = client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(table),
		TimeToLiveSpecification: &ddb.TimeToLiveSpecification{AttributeName: aws.String(attrTTL), Enabled: aws.Bool(true)},
	})
	if err != nil {
		return fmt.Errorf("enable ttl on %s: %w", table, err)
	}
	return nil
}
