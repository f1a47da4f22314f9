package driver_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
)

// calls records each Events call as text.
type calls struct{ got []string }

func (c *calls) QR(i, code string)                      { c.add("QR(%s, %s)", i, code) }
func (c *calls) Connected(i, phone string)              { c.add("Connected(%s, %s)", i, phone) }
func (c *calls) Connecting(i string)                    { c.add("Connecting(%s)", i) }
func (c *calls) Disconnected(i string, r driver.Reason) { c.add("Disconnected(%s, %q)", i, r) }
func (c *calls) Received(i string, in driver.Inbound) error {
	c.add("Received(%s, %s)", i, in.MessageID)
	return nil
}
func (c *calls) add(format string, a ...any) { c.got = append(c.got, fmt.Sprintf(format, a...)) }

// banCalls also hears ban expiries.
type banCalls struct{ calls }

func (c *banCalls) BannedUntil(i string, until time.Time) {
	c.add("BannedUntil(%s, %s)", i, until.Format(time.RFC3339))
}

var (
	_ driver.Events    = (*calls)(nil)
	_ driver.BanEvents = (*banCalls)(nil)
)

func TestChangeDeliver(t *testing.T) {
	until := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		change  driver.Change
		want    []string
		banOnly bool // an Events without BanEvents hears nothing
	}{
		{"qr", driver.QRChange("2@abc"), []string{"QR(i, 2@abc)"}, false},
		{"connecting", driver.ConnectingChange(), []string{"Connecting(i)"}, false},
		{"connected", driver.ConnectedChange("5491112345678"), []string{"Connected(i, 5491112345678)"}, false},
		{"disconnected", driver.DisconnectedChange(driver.Replaced), []string{`Disconnected(i, "replaced")`}, false},
		{"linking expired", driver.DisconnectedChange(""), []string{`Disconnected(i, "")`}, false},
		{"ban", driver.BanChange(until), []string{"BannedUntil(i, 2030-01-02T03:04:05Z)"}, true},
		{"zero", driver.Change{}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var withBan banCalls
			tc.change.Deliver(&withBan, "i")
			require.Equal(t, tc.want, withBan.got)

			var plain calls
			tc.change.Deliver(&plain, "i")
			if tc.banOnly {
				require.Empty(t, plain.got)
			} else {
				require.Equal(t, tc.want, plain.got)
			}
		})
	}
}
