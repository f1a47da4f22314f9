package sqlite

import (
	"testing"

	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/gateway/storetest"
)

func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) gateway.Store { return NewStore(openQueueDB(t), nil) })
}
