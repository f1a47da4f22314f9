package devicestore

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/uuid"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/util/keys"
)

// errInvalidLength is returned for a stored key of the wrong size, like
// sqlstore's ErrInvalidLength.
var errInvalidLength = errors.New("stored byte array has an illegal length")

// PutDevice stores the device (normally through Device.Save). Like
// sqlstore, the first save stores everything and later ones update only
// the LID, platform, business and push names, LID migration time and
// companion nonce: keys and account data are written once.
func (c *Container) PutDevice(ctx context.Context, device *store.Device) error {
	if device.ID == nil {
		return ErrDeviceIDMustBeSet
	}
	err := c.putDevice(ctx, device)
	if !device.Initialized {
		c.initializeDevice(device)
	}
	return err
}

func (c *Container) putDevice(ctx context.Context, d *store.Device) error {
	if err := validateDevice(d); err != nil {
		return err
	}
	// Insert, else update; a delete racing in between makes both fail
	// their conditions, and the insert is tried again.
	for attempt := 0; attempt < 3; attempt++ {
		_, err := c.db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(c.table), Item: encodeDevice(d), ConditionExpression: aws.String(condAbsent),
		})
		if !isConditionFailed(err) {
			if err != nil {
				return fmt.Errorf("insert device: %w", err)
			}
			return nil
		}
		set := "SET platform = :platform, bname = :bname, push = :push, lidts = :lidts, nonce = :nonce"
		values := item{
			":platform": avS(d.Platform), ":bname": avS(d.BusinessName), ":push": avS(d.PushName),
			":lidts": avN(d.LIDMigrationTimestamp), ":nonce": avS(d.CompanionMetaNonce),
		}
		if d.LID.IsEmpty() {
			set += " REMOVE lid"
		} else {
			set += ", lid = :lid"
			values[":lid"] = avS(d.LID.String())
		}
		_, err = c.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(c.table), Key: keyItem(devicesPK, d.ID.String()),
			UpdateExpression: aws.String(set), ExpressionAttributeValues: values,
			ConditionExpression: aws.String("attribute_exists(sk)"),
		})
		if !isConditionFailed(err) {
			if err != nil {
				return fmt.Errorf("update device: %w", err)
			}
			return nil
		}
	}
	return errors.New("save device: deleted and recreated concurrently")
}

// validateDevice applies the checks of sqlstore's schema (and refuses a
// device without account, on which sqlstore would panic).
func validateDevice(d *store.Device) error {
	a := d.Account
	switch {
	case a == nil:
		return errors.New("invalid device: no account identity")
	case d.NoiseKey == nil || d.IdentityKey == nil || d.SignedPreKey == nil || d.SignedPreKey.Signature == nil:
		return errors.New("invalid device: keys missing")
	case d.SignedPreKey.KeyID > maxPreKeyID:
		return errors.New("invalid device: signed prekey id out of range")
	case len(a.AccountSignature) != 64 || len(a.AccountSignatureKey) != 32 || len(a.DeviceSignature) != 64:
		return errors.New("invalid device: account signature of illegal length")
	}
	return nil
}

func encodeDevice(d *store.Device) item {
	it := item{
		"reg":      avU(uint64(d.RegistrationID)),
		"noise":    avB(d.NoiseKey.Priv[:]),
		"ident":    avB(d.IdentityKey.Priv[:]),
		"spk":      avB(d.SignedPreKey.Priv[:]),
		"spkid":    avU(uint64(d.SignedPreKey.KeyID)),
		"spksig":   avB(d.SignedPreKey.Signature[:]),
		"adv":      avB(d.AdvSecretKey),
		"advd":     avB(d.Account.Details),
		"advas":    avB(d.Account.AccountSignature),
		"advask":   avB(d.Account.AccountSignatureKey),
		"advds":    avB(d.Account.DeviceSignature),
		"platform": avS(d.Platform),
		"bname":    avS(d.BusinessName),
		"push":     avS(d.PushName),
		"lidts":    avN(d.LIDMigrationTimestamp),
		"nonce":    avS(d.CompanionMetaNonce),
	}
	if !d.LID.IsEmpty() {
		it["lid"] = avS(d.LID.String())
	}
	if d.FacebookUUID != uuid.Nil {
		it["fbuuid"] = avS(d.FacebookUUID.String())
	}
	return withKey(devicesPK, d.ID.String(), it)
}

func (c *Container) decodeDevice(it item) (*store.Device, error) {
	r := reader{it: it}
	id, err := types.ParseJID(r.s(attrSK))
	if err != nil {
		return nil, fmt.Errorf("decode device: %w", err)
	}
	d := &store.Device{Log: c.log, ID: &id}
	if lid := r.s("lid"); lid != "" {
		if d.LID, err = types.ParseJID(lid); err != nil {
			return nil, fmt.Errorf("decode device LID: %w", err)
		}
	}
	if fb := r.s("fbuuid"); fb != "" {
		if d.FacebookUUID, err = uuid.Parse(fb); err != nil {
			return nil, fmt.Errorf("decode device: %w", err)
		}
	}
	d.RegistrationID = uint32(r.u("reg"))
	noise, ident, spk, sig := r.b("noise"), r.b("ident"), r.b("spk"), r.b("spksig")
	d.SignedPreKey = &keys.PreKey{KeyID: uint32(r.u("spkid"))}
	d.AdvSecretKey = r.b("adv")
	d.Account = &waAdv.ADVSignedDeviceIdentity{
		Details: r.b("advd"), AccountSignature: r.b("advas"),
		AccountSignatureKey: r.b("advask"), DeviceSignature: r.b("advds"),
	}
	d.Platform, d.BusinessName, d.PushName = r.s("platform"), r.s("bname"), r.s("push")
	d.LIDMigrationTimestamp = r.n("lidts")
	d.CompanionMetaNonce = r.s("nonce")
	if r.err != nil {
		return nil, fmt.Errorf("decode device: %w", r.err)
	}
	if len(noise) != 32 || len(ident) != 32 || len(spk) != 32 || len(sig) != 64 {
		return nil, fmt.Errorf("decode device: %w", errInvalidLength)
	}
	d.NoiseKey = keys.NewKeyPairFromPrivateKey([32]byte(noise))
	d.IdentityKey = keys.NewKeyPairFromPrivateKey([32]byte(ident))
	d.SignedPreKey.KeyPair = *keys.NewKeyPairFromPrivateKey([32]byte(spk))
	d.SignedPreKey.Signature = (*[64]byte)(sig)
	c.initializeDevice(d)
	return d, nil
}
