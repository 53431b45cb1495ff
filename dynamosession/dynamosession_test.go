package dynamosession_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/dynamosession"
	"github.com/agentsession/agentsession/internal/testenv"
	"github.com/agentsession/agentsession/sessiontest"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// endpoint returns the DynamoDB-compatible server named by
// AGENTSESSION_DYNAMODB_ENDPOINT; without it t skips (fails under CI).
func endpoint(t testing.TB) string {
	t.Helper()
	return testenv.Get(t, "AGENTSESSION_DYNAMODB_ENDPOINT", "a DynamoDB-compatible server such as dynalite (for example http://127.0.0.1:4567)")
}

// client returns a client of the test server.
func client(t testing.TB) *dynamodb.Client {
	t.Helper()
	ep := endpoint(t)
	return dynamodb.New(dynamodb.Options{
		BaseEndpoint: aws.String(ep),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
}

// tableName returns a table name no other test uses.
func tableName(t testing.TB) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "agentsession-test-" + hex.EncodeToString(b[:])
}

// newBackend makes a backend on a new table, deleted when t ends.
func newBackend(t testing.TB, c *dynamodb.Client, opts dynamosession.Options) *dynamosession.Backend {
	t.Helper()
	opts.Table = tableName(t)
	b, err := dynamosession.New(c, &opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.CreateTable(t.Context()); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	t.Cleanup(func() {
		if _, err := c.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(opts.Table)}); err != nil {
			t.Errorf("deleting table %s: %v", opts.Table, err)
		}
	})
	return b
}

func TestConformance(t *testing.T) {
	c := client(t)
	sessiontest.Run(t, func(t *testing.T) (agentsession.Backend, error) {
		return newBackend(t, c, dynamosession.Options{}), nil
	})
}

func TestConformanceCompat(t *testing.T) {
	c := client(t)
	sessiontest.Run(t, func(t *testing.T) (agentsession.Backend, error) {
		return newBackend(t, c, dynamosession.Options{Layout: dynamosession.CompatLayout}), nil
	})
}

func deleteTable(t testing.TB, ep, table string) {
	c := dynamodb.New(dynamodb.Options{
		BaseEndpoint: aws.String(ep), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	if _, err := c.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(table)}); err != nil {
		t.Errorf("deleting table %s: %v", table, err)
	}
}
