package main

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// TestWhatsAppGroupsAndCalls: the group, contact and call features over
// HTTP through the whatsmeow driver and the fake WhatsApp server: a group
// created with a number not on WhatsApp left out, a member added, a
// change made by another member reaching the webhook, a refusal as 409,
// number checks, a profile, and a call rejected by rejectCalls.
func TestWhatsAppGroupsAndCalls(t *testing.T) {
	ctx := context.Background()
	g := startWhatsAppGateway(t, nil)
	key := g.demoKey
	h := newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(key, waInst, h)
	jid := g.link(key, waInst, waPhone)
	const (
		carla  = "5491155550003"
		absent = "5491155550009"
	)
	g.wa.NotOnWhatsApp(absent)
	g.wa.SetProfile(waPeer, whatsapptest.Profile{About: "Disponible", BusinessName: "Tienda Sur"})
	base := "/instance/" + waInst + "/groups"

	r := g.do("POST", base, map[string]any{"subject": "Ventas", "participants": []string{waPeer, absent}}, as(key)...)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	grp := r.JSON(t)
	id := grp["id"].(string)
	require.Equal(t, waPhone, grp["owner"])
	require.ElementsMatch(t, []any{
		map[string]any{"phoneNumber": waPhone, "admin": "superadmin"},
		map[string]any{"phoneNumber": waPeer, "admin": nil},
	}, grp["participants"])

	r = g.do("POST", base+"/"+id+"/participants", map[string]any{"action": "add", "participants": []string{carla, absent}}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, []any{
		map[string]any{"phoneNumber": carla, "status": "ok", "error": nil},
		map[string]any{"phoneNumber": absent, "status": "not_on_whatsapp", "error": nil},
	}, r.list(t))
	added := h.inbData("group.participants", "action", "add")
	require.Equal(t, []any{carla}, added["participants"])
	require.Equal(t, waPhone, added["by"], "the instance's own change")

	group := types.NewJID(id[:len(id)-len("@g.us")], types.GroupServer)
	require.NoError(t, g.wa.RenameGroup(ctx, group, waPeer, "Ventas Sur"), "a plain member renames (not locked)")
	renamed := h.inbData("group.updated", "subject", "Ventas Sur")
	require.Equal(t, id, renamed["group"])

	r = g.do("PATCH", base+"/"+id, map[string]any{"locked": true}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, true, r.JSON(t)["locked"])
	require.Equal(t, "Ventas Sur", r.JSON(t)["subject"])
	theirs, err := g.wa.CreateGroup("120363000000000077", "Otro", waPeer, waPhone)
	require.NoError(t, err, "a group where the instance is a plain member")
	r = g.do("PATCH", base+"/"+theirs.String(), map[string]any{"announce": true}, as(key)...)
	require.Equal(t, http.StatusConflict, r.Status, "not an admin: %s", r.Body)
	require.Contains(t, r.JSON(t)["error"], "WhatsApp refused")

	r = g.do("POST", "/instance/"+waInst+"/contacts/check", map[string]any{"phoneNumbers": []string{absent, waPeer}}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, []any{
		map[string]any{"phoneNumber": absent, "onWhatsApp": false},
		map[string]any{"phoneNumber": waPeer, "onWhatsApp": true},
	}, r.list(t))
	r = g.do("GET", "/instance/"+waInst+"/contacts/"+waPeer, nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, map[string]any{"phoneNumber": waPeer, "onWhatsApp": true, "name": "Tienda Sur", "about": "Disponible",
		"pictureUrl": nil}, r.JSON(t))
	r = g.do("POST", "/instance/"+waInst+"/contacts/"+waPeer+"/block", nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, []string{waPeer}, g.wa.Blocked(waPhone))

	r = g.do("PATCH", "/instance/"+waInst+"/settings", map[string]any{"rejectCalls": true}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	callID, err := g.wa.Call(ctx, jid, carla, true)
	require.NoError(t, err)
	call := h.inbData("call.received", "callId", callID)
	require.Equal(t, map[string]any{"from": carla, "callId": callID, "video": true, "rejected": true}, call)
	require.Len(t, g.wa.CallRejects(jid), 1, "rejected on WhatsApp too")
}
