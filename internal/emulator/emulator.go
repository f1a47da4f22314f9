// Package emulator starts the local AWS emulators that the adapter tests
// run against, and shares one of each per test binary.
//
// `make test` starts DynamoDB Local once for the whole run and passes its
// address in WAGATEWAY_DYNAMODB_ENDPOINT; a plain `go test` of one package
// starts its own from the jar `make emulators` installed under
// .cache/emulators. Either way a missing emulator is a test failure with
// the command that installs it, never a skip.
//
// SQS works the same way with the fauxqs emulator (see SQS), which `make
// emulators` installs under .cache/emulators/sqs and node runs.
package emulator

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// DynamoDBEndpointEnv names the variable through which `make test` hands
// a running DynamoDB Local to every test binary.
const DynamoDBEndpointEnv = "WAGATEWAY_DYNAMODB_ENDPOINT"

// dynamoJar is where `make emulators` unpacks DynamoDB Local, relative to
// the repository root.
const dynamoJar = ".cache/emulators/dynamodb/package/emulator/DynamoDBLocal.jar"

var (
	dynamoOnce     sync.Once
	dynamoEndpoint string
	dynamoErr      error
	dynamoCmd      *exec.Cmd
)

// DynamoDB returns the http://127.0.0.1:PORT endpoint of a running
// DynamoDB Local, starting one for this test binary if `make test` did not.
// Tests must isolate themselves by table name: the emulator is shared.
// Packages that call it stop the emulator with Main.
func DynamoDB(t testing.TB) string {
	t.Helper()
	dynamoOnce.Do(func() {
		if ep := os.Getenv(DynamoDBEndpointEnv); ep != "" {
			// Started by make next to the compile: it may still be booting.
			dynamoEndpoint, dynamoErr = ep, waitListening(strings.TrimPrefix(ep, "http://"), 60*time.Second)
			return
		}
		dynamoEndpoint, dynamoCmd, dynamoErr = startDynamoDB()
	})
	if dynamoErr != nil {
		t.Fatalf("DynamoDB Local: %v", dynamoErr)
	}
	return dynamoEndpoint
}

// Main runs the package's tests, then stops any emulator they started:
// func TestMain(m *testing.M) { os.Exit(emulator.Main(m)) }.
func Main(m *testing.M) int {
	code := m.Run()
	if dynamoCmd != nil && dynamoCmd.Process != nil {
		_ = dynamoCmd.Process.Kill()
		_ = dynamoCmd.Wait()
	}
	stopSQS()
	return code
}

func startDynamoDB() (string, *exec.Cmd, error) {
	root, err := repoRoot()
	if err != nil {
		return "", nil, err
	}
	jar := filepath.Join(root, dynamoJar)
	if _, err := os.Stat(jar); err != nil {
		return "", nil, fmt.Errorf("%s is missing: run `make emulators` (needs java and npm)", dynamoJar)
	}
	if _, err := exec.LookPath("java"); err != nil {
		return "", nil, errors.New("java is not installed; DynamoDB Local needs a JRE 17")
	}
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	// -inMemory: every run starts empty; -sharedDb: one database whatever
	// the credentials and region of the client.
	cmd := exec.Command("java", "-Xms64m", "-Xmx512m", "-XX:TieredStopAtLevel=1",
		"-Djava.library.path="+filepath.Join(filepath.Dir(jar), "DynamoDBLocal_lib"),
		"-jar", jar, "-inMemory", "-sharedDb", "-port", strconv.Itoa(port), "-disableTelemetry")
	cmd.Dir = filepath.Dir(jar)
	// Die with the process that started it, even on kill -9.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start DynamoDB Local: %w", err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if err := waitListening(addr, 60*time.Second); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return "", nil, fmt.Errorf("DynamoDB Local did not start: %w", err)
	}
	return "http://" + addr, cmd, nil
}

func waitListening(addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// repoRoot walks up from the working directory (a package dir under go
// test) to the directory holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}
