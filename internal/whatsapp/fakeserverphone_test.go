package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// serverPhone is the far side of drivertest.RunGroups over the fake
// WhatsApp server: the other members, callers and WhatsApp's directory
// are the server's controls, and the driver's whatsmeow clients talk to
// it as to WhatsApp. Of drivertest.Phone it serves Scan, which linking
// needs; the message side of the port is held to the suite by
// TestConformance and the fake*_test.go files, so the rest of Phone
// fails or reports nothing here.
type serverPhone struct {
	srv    *whatsapptest.Server
	events *drivertest.Recorder // where the driver reports its QR codes

	mu      sync.Mutex
	numbers map[string]string // instance → linked phone number
	groups  int               // groups made by NewGroup
}

// absentNumbers are not on WhatsApp at the fake server.
var absentNumbers = []string{"5491199990001", "5491199990002"}

func newServerPhone(srv *whatsapptest.Server, events *drivertest.Recorder) *serverPhone {
	for _, n := range absentNumbers {
		srv.NotOnWhatsApp(n)
	}
	return &serverPhone{srv: srv, events: events, numbers: map[string]string{}}
}

var errNotInGroupSuite = errors.New("serverPhone: not used by drivertest.RunGroups")

// Scan scans the instance's latest QR code with phone.
func (p *serverPhone) Scan(instance, phone string) error {
	var code string
	for _, e := range p.events.Events() {
		if e.Kind == drivertest.QR && e.Instance == instance {
			code = e.Code
		}
	}
	if code == "" {
		return driver.ErrNotLinking
	}
	if _, err := p.srv.Scan(context.Background(), code, phone); err != nil {
		if errors.Is(err, whatsapptest.ErrNoLinking) {
			return fmt.Errorf("%w: %w", driver.ErrNotLinking, err)
		}
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.numbers[instance] = phone
	return nil
}

// The message side of Phone, which RunGroups does not use.
func (p *serverPhone) Inbound(string, driver.Inbound) error { return errNotInGroupSuite }
func (p *serverPhone) Drop(string, driver.Reason) error     { return errNotInGroupSuite }
func (p *serverPhone) Sent(string) []driver.Outbound        { return nil }
func (p *serverPhone) Changed(string) []drivertest.Changed  { return nil }
func (p *serverPhone) Presences(string) []driver.Presence   { return nil }
func (p *serverPhone) Reads(string) []driver.ReadReceipt    { return nil }

// NotOnWhatsApp lists numbers the server knows no account for.
func (p *serverPhone) NotOnWhatsApp() []string { return slices.Clone(absentNumbers) }

// number is the phone number linked to instance.
func (p *serverPhone) number(instance string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.numbers[instance]
}

// Blocked lists the numbers the instance's account blocked.
func (p *serverPhone) Blocked(instance string) []string { return p.srv.Blocked(p.number(instance)) }

// SetProfile sets what the server shows of c.Phone; the name is a
// business's verified name, what WhatsApp tells of anyone.
func (p *serverPhone) SetProfile(c driver.Contact) error {
	p.srv.SetProfile(c.Phone, whatsapptest.Profile{BusinessName: c.Name, About: c.About, PictureURL: c.PictureURL})
	return nil
}

// NewGroup has creator make a group with members at the server.
func (p *serverPhone) NewGroup(_, creator, subject string, members []string) (string, error) {
	p.mu.Lock()
	p.groups++
	id := fmt.Sprintf("120363%012d", p.groups)
	p.mu.Unlock()
	jid, err := p.srv.CreateGroup(id, subject, append([]string{creator}, members...)...)
	return jid.String(), err
}

// GroupEvent has e.By change the group's participants from their phone.
func (p *serverPhone) GroupEvent(_ string, e driver.GroupParticipants) error {
	jid, err := types.ParseJID(e.Group)
	if err != nil {
		return err
	}
	return p.srv.ChangeParticipants(context.Background(), jid, e.By, whatsapptest.GroupAction(e.Action), e.Participants...)
}

// ChangeGroup has by change the group's settings, one at a time.
func (p *serverPhone) ChangeGroup(_ string, group, by string, c driver.GroupChange) error {
	jid, err := types.ParseJID(group)
	if err != nil {
		return err
	}
	ctx := context.Background()
	if c.Subject != nil {
		err = errors.Join(err, p.srv.RenameGroup(ctx, jid, by, *c.Subject))
	}
	if c.Description != nil {
		err = errors.Join(err, p.srv.DescribeGroup(ctx, jid, by, *c.Description))
	}
	if c.Announce != nil {
		err = errors.Join(err, p.srv.SetGroupAnnounce(ctx, jid, by, *c.Announce))
	}
	if c.Locked != nil {
		err = errors.Join(err, p.srv.SetGroupLocked(ctx, jid, by, *c.Locked))
	}
	return err
}

// GroupInvite is the group's link as by shares it.
func (p *serverPhone) GroupInvite(_ string, group, by string) (string, error) {
	jid, err := types.ParseJID(group)
	if err != nil {
		return "", err
	}
	code, err := p.srv.InviteCode(jid, by)
	return whatsmeow.InviteLinkPrefix + code, err
}

// Call has from call the instance's number; rejected tells whether the
// device rejected it before acknowledging the offer.
func (p *serverPhone) Call(instance, from string, video bool) (string, bool, error) {
	to := types.NewJID(p.number(instance), types.DefaultUserServer)
	id, err := p.srv.Call(context.Background(), to, from, video)
	if err != nil {
		return "", false, err
	}
	rejected := slices.ContainsFunc(p.srv.CallRejects(to), func(r whatsapptest.CallReject) bool { return r.CallID == id })
	return id, rejected, nil
}
