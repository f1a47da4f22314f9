package whatsapptest

import waBinary "go.mau.fi/whatsmeow/binary"

// ackKey is the waiter key of the client's ack of a notification or call
// the server sent (sendAndWait).
func ackKey(class, id string) string { return "ack:" + class + ":" + id }

// routeAck hands the client's acks to whoever waits for them: a receipt's
// to SendReceipt (receipt.go), a group notification's to the control that
// made the change, a call offer's to Call. whatsmeow acknowledges these
// only after its handlers accepted them (SynchronousAck), so a missing ack
// is a refusal.
func (c *conn) routeAck(node *waBinary.Node) {
	ag := node.AttrGetter()
	class := ag.OptionalString("class")
	if class != "notification" && class != "call" {
		c.handleAck(node)
		return
	}
	attrs := waBinary.Attrs{"id": ackKey(class, ag.OptionalString("id"))}
	if code, ok := node.Attrs["error"]; ok {
		attrs["error"] = code
	}
	c.resolve(&waBinary.Node{Tag: node.Tag, Attrs: attrs})
}
