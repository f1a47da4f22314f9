package emulator

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SQSEndpointEnv names the variable through which `make test` may hand a
// running SQS emulator to every test binary.
const SQSEndpointEnv = "WAGATEWAY_SQS_ENDPOINT"

// sqsDir is where `make emulators` installs fauxqs (sqsModule), relative
// to the repository root.
const (
	sqsDir    = ".cache/emulators/sqs"
	sqsModule = sqsDir + "/node_modules/fauxqs/package.json"
)

// sqsLauncher serves fauxqs on a loopback port the OS picks and prints the
// address, so the harness never races another process for a port. Closing
// its stdin stops it: it dies with the test binary even when Pdeathsig
// does not fire (the signal follows the starting thread, not the process).
const sqsLauncher = `
import { buildApp } from "fauxqs";
const app = buildApp({ logger: false });
const address = await app.listen({ port: 0, host: "127.0.0.1" });
process.stdout.write(address + "\n");
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
`

var (
	sqsOnce     sync.Once
	sqsEndpoint string
	sqsErr      error
	sqsCmd      *exec.Cmd
	sqsStdin    io.Closer
)

// SQS returns the http://127.0.0.1:PORT endpoint of a running SQS emulator,
// starting one for this test binary unless SQSEndpointEnv names one.
// Tests must isolate themselves by queue name: the emulator is shared.
// Packages that call it stop the emulator with Main.
//
// The emulator is fauxqs (npm, pinned by `make emulators`), run by node.
// It was chosen over the two others known to speak the JSON 1.0 protocol
// of the AWS SDK, because it is the only one that passes the lane queue
// conformance suite:
//   - goaws v0.5.4 cannot be built here without adding its own
//     dependencies (logrus, gorilla/mux, ...) to go.sum, and even then it
//     returns neither MessageGroupId nor MessageDeduplicationId, always
//     reports ApproximateReceiveCount 1, forgets a deduplication id when
//     its message is deleted, keeps a group locked after ChangeVisibility
//     to 0, and locking one group unlocks every other.
//   - local-aws-sqs 2.0.2 does not hold back a group while one of its
//     messages is in flight, counts every ChangeMessageVisibility as a
//     receive, and a long poll for several messages waits out its whole
//     wait even once some have arrived.
//
// fauxqs's own gaps, which adapter tests cover another way: DeleteMessage
// accepts any receipt without error (AWS rejects an expired FIFO receipt),
// and one ReceiveMessage returns at most one message per group.
func SQS(t testing.TB) string {
	t.Helper()
	sqsOnce.Do(func() {
		if ep := os.Getenv(SQSEndpointEnv); ep != "" {
			sqsEndpoint, sqsErr = ep, waitListening(strings.TrimPrefix(ep, "http://"), 60*time.Second)
			return
		}
		sqsEndpoint, sqsErr = startSQS()
	})
	if sqsErr != nil {
		t.Fatalf("SQS emulator: %v", sqsErr)
	}
	return sqsEndpoint
}

func startSQS() (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(root, sqsModule)); err != nil {
		return "", fmt.Errorf("%s is missing: run `make emulators` (needs node 20+ and npm)", sqsModule)
	}
	if _, err := exec.LookPath("node"); err != nil {
		return "", errors.New("node is not installed; the SQS emulator (fauxqs) needs Node.js 20+")
	}
	cmd := exec.Command("node", "--input-type=module", "-e", sqsLauncher)
	cmd.Dir = filepath.Join(root, sqsDir) // where node resolves "fauxqs"
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stderr headWriter
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start the SQS emulator: %w", err)
	}
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- strings.TrimSpace(line)
		_, _ = io.Copy(io.Discard, r) // never let a full pipe block node
	}()
	select {
	case addr := <-lines:
		if strings.HasPrefix(addr, "http://127.0.0.1:") {
			sqsCmd, sqsStdin = cmd, stdin
			return addr, nil
		}
	case <-time.After(30 * time.Second):
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return "", fmt.Errorf("the SQS emulator did not start: %s", strings.TrimSpace(stderr.String()))
}

// stopSQS stops the emulator SQS started, if any.
func stopSQS() {
	if sqsCmd == nil || sqsCmd.Process == nil {
		return
	}
	_ = sqsStdin.Close()
	done := make(chan struct{})
	go func() { _ = sqsCmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = sqsCmd.Process.Kill()
		<-done
	}
}

// SQSClient returns an SDK client for the emulator at endpoint.
func SQSClient(endpoint string) *sqs.Client {
	return sqs.New(sqs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
}

// CreateQueue creates the queue called name on the emulator at endpoint
// and returns its URL. A FIFO queue's name gets the .fifo suffix AWS
// requires if it lacks it. With dlqName, the dead-letter queue is created
// first (FIFO too when the queue is, as AWS requires) and messages move
// there on the receive after maxReceive receives. Creating an existing
// queue again with the same settings returns its URL.
func CreateQueue(t testing.TB, endpoint, name string, fifo bool, dlqName string, maxReceive int) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	url, err := createQueue(ctx, SQSClient(endpoint), name, fifo, dlqName, maxReceive)
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	return url
}

func createQueue(ctx context.Context, cli *sqs.Client, name string, fifo bool, dlqName string, maxReceive int) (string, error) {
	attrs := map[string]string{}
	if fifo {
		name = fifoName(name)
		attrs[string(types.QueueAttributeNameFifoQueue)] = "true"
		attrs[string(types.QueueAttributeNameContentBasedDeduplication)] = "false"
	}
	if dlqName != "" {
		if maxReceive < 1 {
			return "", fmt.Errorf("a dead-letter queue needs maxReceive >= 1, got %d", maxReceive)
		}
		dlqURL, err := createQueue(ctx, cli, dlqName, fifo, "", 0)
		if err != nil {
			return "", fmt.Errorf("dead-letter queue: %w", err)
		}
		got, err := cli.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl:       aws.String(dlqURL),
			AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn},
		})
		if err != nil {
			return "", fmt.Errorf("dead-letter queue arn: %w", err)
		}
		policy, err := json.Marshal(map[string]any{
			"deadLetterTargetArn": got.Attributes[string(types.QueueAttributeNameQueueArn)],
			"maxReceiveCount":     maxReceive,
		})
		if err != nil {
			return "", err
		}
		attrs[string(types.QueueAttributeNameRedrivePolicy)] = string(policy)
	}
	out, err := cli.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.QueueUrl), nil
}

func fifoName(name string) string {
	if strings.HasSuffix(name, ".fifo") {
		return name
	}
	return name + ".fifo"
}

// headWriter keeps the first 4 KiB written to it: enough to explain a
// failed start, bounded however long the process runs.
type headWriter struct {
	mu  sync.Mutex
	buf []byte
}

func (w *headWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if room := 4096 - len(w.buf); room > 0 {
		w.buf = append(w.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (w *headWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.buf)
}
