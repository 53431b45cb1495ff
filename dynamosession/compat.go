package dynamosession

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/agentsession/agentsession"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ErrInvalidUTF8ID is returned in the compat layout for a session ID that is
// not valid UTF-8, which a DynamoDB string cannot hold.
var ErrInvalidUTF8ID = errors.New("dynamosession: the compat layout needs a session ID in UTF-8")

// compat is a session item of the compat layout as read.
type compat struct {
	exists  bool
	items   [][]byte
	expires time.Time
	updated time.Time
	version int64 // 0: absent (as written by the reference package)
}

func (c compat) live(now time.Time) bool {
	return c.exists && len(c.items) > 0 && (c.expires.IsZero() || now.Before(c.expires))
}

func (b *Backend) compatKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{b.pk: &types.AttributeValueMemberS{Value: id}}
}

func (b *Backend) compatGet(ctx context.Context, id string) (compat, error) {
	if !utf8.ValidString(id) {
		return compat{}, ErrInvalidUTF8ID
	}
	out, err := b.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &b.table, Key: b.compatKey(id), ConsistentRead: aws.Bool(true),
	})
	if err != nil || out.Item == nil {
		return compat{}, err
	}
	return decodeCompat(out.Item)
}

// decodeCompat reads a session item. Elements that are JSON strings are the
// bytes of elements that were not valid JSON when written (see encodeItems).
func decodeCompat(item map[string]types.AttributeValue) (compat, error) {
	c := compat{
		exists:  true,
		expires: getTime(item, attrTTL),
		updated: getTime(item, attrUpdated),
		version: getNum(item, attrVersion),
	}
	data, ok := item[attrData].(*types.AttributeValueMemberS)
	if !ok {
		if _, there := item[attrData]; !there {
			return c, nil
		}
		return compat{}, fmt.Errorf("dynamosession: %s is not a string: %w", attrData, agentsession.ErrWrongType)
	}
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(data.Value), &raw); err != nil {
		return compat{}, fmt.Errorf("dynamosession: %s is not a JSON array: %v: %w", attrData, err, agentsession.ErrWrongType)
	}
	c.items = make([][]byte, len(raw))
	for i, r := range raw {
		if len(r) > 0 && r[0] == '"' {
			var s string
			if json.Unmarshal(r, &s) == nil {
				c.items[i] = []byte(s)
				continue
			}
		}
		c.items[i] = r
	}
	return c, nil
}

// encodeItems writes items as one JSON array. An element that is not valid
// JSON (Append checks nothing) is written as a JSON string of its bytes, so
// that it reads back as written.
func encodeItems(items [][]byte) string {
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			buf.WriteByte(',')
		}
		if json.Valid(it) && (len(it) == 0 || it[0] != '"') {
			buf.Write(it)
			continue
		}
		s, _ := json.Marshal(string(it))
		buf.Write(s)
	}
	buf.WriteByte(']')
	return buf.String()
}

// compatPut writes the session item, or deletes it when items is empty,
// conditional on the version it was read at. It reports false on a conflict.
func (b *Backend) compatPut(ctx context.Context, id string, c compat, items [][]byte, expires, now time.Time) (bool, error) {
	cond := "attribute_not_exists(#pk)"
	names := map[string]string{"#pk": b.pk}
	vals := map[string]types.AttributeValue{}
	switch {
	case c.exists && c.version > 0:
		cond = "#version = :ver"
		names = map[string]string{"#version": attrVersion}
		vals[":ver"] = num(c.version)
	case c.exists:
		// Written by the reference package, which keeps no version.
		cond = "attribute_exists(#pk) AND attribute_not_exists(#version)"
		names["#version"] = attrVersion
	}
	if len(vals) == 0 {
		vals = nil
	}
	var err error
	if len(items) == 0 {
		_, err = b.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: &b.table, Key: b.compatKey(id), ConditionExpression: &cond,
			ExpressionAttributeNames: names, ExpressionAttributeValues: vals,
		})
	} else {
		item := b.compatKey(id)
		item[attrData] = &types.AttributeValueMemberS{Value: encodeItems(items)}
		item[attrUpdated] = numStr(epoch(now))
		item[attrVersion] = num(c.version + 1)
		if !expires.IsZero() {
			item[attrTTL] = numStr(epoch(expires))
		}
		_, err = b.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: &b.table, Item: item, ConditionExpression: &cond,
			ExpressionAttributeNames: names, ExpressionAttributeValues: vals,
		})
	}
	if isConflict(err) {
		return false, nil
	}
	return err == nil, err
}

func (b *Backend) compatItems(ctx context.Context, id string, limit int, ttl time.Duration) ([][]byte, error) {
	for attempt := 0; ; attempt++ {
		c, err := b.compatGet(ctx, id)
		if err != nil {
			return nil, err
		}
		now := b.now()
		if !c.live(now) {
			return nil, nil
		}
		items := c.items
		if limit > 0 && limit < len(items) {
			items = items[len(items)-limit:]
		}
		if ttl <= 0 {
			return items, nil
		}
		ok, err := b.compatPut(ctx, id, c, c.items, now.Add(ttl), now)
		if err != nil {
			return nil, err
		}
		if ok {
			return items, nil
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

func (b *Backend) compatAppend(ctx context.Context, id string, items [][]byte, ttl time.Duration) error {
	for attempt := 0; ; attempt++ {
		c, err := b.compatGet(ctx, id)
		if err != nil {
			return err
		}
		now := b.now()
		all, expires := items, time.Time{}
		if c.live(now) {
			all = append(c.items[:len(c.items):len(c.items)], items...)
			expires = c.expires
		}
		if ttl > 0 {
			expires = now.Add(ttl)
		}
		ok, err := b.compatPut(ctx, id, c, all, expires, now)
		if err != nil || ok {
			return err
		}
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

func (b *Backend) compatPop(ctx context.Context, id string) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		c, err := b.compatGet(ctx, id)
		if err != nil {
			return nil, err
		}
		now := b.now()
		if !c.live(now) {
			return nil, nil
		}
		last := c.items[len(c.items)-1]
		ok, err := b.compatPut(ctx, id, c, c.items[:len(c.items)-1], c.expires, now)
		if err != nil {
			return nil, err
		}
		if ok {
			return last, nil
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// compatClear deletes the session item, whatever it holds.
func (b *Backend) compatClear(ctx context.Context, id string) error {
	if !utf8.ValidString(id) {
		return ErrInvalidUTF8ID
	}
	_, err := b.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &b.table, Key: b.compatKey(id)})
	return err
}
