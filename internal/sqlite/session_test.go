package sqlite

import (
	"testing"

	"github.com/wagateway/wagateway/internal/gateway/storetest"
	"github.com/wagateway/wagateway/internal/host"
)

var _ host.Store = (*Store)(nil)

func TestSessionConformance(t *testing.T) {
	storetest.RunSession(t, func(t *testing.T) storetest.SessionStore { return NewStore(openQueueDB(t), nil) })
}
