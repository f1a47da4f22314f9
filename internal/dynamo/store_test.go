package dynamo

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/command"
	"github.com/wagateway/wagateway/internal/command/commandtest"
	"github.com/wagateway/wagateway/internal/emulator"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/gateway/storetest"
	"github.com/wagateway/wagateway/internal/relay"
	"github.com/wagateway/wagateway/internal/webhookqueue"
)

func TestMain(m *testing.M) { os.Exit(emulator.Main(m)) }

// newStore makes a store on a fresh table of the shared DynamoDB Local.
func newStore(t *testing.T) *Store {
	t.Helper()
	client := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(emulator.DynamoDB(t)),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	table := "wagw-" + uuid.NewString()
	require.NoError(t, CreateTable(context.Background(), client, table))
	t.Cleanup(func() {
		_, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(table)})
	})
	return New(client, table)
}

func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) gateway.Store { return newStore(t) })
}

func TestSessionConformance(t *testing.T) {
	storetest.RunSession(t, func(t *testing.T) storetest.SessionStore { return newStore(t) })
}

func TestCommandResultConformance(t *testing.T) {
	commandtest.RunResults(t, func(t *testing.T) command.ResultStore { return newStore(t) })
}

// The relay and the command queue hold the store to their ports too.
var (
	_ relay.Store         = (*Store)(nil)
	_ command.ResultStore = (*Store)(nil)
	_ webhookqueue.Store  = (*Store)(nil)
)
