package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// gsi is one global secondary index of the gateway table.
type gsi struct {
	name, hash, rng string
	rngNumber       bool     // the sort key is a number (sentAt), not a string
	include         []string // non-key attributes projected (INCLUDE)
}

// gatewayIndexes mirror dynamo.CreateTable in internal/dynamo/table.go
// (names, keys, key types and projections); the package doc of
// internal/dynamo says what reads each. Change both together.
func gatewayIndexes() []gsi {
	return []gsi{
		{name: "entity", hash: "kind", rng: "entityId",
			include: []string{"createdAt", "webhookUrl", "webhookSecret", "state", "phone", "connectedAt"}},
		{name: "pending", hash: "pendingOf", rng: "pendingKey",
			include: []string{"tenantId", "instance", "lane", "to", "type"}},
		{name: "sent", hash: "sentOf", rng: "sentAt", rngNumber: true,
			include: []string{"lane"}},
		{name: "delivery", hash: "deliveryOf", rng: "deliverySort",
			include: []string{"status"}},
		{name: "outbox", hash: "unpublished", rng: "outboxSort",
			include: []string{"tenantId", "instance", "event", "body", "createdAt"}},
		{name: "listing", hash: "listOf", rng: "listKey",
			include: []string{"to", "chat", "expiresAt"}},
	}
}

// Key and expiry attributes shared by both tables (internal/dynamo and
// internal/devicestore both use string pk/sk and an epoch-seconds ttl).
const (
	attrPK  = "pk"
	attrSK  = "sk"
	attrTTL = "ttl"
)

func stringAttr(name string) *awsdynamodb.Attribute {
	return &awsdynamodb.Attribute{Name: jsii.String(name), Type: awsdynamodb.AttributeType_STRING}
}

// newTable is an on-demand table keyed by pk/sk with TTL on ttl and
// point-in-time recovery. Deleting the stack must never delete the
// gateway's state or the linked devices' keys (losing them means every
// phone must be linked again): RETAIN on deletion and replacement, and
// deletion protection, so that no one deletes them by hand by mistake
// either (switch it off in the console first, on purpose).
func newTable(scope constructs.Construct, id string) awsdynamodb.Table {
	return awsdynamodb.NewTable(scope, jsii.String(id), &awsdynamodb.TableProps{
		RemovalPolicy:       awscdk.RemovalPolicy_RETAIN,
		DeletionProtection:  jsii.Bool(true),
		PartitionKey:        stringAttr(attrPK),
		SortKey:             stringAttr(attrSK),
		BillingMode:         awsdynamodb.BillingMode_PAY_PER_REQUEST,
		TimeToLiveAttribute: jsii.String(attrTTL),
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
	})
}

// newGatewayTable is the gateway's state (internal/dynamo).
func newGatewayTable(scope constructs.Construct) awsdynamodb.Table {
	t := newTable(scope, "GatewayTable")
	for _, ix := range gatewayIndexes() {
		rng := stringAttr(ix.rng)
		if ix.rngNumber {
			rng.Type = awsdynamodb.AttributeType_NUMBER
		}
		t.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:        jsii.String(ix.name),
			PartitionKey:     stringAttr(ix.hash),
			SortKey:          rng,
			ProjectionType:   awsdynamodb.ProjectionType_INCLUDE,
			NonKeyAttributes: jsii.Strings(ix.include...),
		})
	}
	return t
}

// newDeviceTable holds the whatsmeow device keys and Signal sessions
// (internal/devicestore: CreateTable there has only pk/sk, no index).
func newDeviceTable(scope constructs.Construct) awsdynamodb.Table {
	return newTable(scope, "DeviceTable")
}

// grantData lets grantee read and write table's items and query the
// indexes named (gatewayIndexNames for the gateway table, none for the
// device table). Unlike GrantReadWriteData it leaves out streams, which
// nothing reads, and it names each index's ARN instead of index/*.
//
// The item actions are the calls the DynamoDB adapters make (transactions
// need the item actions they contain, ConditionCheckItem included).
func grantData(table awsdynamodb.Table, indexes []string, grantee awsiam.IGrantable) {
	grantTable(table, grantee,
		"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
		"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
		"dynamodb:ConditionCheckItem")
	if len(indexes) == 0 {
		return
	}
	arns := make([]*string, 0, len(indexes))
	for _, name := range indexes {
		arns = append(arns, awscdk.Fn_Join(jsii.String(""), &[]*string{table.TableArn(), jsii.String("/index/" + name)}))
	}
	grantee.GrantPrincipal().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("dynamodb:Query", "dynamodb:Scan"),
		Resources: &arns,
	}))
}

// grantTable allows actions on table's items only (not its indexes).
func grantTable(table awsdynamodb.Table, grantee awsiam.IGrantable, actions ...string) {
	grantee.GrantPrincipal().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: &[]*string{table.TableArn()},
	}))
}

// gatewayIndexNames are the gateway table's index names.
func gatewayIndexNames() []string {
	var names []string
	for _, ix := range gatewayIndexes() {
		names = append(names, ix.name)
	}
	return names
}
