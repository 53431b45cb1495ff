package dynamosession

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// meta is a session's metadata item in the item layout.
type meta struct {
	exists        bool
	lo, next, ver int64
	expires       time.Time // zero: never
	updated       time.Time
}

// live reports whether the session has elements and has not expired.
func (m meta) live(now time.Time) bool {
	return m.exists && m.lo < m.next && (m.expires.IsZero() || now.Before(m.expires))
}

func (b *Backend) key(id string, pos int64) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{b.pk: &types.AttributeValueMemberB{Value: []byte(id)}, attrPos: num(pos)}
}

func (b *Backend) names() map[string]string {
	return map[string]string{"#pk": b.pk, "#pos": attrPos, "#lo": attrLo, "#next": attrNext, "#ver": attrVer, "#ttl": attrTTL, "#upd": attrUpdated}
}

func metaFrom(item map[string]types.AttributeValue) meta {
	if item == nil {
		return meta{next: 1, lo: 1}
	}
	return meta{
		exists:  true,
		lo:      getNum(item, attrLo),
		next:    getNum(item, attrNext),
		ver:     getNum(item, attrVer),
		expires: getTime(item, attrTTL),
		updated: getTime(item, attrUpdated),
	}
}

func (b *Backend) getMeta(ctx context.Context, id string) (meta, error) {
	out, err := b.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &b.table, Key: b.key(id, 0), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return meta{}, err
	}
	return metaFrom(out.Item), nil
}

