package devicestore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
)

const tokenPrefix = "ptoken#"

func tokenSK(user types.JID) string { return tokenPrefix + esc(user.String()) }

// PutPrivacyTokens stores tokens, each unless a newer one is stored for the
// user; a token without sender timestamp keeps the stored one. Tokens are
// written one by one in order (sqlstore writes them in one statement).
func (s *deviceStore) PutPrivacyTokens(ctx context.Context, tokens ...store.PrivacyToken) error {
	for _, tok := range tokens {
		if tok.Token == nil {
			return errors.New("put privacy token: no token")
		}
		user := tok.User.ToNonAD()
		expr := "SET v = :v, ts = :ts, jid = :jid"
		values := item{":v": avB(tok.Token), ":ts": avN(tok.Timestamp.Unix()), ":jid": avS(user.String())}
		if !tok.SenderTimestamp.IsZero() {
			expr += ", sts = :sts"
			values[":sts"] = avN(tok.SenderTimestamp.Unix())
		}
		_, err := s.c.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(s.c.table), Key: keyItem(s.pk, tokenSK(user)),
			UpdateExpression: aws.String(expr), ExpressionAttributeValues: values,
			ConditionExpression: aws.String("attribute_not_exists(sk) OR ts <= :ts"),
		})
		if err != nil && !isConditionFailed(err) {
			return fmt.Errorf("put privacy token: %w", err)
		}
	}
	return nil
}

// GetPrivacyToken returns the newest token stored for the user or the other
// side of its LID mapping, reported under the JID asked for; nil if none.
func (s *deviceStore) GetPrivacyToken(ctx context.Context, user types.JID) (*store.PrivacyToken, error) {
	user = user.ToNonAD()
	jids, err := s.c.lids.withAlt(ctx, user)
	if err != nil {
		return nil, fmt.Errorf("get privacy token: %w", err)
	}
	keys := make([]item, len(jids))
	for i, j := range jids {
		keys[i] = keyItem(s.pk, tokenSK(j))
	}
	found, err := s.c.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("get privacy token: %w", err)
	}
	var best *store.PrivacyToken
	bestDirect := false
	for _, it := range found {
		r := reader{it: it}
		tok := &store.PrivacyToken{User: user, Token: r.b("v"), Timestamp: time.Unix(r.n("ts"), 0)}
		if r.has("sts") {
			tok.SenderTimestamp = time.Unix(r.n("sts"), 0)
		}
		if r.err != nil {
			return nil, fmt.Errorf("get privacy token: %w", r.err)
		}
		_, sk := keyOf(it)
		direct := sk == tokenSK(user)
		// Newest wins; on a tie, the token of the JID asked for.
		if best == nil || tok.Timestamp.After(best.Timestamp) || (tok.Timestamp.Equal(best.Timestamp) && direct && !bestDirect) {
			best, bestDirect = tok, direct
		}
	}
	return best, nil
}

// DeleteExpiredPrivacyTokens deletes the tokens older than cutoff and
// returns how many. Each is deleted on condition that it is still old, so
// a token renewed meanwhile stays.
func (s *deviceStore) DeleteExpiredPrivacyTokens(ctx context.Context, cutoff time.Time) (int64, error) {
	in := prefixQuery(s.pk, tokenPrefix)
	in.FilterExpression = aws.String("ts < :cutoff")
	in.ExpressionAttributeValues[":cutoff"] = avN(cutoff.Unix())
	in.ProjectionExpression = aws.String("pk, sk")
	var expired []string
	if err := s.c.queryEach(ctx, in, func(it item) bool {
		_, sk := keyOf(it)
		expired = append(expired, sk)
		return true
	}); err != nil {
		return 0, fmt.Errorf("query expired privacy tokens: %w", err)
	}
	var deleted int64
	for _, sk := range expired {
		_, err := s.c.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: aws.String(s.c.table), Key: keyItem(s.pk, sk),
			ConditionExpression:       aws.String("ts < :cutoff"),
			ExpressionAttributeValues: item{":cutoff": avN(cutoff.Unix())},
		})
		switch {
		case isConditionFailed(err):
		case err != nil:
			return deleted, fmt.Errorf("delete expired privacy token: %w", err)
		default:
			deleted++
		}
	}
	return deleted, nil
}
