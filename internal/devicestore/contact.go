package devicestore

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
)

const contactPrefix = "contact#"

func contactSK(user types.JID) string { return contactPrefix + esc(user.String()) }

// Contact attributes; an absent one reads as "", as SQL NULL does.
const (
	attrFirst    = "first"
	attrFull     = "full"
	attrPush     = "push"
	attrBusiness = "business"
	attrRedacted = "redacted"
)

func decodeContact(it item) (*types.ContactInfo, error) {
	r := reader{it: it}
	info := &types.ContactInfo{
		Found: true, FirstName: r.s(attrFirst), FullName: r.s(attrFull), PushName: r.s(attrPush),
		BusinessName: r.s(attrBusiness), RedactedPhone: r.s(attrRedacted),
	}
	return info, r.err
}

// getContact reads through the cache; the caller holds contactLock.
func (s *deviceStore) getContact(ctx context.Context, user types.JID) (*types.ContactInfo, error) {
	if cached, ok := s.contacts[user]; ok {
		return cached, nil
	}
	it, err := s.c.getItem(ctx, s.pk, contactSK(user))
	if err != nil {
		return nil, fmt.Errorf("get contact: %w", err)
	}
	info := &types.ContactInfo{}
	if it != nil {
		if info, err = decodeContact(it); err != nil {
			return nil, fmt.Errorf("get contact: %w", err)
		}
	}
	s.contacts[user] = info
	return info, nil
}

// setContactFields upserts some attributes of a contact, leaving the rest.
func (s *deviceStore) setContactFields(ctx context.Context, user types.JID, fields map[string]string) error {
	_, err := s.c.db.UpdateItem(ctx, s.contactUpdate(user, fields))
	return err
}

func (s *deviceStore) contactUpdate(user types.JID, fields map[string]string) *dynamodb.UpdateItemInput {
	expr := "SET #jid = :jid"
	names := map[string]string{"#jid": "jid"}
	values := item{":jid": avS(user.String())}
	for attr, v := range fields {
		expr += fmt.Sprintf(", #%s = :%s", attr, attr)
		names["#"+attr] = attr
		values[":"+attr] = avS(v)
	}
	return &dynamodb.UpdateItemInput{
		TableName: aws.String(s.c.table), Key: keyItem(s.pk, contactSK(user)),
		UpdateExpression: aws.String(expr), ExpressionAttributeNames: names, ExpressionAttributeValues: values,
	}
}

// PutPushName stores a contact's push name if it changed, and reports the
// change and the previous name.
func (s *deviceStore) PutPushName(ctx context.Context, user types.JID, pushName string) (bool, string, error) {
	return s.putName(ctx, user, attrPush, pushName, func(c *types.ContactInfo) *string { return &c.PushName })
}

// PutBusinessName stores a contact's business name if it changed, and
// reports the change and the previous name.
func (s *deviceStore) PutBusinessName(ctx context.Context, user types.JID, businessName string) (bool, string, error) {
	return s.putName(ctx, user, attrBusiness, businessName, func(c *types.ContactInfo) *string { return &c.BusinessName })
}

func (s *deviceStore) putName(ctx context.Context, user types.JID, attr, name string, field func(*types.ContactInfo) *string) (bool, string, error) {
	s.contactLock.Lock()
	defer s.contactLock.Unlock()
	cached, err := s.getContact(ctx, user)
	if err != nil {
		return false, "", err
	}
	if *field(cached) == name {
		return false, "", nil
	}
	if err := s.setContactFields(ctx, user, map[string]string{attr: name}); err != nil {
		return false, "", fmt.Errorf("put contact %s name: %w", attr, err)
	}
	previous := *field(cached)
	*field(cached) = name
	cached.Found = true
	return true, previous, nil
}

// PutContactName stores a contact's names. As in sqlstore, the third
// argument is the first name, whatever the interface calls it: whatsmeow
// passes (first, full).
func (s *deviceStore) PutContactName(ctx context.Context, user types.JID, firstName, fullName string) error {
	s.contactLock.Lock()
	defer s.contactLock.Unlock()
	cached, err := s.getContact(ctx, user)
	if err != nil {
		return err
	}
	if cached.FirstName == firstName && cached.FullName == fullName {
		return nil
	}
	if err := s.setContactFields(ctx, user, map[string]string{attrFirst: firstName, attrFull: fullName}); err != nil {
		return fmt.Errorf("put contact name: %w", err)
	}
	cached.FirstName, cached.FullName, cached.Found = firstName, fullName, true
	return nil
}

