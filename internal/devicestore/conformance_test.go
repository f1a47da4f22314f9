package devicestore_test

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/devicestore"
	"github.com/wagateway/wagateway/internal/devicestore/devicestoretest"
	"github.com/wagateway/wagateway/internal/emulator"
)

func TestMain(m *testing.M) { os.Exit(emulator.Main(m)) }

// The DynamoDB store against the cases that pin sqlstore's behaviour
// (devicestoretest runs the same cases against sqlstore itself).
func TestConformanceDynamoDB(t *testing.T) {
	cli := client(t)
	devicestoretest.Run(t, func(t *testing.T) devicestoretest.Container {
		return devicestore.New(cli, newTable(t, cli), nil)
	})
}

// client connects to the shared DynamoDB Local.
func client(t *testing.T) *dynamodb.Client {
	t.Helper()
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(emulator.DynamoDB(t)),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
}

// newTable creates a table of its own for one test and drops it after.
func newTable(t *testing.T, cli *dynamodb.Client) string {
	t.Helper()
	name := "devices-" + uuid.NewString()
	require.NoError(t, devicestore.CreateTable(t.Context(), cli, name))
	t.Cleanup(func() {
		_, _ = cli.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return name
}