// rowItems reads the limit newest elements (all for 0) at the metadata's
// version, and sets the expiry to now+ttl when ttl > 0 and there are any.
func (b *Backend) rowItems(ctx context.Context, id string, limit int, ttl time.Duration) ([][]byte, error) {
	for attempt := 0; ; attempt++ {
		m, err := b.getMeta(ctx, id)
		if err != nil {
			return nil, err
		}
		now := b.now()
		if !m.live(now) {
			return nil, nil
		}
		from := m.lo
		if limit > 0 && m.next-int64(limit) > from {
			from = m.next - int64(limit)
		}
		items, ok, err := b.queryRows(ctx, id, from, m.next, m.ver)
		if err != nil {
			return nil, err
		}
		if ok && ttl > 0 {
			_, err = b.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName: &b.table, Key: b.key(id, 0),
				UpdateExpression:          aws.String("SET #ttl = :ttl"),
				ConditionExpression:       aws.String("#ver = :ver"),
				ExpressionAttributeNames:  map[string]string{"#ttl": attrTTL, "#ver": attrVer},
				ExpressionAttributeValues: map[string]types.AttributeValue{":ttl": numStr(epoch(now.Add(ttl))), ":ver": num(m.ver)},
			})
			if err != nil && !isConflict(err) {
				return nil, err
			}
			ok = err == nil
		}
		if ok {
			return items, nil
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// queryRows reads the elements at positions [from, to). ok is false when they
// are not what version ver holds (one is missing or newer): the session
// changed since its metadata was read.
func (b *Backend) queryRows(ctx context.Context, id string, from, to, ver int64) (items [][]byte, ok bool, err error) {
	items = make([][]byte, 0, min(to-from, 1000))
	in := &dynamodb.QueryInput{
		TableName:                &b.table,
		ConsistentRead:           aws.Bool(true),
		KeyConditionExpression:   aws.String("#pk = :id AND #pos BETWEEN :a AND :b"),
		ExpressionAttributeNames: map[string]string{"#pk": b.pk, "#pos": attrPos},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":id": &types.AttributeValueMemberB{Value: []byte(id)}, ":a": num(from), ":b": num(to - 1),
		},
	}
	want := from
	for {
		out, err := b.client.Query(ctx, in)
		if err != nil {
			return nil, false, err
		}
		for _, row := range out.Items {
			data, _ := row[attrItem].(*types.AttributeValueMemberB)
			if getNum(row, attrPos) != want || getNum(row, attrW) > ver || data == nil {
				return nil, false, nil
			}
			items = append(items, data.Value)
			want++
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	return items, want == to, nil
}

// rowAppend writes the elements at the positions after the newest, each with
// a conditional put that never overwrites the row of a later writer, then
// commits them all at once by moving next in the metadata item, conditional
// on the version it read.
func (b *Backend) rowAppend(ctx context.Context, id string, items [][]byte, ttl time.Duration) error {
	for attempt := 0; ; attempt++ {
		m, err := b.getMeta(ctx, id)
		if err != nil {
			return err
		}
		now := b.now()
		fresh := !m.live(now) // absent, empty or expired: starts anew, without the old expiry
		lo := m.lo
		if fresh {
			lo = m.next
		}
		w := m.ver + 1
		blocked, err := b.putRows(ctx, id, m.next, items, w)
		if err != nil {
			return err
		}
		if blocked >= w {
			// A row in the way was staged by a writer that has not committed
			// (and may never): move the version past it, which also makes that
			// writer's commit fail, and try again.
			if err := b.bump(ctx, id, m, blocked); err != nil {
				return err
			}
			if err := backoff(ctx, attempt); err != nil {
				return err
			}
			continue
		}
		set := "SET #lo = :lo, #next = :next, #ver = :w, #upd = :now"
		vals := map[string]types.AttributeValue{
			":lo": num(lo), ":next": num(m.next + int64(len(items))), ":w": num(w), ":now": numStr(epoch(now)),
		}
		switch {
		case ttl > 0:
			set += ", #ttl = :ttl"
			vals[":ttl"] = numStr(epoch(now.Add(ttl)))
		case fresh:
			set += " REMOVE #ttl"
		}
		cond := "attribute_not_exists(#pk)"
		if m.exists {
			cond = "#ver = :ver"
			vals[":ver"] = num(m.ver)
		}
		names := used(b.names(), set, cond)
		_, err = b.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &b.table, Key: b.key(id, 0),
			UpdateExpression: &set, ConditionExpression: &cond,
			ExpressionAttributeNames: names, ExpressionAttributeValues: vals,
		})
		if err == nil {
			if fresh && m.lo < m.next {
				// The rows of an expired session: nobody reads them now.
				_ = b.deleteRows(ctx, id, m.lo, m.next)
			}
			return nil
		}
		if !isConflict(err) {
			return err
		}
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

// putParallel is the most puts one Append has in flight.
const putParallel = 16

// putRows writes items at positions from, from+1, ... with version w, each
// only over no row or a row of a lower version. It returns the highest
// version of a row that stopped a put, 0 when none did.
func (b *Backend) putRows(ctx context.Context, id string, from int64, items [][]byte, w int64) (blocked int64, err error) {
	put := func(ctx context.Context, i int) (int64, error) {
		pos := from + int64(i)
		item := b.key(id, pos)
		item[attrItem] = &types.AttributeValueMemberB{Value: items[i]}
		item[attrW] = num(w)
		_, err := b.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: &b.table, Item: item,
			ConditionExpression:       aws.String("attribute_not_exists(#pos) OR #w < :w"),
			ExpressionAttributeNames:  map[string]string{"#pos": attrPos, "#w": attrW},
			ExpressionAttributeValues: map[string]types.AttributeValue{":w": num(w)},
		})
		if !isConflict(err) {
			return 0, err
		}
		out, err := b.client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: &b.table, Key: b.key(id, pos), ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return 0, err
		}
		return max(getNum(out.Item, attrW), w), nil
	}
	if len(items) == 1 {
		return put(ctx, 0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		next int
	)
	for range min(putParallel, len(items)) {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				stop := err != nil || blocked > 0 || i >= len(items)
				mu.Unlock()
				if stop {
					return
				}
				bl, e := put(ctx, i)
				mu.Lock()
				if e != nil && err == nil {
					err = e
					cancel()
				}
				blocked = max(blocked, bl)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return blocked, err
}

// bump moves the version of session id past v, creating an empty metadata
// item if there is none.
func (b *Backend) bump(ctx context.Context, id string, m meta, v int64) error {
	vals := map[string]types.AttributeValue{":v": num(v)}
	set, cond := "SET #ver = :v", "attribute_not_exists(#pk)"
	if m.exists {
		cond = "#ver = :ver"
		vals[":ver"] = num(m.ver)
	} else {
		set += ", #lo = :one, #next = :one"
		vals[":one"] = num(1)
	}
	names := used(b.names(), set, cond)
	_, err := b.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &b.table, Key: b.key(id, 0), UpdateExpression: &set, ConditionExpression: &cond,
		ExpressionAttributeNames: names, ExpressionAttributeValues: vals,
	})
	if isConflict(err) {
		return nil // someone else changed it: the retry reads it anew
	}
	return err
}

