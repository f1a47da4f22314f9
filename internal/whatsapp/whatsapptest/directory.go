package whatsapptest

import (
	"encoding/binary"
	"strings"

	"go.mau.fi/libsignal/ecc"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// usync answers a user directory query: per user the requested protocols
// among contact (is the number on WhatsApp), lid and devices. Every user
// has one device, the phone (device 0). Unrequested and unmodelled
// protocols (status, picture, business...) are left out.
func (s *Server) usync(q waBinary.Node) waBinary.Node {
	var wants []string
	query := q.GetChildByTag("query")
	for _, p := range query.GetChildren() {
		wants = append(wants, p.Tag)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var users []waBinary.Node
	list := q.GetChildByTag("list")
	for _, u := range list.GetChildren() {
		jid, _ := u.Attrs["jid"].(types.JID)
		var query string
		if c, ok := u.GetOptionalChildByTag("contact"); ok {
			query = contentString(c)
			number := strings.TrimPrefix(strings.SplitN(query, "@", 2)[0], "+")
			jid = types.NewJID(number, types.DefaultUserServer)
		}
		users = append(users, s.usyncUserLocked(jid.ToNonAD(), query, wants))
	}
	return waBinary.Node{Tag: "usync", Content: []waBinary.Node{{Tag: "list", Content: users}}}
}

func (s *Server) usyncUserLocked(jid types.JID, query string, wants []string) waBinary.Node {
	p := s.userLocked(jid)
	user := waBinary.Node{Tag: "user", Attrs: waBinary.Attrs{"jid": jid}}
	var children []waBinary.Node
	for _, want := range wants {
		switch {
		case want == "contact" && p == nil:
			user.Attrs = waBinary.Attrs{"pn_jid": jid}
			children = append(children, waBinary.Node{Tag: "contact", Attrs: waBinary.Attrs{"type": "out"}, Content: []byte(query)})
		case want == "contact":
			user.Attrs = waBinary.Attrs{"jid": p.lid, "pn_jid": types.NewJID(p.number, types.DefaultUserServer)}
			children = append(children, waBinary.Node{Tag: "contact", Attrs: waBinary.Attrs{"type": "in"}, Content: []byte(query)})
		case want == "lid" && p != nil:
			children = append(children, waBinary.Node{Tag: "lid", Attrs: waBinary.Attrs{"val": p.lid}})
		case want == "devices" && p != nil:
			children = append(children, waBinary.Node{Tag: "devices", Content: []waBinary.Node{{
				Tag: "device-list", Content: []waBinary.Node{{Tag: "device", Attrs: waBinary.Attrs{"id": "0"}}},
			}}})
		}
	}
	if len(children) > 0 {
		user.Content = children
	}
	return user
}

// bundles answers a prekey fetch: the phone's keys for device 0, a
// companion's uploaded keys for its own device number; an error entry for
// anything else.
func (s *Server) bundles(q waBinary.Node) waBinary.Node {
	s.mu.Lock()
	defer s.mu.Unlock()
	var users []waBinary.Node
	for _, u := range q.GetChildren() {
		jid, _ := u.Attrs["jid"].(types.JID)
		users = append(users, s.bundleLocked(jid))
	}
	return waBinary.Node{Tag: "list", Content: users}
}

func (s *Server) bundleLocked(jid types.JID) waBinary.Node {
	notFound := userNode(jid, waBinary.Node{Tag: "error", Attrs: waBinary.Attrs{"code": "404", "text": "item-not-found"}})
	p := s.userLocked(jid.ToNonAD())
	if p == nil {
		return notFound
	}
	if jid.Device == 0 {
		st := p.signal
		one := st.newPreKey()
		return userNode(jid,
			waBinary.Node{Tag: "registration", Content: regBytes(st.regID)},
			waBinary.Node{Tag: "type", Content: []byte{ecc.DjbType}},
			waBinary.Node{Tag: "identity", Content: st.identity.Pub[:]},
			preKeyNode("key", one.KeyID, one.Pub[:], nil),
			preKeyNode("skey", st.signedPreKey.KeyID, st.signedPreKey.Pub[:], st.signedPreKey.Signature[:]))
	}
	d, ok := p.devices[jid.Device]
	if !ok || d.signedPreKey.sig == nil {
		return notFound
	}
	children := []waBinary.Node{
		{Tag: "registration", Content: regBytes(d.regID)},
		{Tag: "type", Content: []byte{ecc.DjbType}},
		{Tag: "identity", Content: d.identity[:]},
	}
	if len(d.preKeys) > 0 {
		k := d.preKeys[0]
		d.preKeys = d.preKeys[1:]
		children = append(children, preKeyNode("key", k.id, k.pub[:], nil))
	}
	sk := d.signedPreKey
	children = append(children, preKeyNode("skey", sk.id, sk.pub[:], sk.sig[:]))
	return userNode(jid, children...)
}

func regBytes(id uint32) []byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], id)
	return b[:]
}

// contentString reads a node's content whichever way the binary decoder
// produced it (raw bytes, or a string for token and packed forms).
func contentString(n waBinary.Node) string {
	switch v := n.Content.(type) {
	case []byte:
		return string(v)
	case string:
		return v
	}
	return ""
}
