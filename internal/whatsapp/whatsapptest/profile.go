package whatsapptest

import (
	"hash/fnv"
	"strconv"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waVnameCert"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
)

// Profile is what an account shows others besides its number, and its
// privacy settings. The zero Profile shows nothing and hides nothing.
type Profile struct {
	About        string // the "about" (status) text; "" when none is set
	PictureURL   string // where its profile picture is; "" when it has none
	BusinessName string // a business account's verified name; "" for a personal account
	// Hidden: about and picture are visible to nobody but its contacts,
	// and the linked accounts are not among them.
	Hidden bool
	// NoGroupAdds: only its contacts may add it to groups; others get
	// error 403 with an add_request (an invitation) instead.
	NoGroupAdds bool
}

// SetProfile sets number's profile.
func (s *Server) SetProfile(number string, p Profile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.profiles[number] = p
}

// pictureID is the id of a profile picture, as WhatsApp numbers them.
func pictureID(url string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(url))
	return strconv.FormatUint(uint64(h.Sum32()), 10)
}

// profilePicture answers GetProfilePictureInfo (w:profile:picture get,
// the user as target): the picture's URL, 401 not-authorized when the
// account hides it, 404 item-not-found when it has none or the user is
// not on WhatsApp.
func (c *conn) profilePicture(iq *waBinary.Node) {
	target, _ := iq.Attrs["target"].(types.JID)
	s := c.s
	s.mu.Lock()
	var p Profile
	known := false
	if number := s.phoneOfLocked(target); number != "" && s.userLocked(pnJID(number)) != nil {
		p, known = s.profiles[number], true
	}
	s.mu.Unlock()
	switch {
	case iq.Attrs["type"] != "get":
		c.refuse(iq, refusedBadRequest) // setting pictures is not modelled
	case !known || p.PictureURL == "":
		c.refuse(iq, refusedNotFound)
	case p.Hidden:
		c.refuse(iq, refusedNotAuthorized)
	default:
		c.reply(iq, waBinary.Node{Tag: "picture", Attrs: waBinary.Attrs{
			"id": pictureID(p.PictureURL), "type": "image", "url": p.PictureURL, "direct_path": "/v/t61/" + pictureID(p.PictureURL),
		}})
	}
}

// usyncWithProfiles is usync (directory.go) with the profile protocols a
// query asks for added to each user on WhatsApp: status (the about
// text), picture (its id) and business (the verified name certificate).
// What an account hides comes as an error inside the protocol's node.
func (s *Server) usyncWithProfiles(q waBinary.Node) waBinary.Node {
	out := s.usync(q)
	wants := map[string]bool{}
	query := q.GetChildByTag("query")
	for _, p := range query.GetChildren() {
		wants[p.Tag] = true
	}
	if !wants["status"] && !wants["picture"] && !wants["business"] {
		return out
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := out.GetChildByTag("list")
	users := list.GetChildren() // shares its array with out, so changes land there
	for i, u := range users {
		pn, _ := u.Attrs["pn_jid"].(types.JID)
		if pn.IsEmpty() {
			pn, _ = u.Attrs["jid"].(types.JID)
		}
		number := s.phoneOfLocked(pn)
		if number == "" || s.userLocked(pnJID(number)) == nil {
			continue
		}
		users[i].Content = append(u.GetChildren(), profileNodes(s.profiles[number], wants)...)
	}
	return out
}

// profileNodes renders p as the usync protocols in wants.
func profileNodes(p Profile, wants map[string]bool) []waBinary.Node {
	hidden := []waBinary.Node{{Tag: "error", Attrs: waBinary.Attrs{"code": "401", "text": "not-authorized"}}}
	var out []waBinary.Node
	if wants["status"] {
		status := waBinary.Node{Tag: "status"}
		switch {
		case p.Hidden:
			status.Content = hidden
		case p.About != "":
			status.Content = []byte(p.About)
		}
		out = append(out, status)
	}
	if wants["picture"] {
		pic := waBinary.Node{Tag: "picture"}
		switch {
		case p.Hidden:
			pic.Content = hidden
		case p.PictureURL != "":
			pic.Attrs = waBinary.Attrs{"id": pictureID(p.PictureURL)}
		}
		out = append(out, pic)
	}
	if wants["business"] && p.BusinessName != "" {
		out = append(out, waBinary.Node{Tag: "business", Content: []waBinary.Node{verifiedName(p.BusinessName)}})
	}
	return out
}

// verifiedName is a business's <verified_name>: its certificate, whose
// details carry the name (the signature is not checked by clients that
// only show it).
func verifiedName(name string) waBinary.Node {
	details, _ := proto.Marshal(&waVnameCert.VerifiedNameCertificate_Details{
		Serial: proto.Uint64(1), Issuer: proto.String("smb:wa"), VerifiedName: proto.String(name),
	})
	cert, _ := proto.Marshal(&waVnameCert.VerifiedNameCertificate{Details: details, Signature: make([]byte, 64)})
	return waBinary.Node{Tag: "verified_name", Attrs: waBinary.Attrs{
		"v": "1", "verified_level": "unknown", "serial": "1", "host_storage": "1", "actual_actors": "0",
	}, Content: cert}
}