// PutAllContactNames stores the names of an address book sync; of
// duplicate JIDs the first entry wins. Written as updates (other names
// stay), atomic per 100 contacts where sqlstore uses one transaction.
func (s *deviceStore) PutAllContactNames(ctx context.Context, contacts []store.ContactEntry) error {
	if len(contacts) == 0 {
		return nil
	}
	seen := make(map[types.JID]bool, len(contacts))
	updates := make([]ddb.TransactWriteItem, 0, len(contacts))
	for _, ce := range contacts {
		if seen[ce.JID] {
			continue
		}
		seen[ce.JID] = true
		updates = append(updates, txUpdate(s.contactUpdate(ce.JID, map[string]string{attrFirst: ce.FirstName, attrFull: ce.FullName})))
	}
	if dup := len(contacts) - len(updates); dup > 0 {
		s.c.log.Warnf("%d duplicate contacts found in PutAllContactNames", dup)
	}
	if err := s.c.transactChunks(ctx, updates); err != nil {
		return fmt.Errorf("put contact names: %w", err)
	}
	s.contactLock.Lock()
	s.contacts = make(map[types.JID]*types.ContactInfo)
	s.contactLock.Unlock()
	return nil
}

// PutManyRedactedPhones stores redacted phone numbers of contacts; of
// duplicate JIDs the first entry wins.
func (s *deviceStore) PutManyRedactedPhones(ctx context.Context, entries []store.RedactedPhoneEntry) error {
	if len(entries) == 0 {
		return nil
	}
	seen := make(map[types.JID]bool, len(entries))
	unique := make([]store.RedactedPhoneEntry, 0, len(entries))
	updates := make([]ddb.TransactWriteItem, 0, len(entries))
	for _, e := range entries {
		if !seen[e.JID] {
			seen[e.JID] = true
			unique = append(unique, e)
			updates = append(updates, txUpdate(s.contactUpdate(e.JID, map[string]string{attrRedacted: e.RedactedPhone})))
		}
	}
	if err := s.c.transactChunks(ctx, updates); err != nil {
		return fmt.Errorf("put redacted phones: %w", err)
	}
	s.contactLock.Lock()
	defer s.contactLock.Unlock()
	for _, e := range unique {
		if cached, ok := s.contacts[e.JID]; !ok || cached.RedactedPhone != e.RedactedPhone {
			delete(s.contacts, e.JID)
		}
	}
	return nil
}

// GetContact returns a contact; Found is false when none is stored.
func (s *deviceStore) GetContact(ctx context.Context, user types.JID) (types.ContactInfo, error) {
	s.contactLock.Lock()
	defer s.contactLock.Unlock()
	info, err := s.getContact(ctx, user)
	if err != nil {
		return types.ContactInfo{}, err
	}
	return *info, nil
}

// GetAllContacts returns every stored contact of the device.
func (s *deviceStore) GetAllContacts(ctx context.Context) (map[types.JID]types.ContactInfo, error) {
	s.contactLock.Lock()
	defer s.contactLock.Unlock()
	out := make(map[types.JID]types.ContactInfo)
	var decodeErr error
	err := s.c.queryEach(ctx, prefixQuery(s.pk, contactPrefix), func(it item) bool {
		r := reader{it: it}
		var jid types.JID
		if jid, decodeErr = types.ParseJID(r.s("jid")); decodeErr != nil {
			return false
		}
		var info *types.ContactInfo
		if info, decodeErr = decodeContact(it); decodeErr != nil {
			return false
		}
		out[jid] = *info
		s.contacts[jid] = info
		return true
	})
	if err == nil {
		err = decodeErr
	}
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	return out, nil
}

// txUpdate turns an UpdateItem request into a transaction item.
func txUpdate(in *dynamodb.UpdateItemInput) ddb.TransactWriteItem {
	return ddb.TransactWriteItem{Update: &ddb.Update{
		TableName: in.TableName, Key: in.Key, UpdateExpression: in.UpdateExpression,
		ExpressionAttributeNames: in.ExpressionAttributeNames, ExpressionAttributeValues: in.ExpressionAttributeValues,
	}}
}
