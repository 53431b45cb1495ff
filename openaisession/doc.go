// Package openaisession is the typed layer of agentsession: a session of
// OpenAI Responses API input items (responses.ResponseInputItemUnionParam from
// github.com/openai/openai-go/v3) over any agentsession backend.
//
// Its method set is the one Go ports of the OpenAI Agents SDK take as a
// session, so a *Session plugs into them unchanged:
//
//	SessionID(ctx context.Context) string
//	GetItems(ctx context.Context, limit int) ([]responses.ResponseInputItemUnionParam, error)
//	AddItems(ctx context.Context, items []responses.ResponseInputItemUnionParam) error
//	PopItem(ctx context.Context) (*responses.ResponseInputItemUnionParam, error)
//	ClearSession(ctx context.Context) error
//
// Items are stored as their JSON, one object per element, exactly as the
// raw layer (agentsession.Session) and the Python package store them, so a
// session can be shared with Python services and read with either layer.
//
// # Lossless decoding
//
// Every item kind round-trips: what is read back marshals to the same JSON that
// was stored. A plain json.Unmarshal into the union does not do that: it
// decodes an assistant output message ("type":"message" with an id and status)
// as an easy input message and drops its id and status, and it fails on a
// message without a "type" ({"role":"user","content":"Hello"}, as the Python
// package writes). Decode tries the variants that fit and keeps the one that
// marshals back to the stored JSON; an item no variant can hold exactly (a kind
// newer than this SDK, or extra fields) is kept whole as a param.Override of
// its raw JSON, so nothing is lost (its Of... fields are then all nil).
//
// # Limited reads the API accepts
//
// GetItems with a limit returns the limit newest items, extended further back
// where the cut would make a history the Responses API rejects: a tool output
// (function_call_output, computer_call_output, custom_tool_call_output,
// local_shell_call_output, shell_call_output, apply_patch_call_output,
// tool_search_output, program_output, mcp_approval_response) whose call
// falls outside the window brings its call, and everything after it, into the
// window; and an item whose reasoning item is just outside the window brings
// that reasoning item in. Items are never dropped to make the history fit, so
// GetItems(ctx, n) may return more than n items. An output whose call is not in
// the session at all is returned as it is.
package openaisession
