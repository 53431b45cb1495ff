package dynamosession

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// CreateTable creates the backend's table with the key schema of its layout
// and on-demand (PAY_PER_REQUEST) billing, waits until it is ACTIVE, and
// enables DynamoDB's TTL on the ttl attribute. A table that already exists is
// not an error (its key schema is not checked). A server that does not know
// UpdateTimeToLive (dynalite) is not an error either: expiry is also checked
// on every read, so expired sessions still read as empty, but their items
// then stay in the table.
func (b *Backend) CreateTable(ctx context.Context) error {
	in := &dynamodb.CreateTableInput{
		TableName:   &b.table,
		BillingMode: types.BillingModePayPerRequest,
	}
	if b.layout == CompatLayout {
		in.AttributeDefinitions = []types.AttributeDefinition{{AttributeName: &b.pk, AttributeType: types.ScalarAttributeTypeS}}
		in.KeySchema = []types.KeySchemaElement{{AttributeName: &b.pk, KeyType: types.KeyTypeHash}}
	} else {
		in.AttributeDefinitions = []types.AttributeDefinition{
			{AttributeName: &b.pk, AttributeType: types.ScalarAttributeTypeB},
			{AttributeName: aws.String(attrPos), AttributeType: types.ScalarAttributeTypeN},
		}
		in.KeySchema = []types.KeySchemaElement{
			{AttributeName: &b.pk, KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(attrPos), KeyType: types.KeyTypeRange},
		}
	}
	if _, err := b.client.CreateTable(ctx, in); err != nil {
		var inUse *types.ResourceInUseException
		if !errors.As(err, &inUse) {
			return err
		}
	}
	w := dynamodb.NewTableExistsWaiter(b.client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 50 * time.Millisecond
		o.MaxDelay = time.Second
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: &b.table}, 5*time.Minute); err != nil {
		return fmt.Errorf("dynamosession: waiting for table %s: %w", b.table, err)
	}
	_, err := b.client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: &b.table,
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(attrTTL), Enabled: aws.Bool(true),
		},
	})
	if err != nil && !ttlUnsupported(err) {
		return err
	}
	return nil
}

// ttlUnsupported reports whether err says the server does not implement
// UpdateTimeToLive, or that TTL is already enabled.
func ttlUnsupported(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	msg := strings.ToLower(ae.ErrorCode() + " " + ae.ErrorMessage())
	return strings.Contains(msg, "unknownoperation") || strings.Contains(msg, "unknown operation") ||
		strings.Contains(msg, "already enabled") || strings.Contains(msg, "not implemented") ||
		strings.Contains(msg, "notimplemented")
}
