package emulator

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"
)

// The harness hands out an emulator that answers SQS calls over the SDK's
// JSON protocol.
func TestSQSAnswers(t *testing.T) {
	ep := SQS(t)
	require.True(t, strings.HasPrefix(ep, "http://127.0.0.1:"), ep)
	url := CreateQueue(t, ep, "emulator-standard", false, "", 0)
	cli := SQSClient(ep)
	_, err := cli.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("hi")})
	require.NoError(t, err)
	out, err := cli.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 1})
	require.NoError(t, err)
	require.Len(t, out.Messages, 1)
	require.Equal(t, "hi", aws.ToString(out.Messages[0].Body))
}

func TestCreateQueueFIFOWithDeadLetterQueue(t *testing.T) {
	ep := SQS(t)
	cli := SQSClient(ep)
	url := CreateQueue(t, ep, "emulator-lane", true, "emulator-lane-dlq", 3)
	require.True(t, strings.HasSuffix(url, "/emulator-lane.fifo"), url)
	require.Equal(t, url, CreateQueue(t, ep, "emulator-lane.fifo", true, "emulator-lane-dlq", 3), "creating it again returns the same queue")

	got, err := cli.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll},
	})
	require.NoError(t, err)
	require.Equal(t, "true", got.Attributes["FifoQueue"])
	var policy struct {
		Target string `json:"deadLetterTargetArn"`
		Max    int    `json:"maxReceiveCount"`
	}
	require.NoError(t, json.Unmarshal([]byte(got.Attributes["RedrivePolicy"]), &policy))
	require.True(t, strings.HasSuffix(policy.Target, ":emulator-lane-dlq.fifo"), policy.Target)
	require.Equal(t, 3, policy.Max)

	dlq, err := cli.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String("emulator-lane-dlq.fifo")})
	require.NoError(t, err, "the dead-letter queue exists")
	require.NotEqual(t, url, aws.ToString(dlq.QueueUrl))
}
