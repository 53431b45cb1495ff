package dynamosession_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/dynamosession"
)

func TestOpenErrors(t *testing.T) {
	for _, tc := range []struct {
		url, wantErr string
	}{
		{"dynamodb://t?bogus=1", "unknown parameter bogus"},
		{"dynamodb://t?layout=rows", "layout"},
		{"dynamodb://t?create_table=maybe", "create_table"},
		{"dynamodb://t?endpoint=127.0.0.1", "endpoint"},
		{"dynamodb://t/extra", "path"},
		{"dynamodb://t?layout=item&partition_key=pos", "partition key"},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		_, err = dynamosession.Open(t.Context(), u)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("Open(%s): %v, want an error about %s", tc.url, err, tc.wantErr)
		}
	}
}

func TestOpenStore(t *testing.T) {
	ep := endpoint(t)
	for _, layout := range []string{"item", "compat"} {
		t.Run(layout, func(t *testing.T) {
			table := tableName(t)
			st, err := agentsession.OpenStore(t.Context(), "dynamodb://"+table+"?endpoint="+url.QueryEscape(ep)+
				"&region=us-east-1&create_table=true&ttl=1h&layout="+layout)
			if err != nil {
				t.Fatal(err)
			}
			b := st.Backend.(*dynamosession.Backend)
			t.Cleanup(func() { deleteTable(t, ep, table) })
			if b.Table() != table || b.Layout().String() != layout || st.Options.TTL.Hours() != 1 {
				t.Fatalf("opened table %s layout %v options %+v", b.Table(), b.Layout(), st.Options)
			}
			s, err := st.Session("u")
			if err != nil {
				t.Fatal(err)
			}
			if err := s.AddItems(t.Context(), []json.RawMessage{json.RawMessage(`{"a":1}`)}); err != nil {
				t.Fatal(err)
			}
			got, err := s.GetItems(t.Context(), 0)
			if err != nil || len(got) != 1 {
				t.Fatalf("GetItems: %s, %v", got, err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
	if _, err := agentsession.OpenStore(t.Context(), "dynamodb://t?nope=1"); err == nil || errors.Is(err, agentsession.ErrUnknownScheme) {
		t.Fatalf("OpenStore with an unknown parameter: %v", err)
	}
}
