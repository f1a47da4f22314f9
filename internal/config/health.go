package config

import (
	"fmt"
	"net"
	"strconv"
)

// DefaultHealthAddr is where the AWS session host serves GET /health.
const DefaultHealthAddr = "127.0.0.1:8081"

// HealthVar documents GATEWAY_HEALTH_ADDR for the usage text and the
// README.
var HealthVar = Var{"GATEWAY_HEALTH_ADDR", DefaultHealthAddr,
	"loopback address (host:port) where the session host serves GET /health and `sessionhost health` asks it; any other address is refused"}

// HealthAddr reads GATEWAY_HEALTH_ADDR (os.Getenv in main). Only a
// loopback address is accepted: the session host accepts no inbound
// connections by design, and the health check runs in its own container.
func HealthAddr(getenv func(string) string) (string, error) {
	addr := or(getenv(HealthVar.Name), DefaultHealthAddr)
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("%s %q: want host:port", HealthVar.Name, addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("%s %q: want a port number", HealthVar.Name, addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("%s %q: want a loopback address such as %s (the session host accepts no inbound connections)",
			HealthVar.Name, addr, DefaultHealthAddr)
	}
	return addr, nil
}
