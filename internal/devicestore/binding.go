package devicestore

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Bindings records which device each gateway instance uses (the
// whatsmeow driver's Bindings port) in the device table, one item per
// instance: pk "bind#<instance>", sk "bind", attribute jid.
type Bindings struct{ c *Container }

// Bindings returns the instance bindings kept in c's table.
func (c *Container) Bindings() *Bindings { return &Bindings{c: c} }

const bindingSK = "bind"

func bindingPK(instance string) string { return "bind#" + esc(instance) }

// Device returns the JID bound to instance, "" if none.
func (b *Bindings) Device(ctx context.Context, instance string) (string, error) {
	it, err := b.c.getItem(ctx, bindingPK(instance), bindingSK)
	if err != nil {
		return "", fmt.Errorf("devicestore: read binding of %s: %w", instance, err)
	}
	if v, ok := it["jid"].(*ddb.AttributeValueMemberS); ok {
		return v.Value, nil
	}
	return "", nil
}

// Bind binds instance to jid, replacing any earlier binding.
func (b *Bindings) Bind(ctx context.Context, instance, jid string) error {
	it := keyItem(bindingPK(instance), bindingSK)
	it["jid"] = &ddb.AttributeValueMemberS{Value: jid}
	if _, err := b.c.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(b.c.table), Item: it}); err != nil {
		return fmt.Errorf("devicestore: bind %s: %w", instance, err)
	}
	return nil
}

// Unbind removes the binding only while it is still to jid, so a late
// logout of an old device never unbinds a newer one.
func (b *Bindings) Unbind(ctx context.Context, instance, jid string) error {
	_, err := b.c.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(b.c.table), Key: keyItem(bindingPK(instance), bindingSK),
		ConditionExpression:       aws.String("jid = :jid"),
		ExpressionAttributeValues: map[string]ddb.AttributeValue{":jid": &ddb.AttributeValueMemberS{Value: jid}},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("devicestore: unbind %s: %w", instance, err)
	}
	return nil
}
