package devicestore_test

import (
	"testing"

	"github.com/wagateway/wagateway/internal/devicestore"
	"github.com/wagateway/wagateway/internal/whatsapp"
	"github.com/wagateway/wagateway/internal/whatsapp/bindingtest"
)

var _ whatsapp.Bindings = (*devicestore.Bindings)(nil)

func TestBindingsConformance(t *testing.T) {
	cli := client(t)
	bindingtest.Run(t, func(t *testing.T) whatsapp.Bindings {
		return devicestore.New(cli, newTable(t, cli), nil).Bindings()
	})
}
