package sessiontest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
)

var contextTests = []test{
	{"Canceled", func(t *testing.T, h *harness) {
		s := h.session(t, "canceled", &agentsession.Options{TTL: time.Minute})
		add(t, s, items("before", 1))
		checkAllFail(t, s, canceled(), context.Canceled)
		wantItems(t, "GetItems() after calls with a canceled context", get(t, s, 0), items("before", 1))
	}},
	{"DeadlineExceeded", func(t *testing.T, h *harness) {
		s := h.session(t, "deadline", nil)
		add(t, s, items("before", 1))
		ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
		defer cancel()
		checkAllFail(t, s, ctx, context.DeadlineExceeded)
		wantItems(t, "GetItems() after calls past their deadline", get(t, s, 0), items("before", 1))
	}},
	{"ErrorsNameOperationAndSession", func(t *testing.T, h *harness) {
		s := h.session(t, "named-in-errors", nil)
		err := s.AddItems(canceled(), items("x", 1))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("AddItems with a canceled context: %v", err)
		}
		for _, part := range []string{"agentsession: ", "add items", `"named-in-errors"`} {
			if !strings.Contains(err.Error(), part) {
				t.Fatalf("error %q does not contain %q", err, part)
			}
		}
	}},
}
