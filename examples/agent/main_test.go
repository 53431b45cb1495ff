package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/agentsession/agentsession/internal/testenv"
	"github.com/agentsession/agentsession/sessiontest"
	"github.com/openai/openai-go/v3/option"
)

// fakeAPI is a local stand-in for the Responses API: it answers POST
// /responses with responses of the real shape, and records each request's
// input items.
type fakeAPI struct {
	mu     sync.Mutex
	inputs [][]json.RawMessage
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/responses" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	var req struct {
		Model string            `json:"model"`
		Input []json.RawMessage `json:"input"`
		Store *bool             `json:"store"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Input) == 0 {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.inputs = append(f.inputs, req.Input)
	n := len(f.inputs)
	f.mu.Unlock()

	var last struct {
		Type    string `json:"type"`
		Content any    `json:"content"`
		Output  string `json:"output"`
	}
	_ = json.Unmarshal(req.Input[len(req.Input)-1], &last)
	text, _ := last.Content.(string)
	var output []string
	switch {
	case last.Type == "function_call_output":
		output = []string{message(n, "The sum is "+last.Output+".")}
	case strings.Contains(text, "fail"):
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"message":"the model exploded","type":"invalid_request_error","param":null,"code":null}}`)
		return
	case strings.Contains(text, "add"):
		output = []string{
			fmt.Sprintf(`{"type":"reasoning","id":"rs_%d","summary":[{"type":"summary_text","text":"Use the tool."}],"encrypted_content":"gAAAAenc%d"}`, n, n),
			fmt.Sprintf(`{"type":"function_call","id":"fc_%d","call_id":"call_%d","name":"add_numbers","arguments":"{\"a\":2,\"b\":3}","status":"completed"}`, n, n),
		}
	default:
		output = []string{message(n, fmt.Sprintf("echo: %s (after %d items)", text, len(req.Input)-1))}
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":"resp_%d","object":"response","created_at":1764000000,"status":"completed","model":%q,`+
		`"output":[%s],"parallel_tool_calls":true,"tool_choice":"auto","tools":[],"temperature":1,"top_p":1,`+
		`"usage":{"input_tokens":10,"input_tokens_details":{"cached_tokens":0},"output_tokens":5,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":15}}`,
		n, req.Model, strings.Join(output, ","))
}

func message(n int, text string) string {
	t, _ := json.Marshal(text)
	return fmt.Sprintf(`{"type":"message","id":"msg_%d","role":"assistant","status":"completed","content":[{"type":"output_text","text":%s,"annotations":[]}]}`, n, t)
}

func (f *fakeAPI) requests() [][]json.RawMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]json.RawMessage(nil), f.inputs...)
}

// chat runs the program once with input, as a user would type it, and
// returns what it printed.
func chat(t *testing.T, api *httptest.Server, store, session, input string) (stdout, stderr string) {
	t.Helper()
	cfg := config{store: store, session: session, model: "gpt-test", options: []option.RequestOption{
		option.WithBaseURL(api.URL), option.WithAPIKey("test-key"), option.WithMaxRetries(0),
	}}
	var out, errOut strings.Builder
	if err := run(t.Context(), cfg, strings.NewReader(input), &out, &errOut); err != nil {
		t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}

func TestAgentRemembersAcrossTurnsAndRestarts(t *testing.T) {
	url := testenv.Get(t, "AGENTSESSION_REDIS_URL", "a redis-server")
	client := testenv.Redis(t)
	session := sessiontest.UniquePrefix(t)
	key := "agentsession:agent:" + session
	t.Cleanup(func() { client.Unlink(context.Background(), key) })
	fake := &fakeAPI{}
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)

	// Turn 1 and turn 2, the second with a function call.
	out, errOut := chat(t, api, url, session, "hello\nplease add 2 and 3\n/quit\n")
	if !strings.Contains(out, "echo: hello (after 0 items)") || !strings.Contains(out, "The sum is 5.") || errOut != "" {
		t.Fatalf("first run printed:\n%s\nstderr:\n%s", out, errOut)
	}
	reqs := fake.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d API calls, want 3 (turn 1; turn 2 and its tool result)", len(reqs))
	}
	// Turn 2 sends turn 1's items back: the user's hello and the answer.
	wantTypes(t, "turn 2's first request", reqs[1], "message:user", "message:assistant", "message:user")
	wantTypes(t, "turn 2's second request", reqs[2], "message:user", "message:assistant", "message:user",
		"reasoning", "function_call", "function_call_output")
	var fco struct{ CallID, Output string }
	_ = json.Unmarshal(reqs[2][5], &struct {
		CallID *string `json:"call_id"`
		Output *string `json:"output"`
	}{&fco.CallID, &fco.Output})
	if fco.CallID != "call_2" || fco.Output != "5" {
		t.Fatalf("function_call_output = %s, want call_2's output 5", reqs[2][5])
	}
	stored := client.LRange(t.Context(), key, 0, -1).Val()
	if len(stored) != 7 {
		t.Fatalf("%d items stored after two turns, want 7", len(stored))
	}

	// A restart resumes the conversation: the next request carries all 7.
	out, _ = chat(t, api, url, session, "what did I say?\n")
	if !strings.Contains(out, "7 items stored") || !strings.Contains(out, "(after 7 items)") {
		t.Fatalf("second run printed:\n%s", out)
	}
	reqs = fake.requests()
	resumed := reqs[3]
	for i, s := range stored {
		if !sameJSON(t, resumed[i], json.RawMessage(s)) {
			t.Fatalf("after the restart, item %d sent as\n %s\nbut stored as\n %s", i, resumed[i], s)
		}
	}
	// The items that came from the model went back with every field.
	if !sameJSON(t, resumed[3], json.RawMessage(`{"type":"reasoning","id":"rs_2","summary":[{"type":"summary_text","text":"Use the tool."}],"encrypted_content":"gAAAAenc2"}`)) {
		t.Fatalf("the reasoning item went back as %s", resumed[3])
	}

	// An API error stores nothing.
	before := client.LRange(t.Context(), key, 0, -1).Val()
	out, errOut = chat(t, api, url, session, "please fail\n")
	if !strings.Contains(errOut, "the model exploded") {
		t.Fatalf("an API error printed:\n%s\nstderr:\n%s", out, errOut)
	}
	after := client.LRange(t.Context(), key, 0, -1).Val()
	if strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Fatalf("the failed turn changed the history: %d items before, %d after", len(before), len(after))
	}
}

func TestAgentInProcessStore(t *testing.T) {
	fake := &fakeAPI{}
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	out, _ := chat(t, api, "", "local", "hi\nthere\n/history\n/clear\n/history\n")
	for _, want := range []string{"in-process", "echo: hi (after 0 items)", "echo: there (after 2 items)", `  3 {"id":"msg_2"`, "(history cleared)"} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
}

// wantTypes fails t unless items have these types ("message:role" for
// messages).
func wantTypes(t *testing.T, what string, items []json.RawMessage, types ...string) {
	t.Helper()
	var got []string
	for _, raw := range items {
		var p struct{ Type, Role string }
		_ = json.Unmarshal(raw, &p)
		if p.Type == "" || p.Type == "message" {
			got = append(got, "message:"+p.Role)
		} else {
			got = append(got, p.Type)
		}
	}
	if strings.Join(got, " ") != strings.Join(types, " ") {
		t.Fatalf("%s: items %v, want %v", what, got, types)
	}
}

func sameJSON(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return string(xs) == string(ys)
}
