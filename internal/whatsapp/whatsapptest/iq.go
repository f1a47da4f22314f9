package whatsapptest

import (
	"bytes"
	"encoding/binary"
	"strconv"

	"go.mau.fi/whatsmeow"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// handleIQ answers a get or set iq from the client. Queries the fake does
// not model get an empty result, which whatsmeow accepts for everything
// it sends by itself (privacy tokens, props, presence and the like).
func (c *conn) handleIQ(iq *waBinary.Node) {
	ns, _ := iq.Attrs["xmlns"].(string)
	var first waBinary.Node
	if children := iq.GetChildren(); len(children) > 0 {
		first = children[0]
	}
	switch {
	case ns == "md" && first.Tag == "link_code_companion_reg":
		switch first.Attrs["stage"] {
		case "companion_hello":
			c.companionHello(iq, first)
		case "companion_finish":
			c.companionFinish(iq)
		default:
			c.replyError(iq, 400, "bad-request")
		}
	case c.device() == nil:
		c.reply(iq) // before login only pings and pairing matter
	case ns == "encrypt" && first.Tag == "count":
		c.reply(iq, waBinary.Node{Tag: "count", Attrs: waBinary.Attrs{"value": strconv.Itoa(c.preKeyCount())}})
	case ns == "encrypt" && iq.Attrs["type"] == "set":
		c.uploadPreKeys(iq)
	case ns == "encrypt" && first.Tag == "key":
		c.reply(iq, c.s.bundles(first))
	case ns == "w:g2" && iq.Attrs["type"] == "get" && first.Tag == "query":
		c.groupInfo(iq)
	case ns == "w:g2":
		c.groupIQ(iq, first) // groupiq.go
	case ns == "w:profile:picture":
		c.profilePicture(iq) // profile.go
	case ns == "blocklist":
		c.blocklist(iq) // blocklist.go
	case ns == "usync":
		c.reply(iq, c.s.usyncWithProfiles(first))
	case ns == "w:m" && first.Tag == "media_conn":
		c.reply(iq, waBinary.Node{Tag: "media_conn", Attrs: waBinary.Attrs{
			"auth": c.s.mediaAuth, "ttl": "3600", "auth_ttl": "3600", "max_buckets": "12",
		}, Content: []waBinary.Node{{Tag: "host", Attrs: waBinary.Attrs{"hostname": "mmg.whatsapp.net"}}}})
	case ns == "privacy" && iq.Attrs["type"] == "get":
		c.privacySettings(iq)
	case ns == "md" && first.Tag == "remove-companion-device":
		c.removeSelf(iq)
	default:
		c.reply(iq)
	}
}

// device is the device the connection logged in as, nil before login.
func (c *conn) device() *device {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	return c.dev
}

// preKeyCount is how many one-time prekeys the server holds for the
// device. Before the first upload it claims a few unless the server was
// built WithFullPreKeyUpload: whatsmeow then uploads a batch of 50 rather
// than its initial 812, whose generation dominates a test's linking time.
func (c *conn) preKeyCount() int {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if !c.dev.uploaded && !c.s.fullUpload {
		return whatsmeow.MinPreKeyCount
	}
	return len(c.dev.preKeys)
}

// uploadPreKeys stores the one-time prekeys and signed prekey the client
// uploads, for the bundles the fake's phones use to write to it.
func (c *conn) uploadPreKeys(iq *waBinary.Node) {
	var keys []preKey
	list := iq.GetChildByTag("list")
	for _, n := range list.GetChildren() {
		if k, ok := parsePreKey(n); ok {
			keys = append(keys, k)
		}
	}
	signed, signedOK := parsePreKey(iq.GetChildByTag("skey"))
	c.s.mu.Lock()
	c.dev.preKeys = append(c.dev.preKeys, keys...)
	c.dev.uploaded = true
	if signedOK && signed.sig != nil {
		c.dev.signedPreKey = signed
	}
	c.s.mu.Unlock()
	c.reply(iq)
}

// removeSelf unlinks the device at its own request (Client.Logout).
func (c *conn) removeSelf(iq *waBinary.Node) {
	c.s.mu.Lock()
	if d := c.dev; d != nil {
		delete(d.phone.devices, d.jid.Device)
	}
	c.s.mu.Unlock()
	c.reply(iq)
}

// parsePreKey reads a <key> or <skey> node (3-byte id, 32-byte value,
// 64-byte signature for skey).
func parsePreKey(n waBinary.Node) (preKey, bool) {
	id, _ := n.GetChildByTag("id").Content.([]byte)
	pub, _ := n.GetChildByTag("value").Content.([]byte)
	if len(id) != 3 || len(pub) != 32 {
		return preKey{}, false
	}
	k := preKey{id: binary.BigEndian.Uint32(append([]byte{0}, id...)), pub: [32]byte(pub)}
	if sig, ok := n.GetChildByTag("signature").Content.([]byte); ok && len(sig) == 64 {
		k.sig = (*[64]byte)(bytes.Clone(sig))
	}
	return k, true
}

// preKeyNode renders a prekey as whatsmeow's bundles carry it.
func preKeyNode(tag string, id uint32, pub []byte, sig []byte) waBinary.Node {
	var idBytes [4]byte
	binary.BigEndian.PutUint32(idBytes[:], id)
	children := []waBinary.Node{{Tag: "id", Content: idBytes[1:]}, {Tag: "value", Content: pub}}
	if sig != nil {
		children = append(children, waBinary.Node{Tag: "signature", Content: sig})
	}
	return waBinary.Node{Tag: tag, Content: children}
}

// userNode is a <user jid=...> with children, as usync and key lists use.
func userNode(jid types.JID, children ...waBinary.Node) waBinary.Node {
	return waBinary.Node{Tag: "user", Attrs: waBinary.Attrs{"jid": jid}, Content: children}
}