// rowPop reads the newest element, then takes it by moving next back,
// conditional on the version it read; only then is its row deleted.
func (b *Backend) rowPop(ctx context.Context, id string) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		m, err := b.getMeta(ctx, id)
		if err != nil {
			return nil, err
		}
		now := b.now()
		if !m.live(now) {
			return nil, nil
		}
		p := m.next - 1
		out, err := b.client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: &b.table, Key: b.key(id, p), ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return nil, err
		}
		data, _ := out.Item[attrItem].(*types.AttributeValueMemberB)
		rowW := getNum(out.Item, attrW)
		if data != nil && rowW <= m.ver {
			set := "SET #next = :p, #ver = :v1, #upd = :now"
			vals := map[string]types.AttributeValue{
				":p": num(p), ":v1": num(m.ver + 1), ":now": numStr(epoch(now)), ":ver": num(m.ver),
			}
			names := map[string]string{"#next": attrNext, "#ver": attrVer, "#upd": attrUpdated}
			if p == m.lo {
				// Emptied: keep the metadata item only as a tombstone.
				set += ", #ttl = :ttl"
				vals[":ttl"] = numStr(epoch(now.Add(tombstoneTTL)))
				names["#ttl"] = attrTTL
			}
			_, err = b.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName: &b.table, Key: b.key(id, 0),
				UpdateExpression: &set, ConditionExpression: aws.String("#ver = :ver"),
				ExpressionAttributeNames: names, ExpressionAttributeValues: vals,
			})
			if err == nil {
				// Only this row, not one written at p since.
				_, _ = b.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
					TableName: &b.table, Key: b.key(id, p),
					ConditionExpression:       aws.String("#w = :w"),
					ExpressionAttributeNames:  map[string]string{"#w": attrW},
					ExpressionAttributeValues: map[string]types.AttributeValue{":w": num(rowW)},
				})
				return data.Value, nil
			}
			if !isConflict(err) {
				return nil, err
			}
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// rowClear empties the session in one conditional write (lo = next), which
// is what readers see, then deletes its rows.
func (b *Backend) rowClear(ctx context.Context, id string) error {
	for attempt := 0; ; attempt++ {
		m, err := b.getMeta(ctx, id)
		if err != nil {
			return err
		}
		if !m.exists {
			return nil
		}
		now := b.now()
		_, err = b.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &b.table, Key: b.key(id, 0),
			UpdateExpression:         aws.String("SET #lo = :next, #ver = :v1, #upd = :now, #ttl = :ttl"),
			ConditionExpression:      aws.String("#ver = :ver"),
			ExpressionAttributeNames: map[string]string{"#lo": attrLo, "#ver": attrVer, "#upd": attrUpdated, "#ttl": attrTTL},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":next": num(m.next), ":v1": num(m.ver + 1), ":now": numStr(epoch(now)),
				":ttl": numStr(epoch(now.Add(tombstoneTTL))), ":ver": num(m.ver),
			},
		})
		if err == nil {
			// Every row below next, also ones left by failed writers.
			return b.deleteRows(ctx, id, 1, m.next)
		}
		if !isConflict(err) {
			return err
		}
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

// deleteRows deletes the rows of session id at positions [from, to), which
// no writer writes any more.
func (b *Backend) deleteRows(ctx context.Context, id string, from, to int64) error {
	if from >= to {
		return nil
	}
	in := &dynamodb.QueryInput{
		TableName:                &b.table,
		KeyConditionExpression:   aws.String("#pk = :id AND #pos BETWEEN :a AND :b"),
		ProjectionExpression:     aws.String("#pk, #pos"),
		ExpressionAttributeNames: map[string]string{"#pk": b.pk, "#pos": attrPos},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":id": &types.AttributeValueMemberB{Value: []byte(id)}, ":a": num(from), ":b": num(to - 1),
		},
	}
	for {
		out, err := b.client.Query(ctx, in)
		if err != nil {
			return err
		}
		for chunk := range slices.Chunk(out.Items, 25) {
			reqs := make([]types.WriteRequest, len(chunk))
			for i, k := range chunk {
				reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: k}}
			}
			if err := b.batchWrite(ctx, reqs); err != nil {
				return err
			}
		}
		if out.LastEvaluatedKey == nil {
			return nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// batchWrite sends reqs (at most 25) with BatchWriteItem until none is left
// unprocessed.
func (b *Backend) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	for attempt := 0; len(reqs) > 0; attempt++ {
		if attempt > 0 {
			if err := backoff(ctx, attempt); err != nil {
				return err
			}
		}
		out, err := b.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{b.table: reqs},
		})
		if err != nil {
			return err
		}
		reqs = out.UnprocessedItems[b.table]
		if attempt > 100 {
			return fmt.Errorf("dynamosession: %d deletes still unprocessed after %d attempts", len(reqs), attempt)
		}
	}
	return nil
}

// used returns the entries of names that the expressions use, as DynamoDB
// rejects unused ones.
func used(names map[string]string, exprs ...string) map[string]string {
	out := map[string]string{}
	for k, v := range names {
		for _, e := range exprs {
			if strings.Contains(e, k) {
				out[k] = v
			}
		}
	}
	return out
}
