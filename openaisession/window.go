package openaisession

import "encoding/json"

// probe is what the window logic reads of an item.
type probe struct {
	Type              string `json:"type"`
	ID                string `json:"id"`
	CallID            string `json:"call_id"`
	ApprovalRequestID string `json:"approval_request_id"`
}

// callOf maps each tool output type to the type of its call.
var callOf = map[string]string{
	"function_call_output":    "function_call",
	"computer_call_output":    "computer_call",
	"custom_tool_call_output": "custom_tool_call",
	"local_shell_call_output": "local_shell_call",
	"shell_call_output":       "shell_call",
	"apply_patch_call_output": "apply_patch_call",
	"tool_search_output":      "tool_search_call",
	"program_output":          "program",
	"mcp_approval_response":   "mcp_approval_request",
}

// outputKey and callKey tie an output to its call: they are equal for a pair.
func (p probe) outputKey() string {
	switch p.Type {
	case "mcp_approval_response":
		return p.ApprovalRequestID
	case "local_shell_call_output":
		if p.CallID == "" {
			return p.ID // the API names the call by its call_id in the output's id
		}
	}
	return p.CallID
}

func (p probe) callKey() string {
	if p.Type == "mcp_approval_request" {
		return p.ID
	}
	return p.CallID
}

// windowStart returns where a window over items (oldest first) must start so
// that it holds items[from:] and every call whose output it holds, and does
// not start just after a reasoning item. ok is false when that needs items
// older than items[0] and whole is false (items is not the whole session).
func windowStart(items []json.RawMessage, from int, whole bool) (start int, ok bool) {
	probes := make([]probe, len(items))
	for i, raw := range items {
		_ = json.Unmarshal(raw, &probes[i]) // a field that is not a string just reads as ""
	}
	start = from
	for {
		moved := false
		// Bring in the call of every output in the window whose call is not.
		inWindow := map[[2]string]bool{}
		for _, p := range probes[start:] {
			if _, isOutput := callOf[p.Type]; !isOutput {
				inWindow[[2]string{p.Type, p.callKey()}] = true
			}
		}
		for _, p := range probes[start:] {
			call, isOutput := callOf[p.Type]
			key := p.outputKey()
			if !isOutput || key == "" || inWindow[[2]string{call, key}] {
				continue
			}
			at := -1
			for j := start - 1; j >= 0; j-- {
				if probes[j].Type == call && probes[j].callKey() == key {
					at = j
					break
				}
			}
			switch {
			case at >= 0:
				start, moved = at, true
			case !whole:
				return 0, false // the call may be older than what was read
			}
		}
		// An item's reasoning item comes just before it.
		for start > 0 && probes[start-1].Type == "reasoning" {
			start, moved = start-1, true
		}
		if start == 0 && !whole {
			return 0, false // what is before items[0] may belong in the window too
		}
		if !moved {
			return start, true
		}
	}
}
