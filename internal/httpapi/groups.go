package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"unicode/utf8"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/phone"
)

// GroupSessions is the session host's side of the group and contact
// routes, run at once on the instance's live connection: 409 when it is
// not open or WhatsApp refuses, 404 for a group it is not in, 502 for a
// session error (the host maps the driver's errors).
type GroupSessions interface {
	Groups(ctx context.Context, name string) ([]driver.GroupSummary, error)
	CreateGroup(ctx context.Context, name, subject string, participants []string) (driver.Group, error)
	Group(ctx context.Context, name, id string) (driver.Group, error)
	UpdateGroup(ctx context.Context, name, id string, c driver.GroupChange) (driver.Group, error)
	UpdateParticipants(ctx context.Context, name, id string, a driver.ParticipantAction, phones []string) ([]driver.ParticipantResult, error)
	InviteLink(ctx context.Context, name, id string, reset bool) (string, error)
	JoinGroup(ctx context.Context, name, link string) (string, error)
	LeaveGroup(ctx context.Context, name, id string) error
	CheckContacts(ctx context.Context, name string, phones []string) ([]bool, error)
	Contact(ctx context.Context, name, phone string) (driver.Contact, error)
	Block(ctx context.Context, name, phone string, block bool) error
}

// Bounds of the group routes. WhatsApp's own limits (a subject of 100
// characters, a description of 2048) are checked here, so that a client
// hears them as a 400 naming the field rather than as a refusal.
const (
	maxSubject      = 100
	maxDescription  = 2048
	maxGroupNumbers = 50
)

// inviteLink is the only shape WhatsApp's invite links take.
var inviteLink = regexp.MustCompile(`^https://chat\.whatsapp\.com/[A-Za-z0-9]{10,40}$`)

func (a *api) groupRoutes() {
	a.handle("GET /instance/{name}/groups", a.authed(a.listGroups))
	a.handle("POST /instance/{name}/groups", a.authed(a.createGroup))
	a.handle("POST /instance/{name}/groups/join", a.authed(a.joinGroup))
	a.handle("GET /instance/{name}/groups/{groupId}", a.authed(a.getGroup))
	a.handle("PATCH /instance/{name}/groups/{groupId}", a.authed(a.updateGroup))
	a.handle("POST /instance/{name}/groups/{groupId}/participants", a.authed(a.updateParticipants))
	a.handle("GET /instance/{name}/groups/{groupId}/invite", a.authed(a.invite(false)))
	a.handle("DELETE /instance/{name}/groups/{groupId}/invite", a.authed(a.invite(true)))
	a.handle("POST /instance/{name}/groups/{groupId}/leave", a.authed(a.leaveGroup))
	a.contactRoutes()
}

// groupID reads the {groupId} path value.
func groupID(r *http.Request) (string, error) {
	id := r.PathValue("groupId")
	if !chat.IsGroup(id) {
		return "", fault.Invalid("Must be a group id: digits, optionally - and digits, then @g.us", "groupId")
	}
	return id, nil
}

// numbers checks a list of 1 to maxGroupNumbers phone numbers at field,
// adding what is wrong to issues.
func numbers(issues *fault.Issues, list *[]string, field string) []string {
	if list == nil {
		issues.Add("Required", field)
		return nil
	}
	if n := len(*list); n < 1 || n > maxGroupNumbers {
		issues.Add(fmt.Sprintf("Must have 1 to %d phone numbers", maxGroupNumbers), field)
		return nil
	}
	for i, p := range *list {
		if !phone.Valid(p) {
			issues.Add(phone.FormatMessage, field, i)
		}
	}
	return *list
}

func subjectIssue(issues *fault.Issues, s string) {
	if n := utf8.RuneCountInString(s); n < 1 || n > maxSubject {
		issues.Add(fmt.Sprintf("Must be 1 to %d characters", maxSubject), "subject")
	}
}

// groupLive is a.live for a group route: the instance and the group id.
func (a *api) groupLive(r *http.Request, tenantID string) (name, id string, err error) {
	if name, err = a.live(r, tenantID, r.PathValue("name")); err != nil {
		return "", "", err
	}
	id, err = groupID(r)
	return name, id, err
}

func (a *api) listGroups(w http.ResponseWriter, r *http.Request, tenantID string) error {
	name, err := a.live(r, tenantID, r.PathValue("name"))
	if err != nil {
		return err
	}
	gs, err := a.sessions.Groups(r.Context(), name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, summaryViews(gs))
	return nil
}

type createGroupBody struct {
	Subject      *string   `json:"subject"`
	Participants *[]string `json:"participants"`
}

