package dynamosession

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/agentsession/agentsession"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

var _ agentsession.Expirer = (*Backend)(nil)

// TTL implements agentsession.Expirer with one consistent GetItem: of the
// metadata item in the item layout, of the session item in the compat
// layout. A session exists when it has elements and its ttl attribute, if
// any, is after the backend's clock; the time left is 0 when it has no ttl.
func (b *Backend) TTL(ctx context.Context, id string) (time.Duration, bool, error) {
	if err := ctx.Err(); err != nil {
		return 0, false, err
	}
	var (
		live    bool
		expires time.Time
		now     time.Time
	)
	if b.layout == CompatLayout {
		c, err := b.compatGet(ctx, id)
		if err != nil {
			return 0, false, err
		}
		now = b.now()
		live, expires = c.live(now), c.expires
	} else {
		m, err := b.getMeta(ctx, id)
		if err != nil {
			return 0, false, err
		}
		now = b.now()
		live, expires = m.live(now), m.expires
	}
	if !live {
		return 0, false, nil
	}
	if expires.IsZero() {
		return 0, true, nil
	}
	return expires.Sub(now), true, nil
}

// SetTTL implements agentsession.Expirer: it reads the session, and when it
// is live sets its ttl attribute to now+ttl (epoch seconds with a
// millisecond fraction), or removes it when ttl is 0, with one UpdateItem
// conditional on the version it read and on the session not having expired
// since; on a conflict it reads again and retries, as the other writes do.
// The version is bumped, so that a concurrent write that read the old one
// starts again and sees the new expiry. In the item layout the metadata item
// is updated (only it has a ttl); in the compat layout the session item's ttl
// and version, without rewriting its elements or updated_at. An absent, empty
// or expired session is left as it is and SetTTL reports false.
func (b *Backend) SetTTL(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	defer b.lock(id)()
	for attempt := 0; ; attempt++ {
		var (
			live bool
			err  error
		)
		if b.layout == CompatLayout {
			live, err = b.compatSetTTL(ctx, id, ttl)
		} else {
			live, err = b.rowSetTTL(ctx, id, ttl)
		}
		if err == nil || !live {
			return live && err == nil, err
		}
		if !isConflict(err) {
			return false, err
		}
		if err := backoff(ctx, attempt); err != nil {
			return false, err
		}
	}
}

// ttlUpdate returns the SET or REMOVE clause of the ttl attribute (named
// #ttl) for a TTL set at now, adding :ttl to vals when there is one.
func ttlUpdate(now time.Time, ttl time.Duration, vals map[string]types.AttributeValue) string {
	if ttl <= 0 {
		return " REMOVE #ttl"
	}
	vals[":ttl"] = numStr(epoch(now.Add(ttl)))
	return ", #ttl = :ttl"
}

// rowSetTTL is one attempt of SetTTL in the item layout. It reports whether
// the session was live when read; a conflict is returned as the error.
func (b *Backend) rowSetTTL(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	m, err := b.getMeta(ctx, id)
	if err != nil {
		return false, err
	}
	now := b.now()
	if !m.live(now) {
		return false, nil
	}
	vals := map[string]types.AttributeValue{":ver": num(m.ver), ":v1": num(m.ver + 1)}
	names := map[string]string{"#ver": attrVer, "#ttl": attrTTL}
	cond := "#ver = :ver"
	if !m.expires.IsZero() {
		// Not expired by now: an expired session is never revived.
		cond += " AND #ttl > :now"
		vals[":now"] = numStr(epoch(now))
	}
	set := "SET #ver = :v1" + ttlUpdate(now, ttl, vals)
	_, err = b.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &b.table, Key: b.key(id, 0),
		UpdateExpression: &set, ConditionExpression: &cond,
		ExpressionAttributeNames: names, ExpressionAttributeValues: vals,
	})
	return true, err
}

// compatSetTTL is one attempt of SetTTL in the compat layout. It reports
// whether the session was live when read; a conflict is returned as the
// error.
func (b *Backend) compatSetTTL(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	if !utf8.ValidString(id) {
		return false, ErrInvalidUTF8ID
	}
	out, err := b.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &b.table, Key: b.compatKey(id), ConsistentRead: aws.Bool(true),
	})
	if err != nil || out.Item == nil {
		return false, err
	}
	c, err := decodeCompat(out.Item)
	if err != nil {
		return false, err
	}
	now := b.now()
	if !c.live(now) {
		return false, nil
	}
	vals := map[string]types.AttributeValue{":v1": num(c.version + 1)}
	names := map[string]string{"#version": attrVersion, "#ttl": attrTTL}
	cond := "#version = :ver"
	if c.version > 0 {
		vals[":ver"] = num(c.version)
	} else {
		// Written by the reference package, which keeps no version.
		cond = "attribute_exists(#pk) AND attribute_not_exists(#version)"
		names["#pk"] = b.pk
	}
	if _, isNum := out.Item[attrTTL].(*types.AttributeValueMemberN); isNum && !c.expires.IsZero() {
		// Not expired by now: an expired session is never revived.
		cond += " AND #ttl > :now"
		vals[":now"] = numStr(epoch(now))
	}
	set := "SET #version = :v1" + ttlUpdate(now, ttl, vals)
	_, err = b.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &b.table, Key: b.compatKey(id),
		UpdateExpression: &set, ConditionExpression: &cond,
		ExpressionAttributeNames: names, ExpressionAttributeValues: vals,
	})
	return true, err
}
