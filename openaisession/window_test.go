package openaisession

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// history builds items from short names: "u" user message, "a" assistant
// message, "r" reasoning, "fcN"/"fcoN" function call/output with call_id N,
// "ccN"/"ccoN" computer call/output, "lsN"/"lsoN" local shell call/output,
// "marN"/"mrespN" MCP approval request/response, "ctN"/"ctoN" custom tool
// call/output.
func history(names ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(names))
	for i, n := range names {
		var s string
		switch {
		case n == "u":
			s = `{"role":"user","content":"hi"}`
		case n == "a":
			s = `{"type":"message","id":"msg","role":"assistant","status":"completed","content":[]}`
		case n == "r":
			s = `{"type":"reasoning","id":"rs","summary":[]}`
		case strings.HasPrefix(n, "fco"):
			s = fmt.Sprintf(`{"type":"function_call_output","call_id":"%s","output":"x"}`, n[3:])
		case strings.HasPrefix(n, "fc"):
			s = fmt.Sprintf(`{"type":"function_call","call_id":"%s","name":"f","arguments":"{}"}`, n[2:])
		case strings.HasPrefix(n, "cco"):
			s = fmt.Sprintf(`{"type":"computer_call_output","call_id":"%s","output":{}}`, n[3:])
		case strings.HasPrefix(n, "cc"):
			s = fmt.Sprintf(`{"type":"computer_call","id":"cu","call_id":"%s"}`, n[2:])
		case strings.HasPrefix(n, "lso"):
			s = fmt.Sprintf(`{"type":"local_shell_call_output","id":"%s","output":"x"}`, n[3:])
		case strings.HasPrefix(n, "ls"):
			s = fmt.Sprintf(`{"type":"local_shell_call","id":"lsh","call_id":"%s"}`, n[2:])
		case strings.HasPrefix(n, "mresp"):
			s = fmt.Sprintf(`{"type":"mcp_approval_response","approval_request_id":"%s","approve":true}`, n[5:])
		case strings.HasPrefix(n, "mar"):
			s = fmt.Sprintf(`{"type":"mcp_approval_request","id":"%s","name":"t","server_label":"s","arguments":"{}"}`, n[3:])
		case strings.HasPrefix(n, "cto"):
			s = fmt.Sprintf(`{"type":"custom_tool_call_output","call_id":"%s","output":"x"}`, n[3:])
		case strings.HasPrefix(n, "ct"):
			s = fmt.Sprintf(`{"type":"custom_tool_call","call_id":"%s","name":"t","input":"x"}`, n[2:])
		default:
			panic("unknown item name " + n)
		}
		out[i] = json.RawMessage(s)
	}
	return out
}

func TestWindowStart(t *testing.T) {
	for _, tc := range []struct {
		items string // oldest first
		whole bool   // items is the whole session
		limit int
		want  string // the window, or "more" when it needs older items
	}{
		{"u a", true, 1, "a"},
		{"u r fc1 fco1 a", true, 1, "a"},
		{"u r fc1 fco1 a", true, 2, "r fc1 fco1 a"},
		{"u r fc1 fco1 a", true, 3, "r fc1 fco1 a"},
		{"u r fc1 fco1 a", true, 5, "u r fc1 fco1 a"},
		{"u r r fc1 fco1", true, 1, "r r fc1 fco1"},
		{"u fc1 fc2 fco1 fco2 a", true, 2, "fc1 fc2 fco1 fco2 a"},
		{"u fc1 fc2 fco1 fco2 a", true, 3, "fc1 fc2 fco1 fco2 a"},
		{"u fc1 fc2 fco1 fco2 a", true, 4, "fc1 fc2 fco1 fco2 a"},
		{"u fc1 fco1 u fc2 fco2 a", true, 2, "fc2 fco2 a"},
		{"u fco9 a", true, 2, "fco9 a"}, // its call is nowhere: as it is
		{"u cc1 cco1", true, 1, "cc1 cco1"},
		{"u ls1 lso1", true, 1, "ls1 lso1"},
		{"u mar1 mresp1", true, 1, "mar1 mresp1"},
		{"u ct1 cto1", true, 1, "ct1 cto1"},
		{"fc1 fco1 a", false, 2, "more"}, // fc1 is first: is a reasoning item before it?
		{"u fco1 a", false, 2, "more"},   // fco1's call is older than what was read
		{"u u a", false, 2, "u a"},
		{"r u a", false, 2, "more"},
	} {
		items := history(strings.Fields(tc.items)...)
		start, ok := windowStart(items, max(len(items)-tc.limit, 0), tc.whole)
		got := "more"
		if ok {
			got = strings.Join(strings.Fields(tc.items)[start:], " ")
		}
		if got != tc.want {
			t.Errorf("window of %d over %q (whole: %v) = %q, want %q", tc.limit, tc.items, tc.whole, got, tc.want)
		}
	}
}