func (a *api) createGroup(w http.ResponseWriter, r *http.Request, tenantID string) error {
	var body createGroupBody
	if err := decode(r, &body); err != nil {
		return err
	}
	var issues fault.Issues
	if body.Subject == nil {
		issues.Add("Required", "subject")
	} else {
		subjectIssue(&issues, *body.Subject)
	}
	members := numbers(&issues, body.Participants, "participants")
	if err := issues.Err(); err != nil {
		return err
	}
	name, err := a.live(r, tenantID, r.PathValue("name"))
	if err != nil {
		return err
	}
	g, err := a.sessions.CreateGroup(r.Context(), name, *body.Subject, members)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newGroupView(g))
	return nil
}

func (a *api) getGroup(w http.ResponseWriter, r *http.Request, tenantID string) error {
	name, id, err := a.groupLive(r, tenantID)
	if err != nil {
		return err
	}
	g, err := a.sessions.Group(r.Context(), name, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newGroupView(g))
	return nil
}

type updateGroupBody struct {
	Subject     *string `json:"subject"`
	Description *string `json:"description"`
	Announce    *bool   `json:"announce"`
	Locked      *bool   `json:"locked"`
}

func (a *api) updateGroup(w http.ResponseWriter, r *http.Request, tenantID string) error {
	var body updateGroupBody
	if err := decode(r, &body); err != nil {
		return err
	}
	var issues fault.Issues
	if body.Subject == nil && body.Description == nil && body.Announce == nil && body.Locked == nil {
		issues.Add("Give at least one of subject, description, announce, locked")
	}
	if body.Subject != nil {
		subjectIssue(&issues, *body.Subject)
	}
	if body.Description != nil && utf8.RuneCountInString(*body.Description) > maxDescription {
		issues.Add(fmt.Sprintf("Must be at most %d characters", maxDescription), "description")
	}
	if err := issues.Err(); err != nil {
		return err
	}
	name, id, err := a.groupLive(r, tenantID)
	if err != nil {
		return err
	}
	g, err := a.sessions.UpdateGroup(r.Context(), name, id, driver.GroupChange{
		Subject: body.Subject, Description: body.Description, Announce: body.Announce, Locked: body.Locked,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newGroupView(g))
	return nil
}

type participantsBody struct {
	Action       *string   `json:"action"`
	Participants *[]string `json:"participants"`
}

func (a *api) updateParticipants(w http.ResponseWriter, r *http.Request, tenantID string) error {
	var body participantsBody
	if err := decode(r, &body); err != nil {
		return err
	}
	var issues fault.Issues
	switch {
	case body.Action == nil:
		issues.Add("Required", "action")
	case !driver.ParticipantAction(*body.Action).Valid():
		issues.Add("Must be one of add, remove, promote, demote", "action")
	}
	phones := numbers(&issues, body.Participants, "participants")
	if err := issues.Err(); err != nil {
		return err
	}
	name, id, err := a.groupLive(r, tenantID)
	if err != nil {
		return err
	}
	rs, err := a.sessions.UpdateParticipants(r.Context(), name, id, driver.ParticipantAction(*body.Action), phones)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, participantResultViews(rs))
	return nil
}

// invite serves GET (the current link) and DELETE (revoke it, answer the
// new one) of the invite link.
func (a *api) invite(reset bool) tenantHandler {
	return func(w http.ResponseWriter, r *http.Request, tenantID string) error {
		if err := noBody(r); err != nil {
			return err
		}
		name, id, err := a.groupLive(r, tenantID)
		if err != nil {
			return err
		}
		link, err := a.sessions.InviteLink(r.Context(), name, id, reset)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, inviteView{InviteLink: link})
		return nil
	}
}

type joinBody struct {
	InviteLink *string `json:"inviteLink"`
}

func (a *api) joinGroup(w http.ResponseWriter, r *http.Request, tenantID string) error {
	var body joinBody
	if err := decode(r, &body); err != nil {
		return err
	}
	switch {
	case body.InviteLink == nil:
		return fault.Invalid("Required", "inviteLink")
	case !inviteLink.MatchString(*body.InviteLink):
		return fault.Invalid("Must be a WhatsApp invite link: https://chat.whatsapp.com/<code>", "inviteLink")
	}
	name, err := a.live(r, tenantID, r.PathValue("name"))
	if err != nil {
		return err
	}
	id, err := a.sessions.JoinGroup(r.Context(), name, *body.InviteLink)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, joinView{ID: id})
	return nil
}

func (a *api) leaveGroup(w http.ResponseWriter, r *http.Request, tenantID string) error {
	if err := noBody(r); err != nil {
		return err
	}
	name, id, err := a.groupLive(r, tenantID)
	if err != nil {
		return err
	}
	if err := a.sessions.LeaveGroup(r.Context(), name, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, emptyView{})
	return nil
}
