package httpapi

import (
	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
)

// The answers of the group and contact routes (API.md, Part 2).

type groupSummaryView struct {
	ID           string `json:"id"`
	Subject      string `json:"subject"`
	Participants int    `json:"participants"`
	IsAdmin      bool   `json:"isAdmin"`
}

type participantView struct {
	PhoneNumber string  `json:"phoneNumber"`
	Admin       *string `json:"admin"`
}

type groupView struct {
	ID           string            `json:"id"`
	Subject      string            `json:"subject"`
	Description  string            `json:"description"`
	Owner        *string           `json:"owner"`
	CreatedAt    *string           `json:"createdAt"`
	Announce     bool              `json:"announce"`
	Locked       bool              `json:"locked"`
	Participants []participantView `json:"participants"`
}

type participantResultView struct {
	PhoneNumber string  `json:"phoneNumber"`
	Status      string  `json:"status"`
	Error       *string `json:"error"`
}

type inviteView struct {
	InviteLink string `json:"inviteLink"`
}

type joinView struct {
	ID string `json:"id"`
}

type checkView struct {
	PhoneNumber string `json:"phoneNumber"`
	OnWhatsApp  bool   `json:"onWhatsApp"`
}

type contactView struct {
	PhoneNumber string  `json:"phoneNumber"`
	OnWhatsApp  bool    `json:"onWhatsApp"`
	Name        *string `json:"name"`
	About       *string `json:"about"`
	PictureURL  *string `json:"pictureUrl"`
}

// orNull is nil for "", what WhatsApp did not tell.
func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func summaryViews(gs []driver.GroupSummary) []groupSummaryView {
	out := make([]groupSummaryView, len(gs))
	for i, g := range gs {
		out[i] = groupSummaryView{ID: g.ID, Subject: g.Subject, Participants: g.Participants, IsAdmin: g.IsAdmin}
	}
	return out
}

func newGroupView(g driver.Group) groupView {
	v := groupView{
		ID: g.ID, Subject: g.Subject, Description: g.Description, Owner: orNull(g.Owner),
		Announce: g.Announce, Locked: g.Locked, Participants: make([]participantView, len(g.Participants)),
	}
	if !g.CreatedAt.IsZero() {
		at := clock.Format(g.CreatedAt)
		v.CreatedAt = &at
	}
	for i, p := range g.Participants {
		v.Participants[i] = participantView{PhoneNumber: p.Phone, Admin: orNull(string(p.Role))}
	}
	return v
}

func participantResultViews(rs []driver.ParticipantResult) []participantResultView {
	out := make([]participantResultView, len(rs))
	for i, r := range rs {
		out[i] = participantResultView{PhoneNumber: r.Phone, Status: string(r.Status), Error: orNull(r.Error)}
	}
	return out
}

func newContactView(c driver.Contact) contactView {
	return contactView{PhoneNumber: c.Phone, OnWhatsApp: c.OnWhatsApp, Name: orNull(c.Name), About: orNull(c.About),
		PictureURL: orNull(c.PictureURL)}
}
