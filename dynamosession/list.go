package dynamosession

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ErrBadCursor is returned by List for a cursor it did not make.
var ErrBadCursor = errors.New("dynamosession: bad list cursor")

// List implements agentsession.Lister with a Scan of the table, filtered to
// sessions that have elements and have not expired. Sessions come in the
// order of the Scan: stable for a table, but not sorted. The cursor is the
// key of the last session returned, in base64; a page is shorter than limit
// only when it is the last.
func (b *Backend) List(ctx context.Context, cursor string, limit int) ([]agentsession.SessionInfo, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	now := b.now()
	in := &dynamodb.ScanInput{
		TableName:                 &b.table,
		ConsistentRead:            aws.Bool(true),
		Limit:                     aws.Int32(int32(max(min(limit, 1000), 100))),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": numStr(epoch(now))},
	}
	if b.layout == CompatLayout {
		in.FilterExpression = aws.String("attribute_exists(#data) AND (attribute_not_exists(#ttl) OR #ttl > :now)")
		in.ExpressionAttributeNames = map[string]string{"#data": attrData, "#ttl": attrTTL}
	} else {
		in.FilterExpression = aws.String("#pos = :zero AND #lo < #next AND (attribute_not_exists(#ttl) OR #ttl > :now)")
		in.ProjectionExpression = aws.String("#pk, #pos, #lo, #next, #ttl, #upd")
		in.ExpressionAttributeNames = map[string]string{"#pk": b.pk, "#pos": attrPos, "#lo": attrLo, "#next": attrNext, "#ttl": attrTTL, "#upd": attrUpdated}
		in.ExpressionAttributeValues[":zero"] = num(0)
	}
	if cursor != "" {
		k, err := b.parseCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		in.ExclusiveStartKey = k
	}
	var page []agentsession.SessionInfo
	for {
		out, err := b.client.Scan(ctx, in)
		if err != nil {
			return nil, "", err
		}
		for i, item := range out.Items {
			info, ok, err := b.info(item, now)
			if err != nil {
				return nil, "", err
			}
			if ok {
				page = append(page, info)
			}
			if len(page) == limit {
				if i == len(out.Items)-1 && out.LastEvaluatedKey == nil {
					return page, "", nil
				}
				return page, b.formatCursor(item), nil
			}
		}
		if out.LastEvaluatedKey == nil {
			return page, "", nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// info describes the session of a scanned item; ok is false when it has no
// elements or has expired.
func (b *Backend) info(item map[string]types.AttributeValue, now time.Time) (agentsession.SessionInfo, bool, error) {
	var info agentsession.SessionInfo
	var expires time.Time
	if b.layout == CompatLayout {
		id, _ := item[b.pk].(*types.AttributeValueMemberS)
		c, err := decodeCompat(item)
		if err != nil || id == nil {
			return info, false, nil // not a session of ours: skip it
		}
		if !c.live(now) {
			return info, false, nil
		}
		info = agentsession.SessionInfo{ID: id.Value, Items: len(c.items), UpdatedAt: c.updated}
		expires = c.expires
	} else {
		id, _ := item[b.pk].(*types.AttributeValueMemberB)
		m := metaFrom(item)
		if id == nil || !m.live(now) {
			return info, false, nil
		}
		info = agentsession.SessionInfo{ID: string(id.Value), Items: int(m.next - m.lo), UpdatedAt: m.updated}
		expires = m.expires
	}
	if !expires.IsZero() {
		info.TTL = expires.Sub(now)
	}
	return info, true, nil
}

// formatCursor encodes the key of item: the partition key value in base64
// URL encoding, then, in the item layout, "." and the position.
func (b *Backend) formatCursor(item map[string]types.AttributeValue) string {
	switch v := item[b.pk].(type) {
	case *types.AttributeValueMemberS:
		return base64.RawURLEncoding.EncodeToString([]byte(v.Value))
	case *types.AttributeValueMemberB:
		return base64.RawURLEncoding.EncodeToString(v.Value) + "." + strconv.FormatInt(getNum(item, attrPos), 10)
	}
	return ""
}

func (b *Backend) parseCursor(cursor string) (map[string]types.AttributeValue, error) {
	if b.layout == CompatLayout {
		id, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil {
			return nil, ErrBadCursor
		}
		return b.compatKey(string(id)), nil
	}
	enc, pos, ok := strings.Cut(cursor, ".")
	id, err := base64.RawURLEncoding.DecodeString(enc)
	n, perr := strconv.ParseInt(pos, 10, 64)
	if !ok || err != nil || perr != nil || n < 0 {
		return nil, ErrBadCursor
	}
	return b.key(string(id), n), nil
}
