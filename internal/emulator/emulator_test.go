package emulator

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// The harness hands out an emulator that answers DynamoDB calls.
func TestDynamoDBAnswers(t *testing.T) {
	ep := DynamoDB(t)
	cli := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(ep),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	_, err := cli.ListTables(context.Background(), &dynamodb.ListTablesInput{})
	require.NoError(t, err)
}
