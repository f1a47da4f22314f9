package message

// FirstReceipts says which receipt times a receipt sets on m for the first
// time: a delivery receipt sets deliveredAt if m has none; a read receipt
// sets readAt if m has none, and deliveredAt too (a message read was
// delivered). message.delivered and message.read go out for exactly these,
// once per message and status, however often WhatsApp repeats a receipt
// or sends an earlier time later.
func (m Message) FirstReceipts(read bool) (delivered, readFirst bool) {
	return m.DeliveredAt.IsZero(), read && m.ReadAt.IsZero()
}
