package main

import (
	"encoding/json"
	"fmt"
	"strings"
)

// summarize renders an item for reading: role and text of a message, a tool
// call's name and arguments, an output's call and text, a reasoning item's
// summary; other kinds by type and ID.
func summarize(raw json.RawMessage) string {
	var it struct {
		Type      string          `json:"type"`
		Role      string          `json:"role"`
		ID        string          `json:"id"`
		CallID    string          `json:"call_id"`
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
		Input     json.RawMessage `json:"input"`
		Output    json.RawMessage `json:"output"`
		Content   json.RawMessage `json:"content"`
		Summary   []struct {
			Text string `json:"text"`
		} `json:"summary"`
	}
	if json.Unmarshal(raw, &it) != nil {
		return string(raw)
	}
	switch {
	case it.Type == "message" || (it.Type == "" && it.Role != ""):
		return fmt.Sprintf("%s: %s", it.Role, clip(text(it.Content)))
	case strings.HasSuffix(it.Type, "_output"):
		return fmt.Sprintf("  <- %s %s: %s", it.Type, it.CallID, clip(text(it.Output)))
	case it.Type == "function_call" || it.Type == "custom_tool_call" || it.Type == "mcp_call":
		args := it.Arguments
		if args == nil {
			args = it.Input
		}
		return fmt.Sprintf("  -> %s %s(%s) %s", it.Type, it.Name, clip(text(args)), it.CallID)
	case it.Type == "reasoning":
		var parts []string
		for _, s := range it.Summary {
			parts = append(parts, s.Text)
		}
		return fmt.Sprintf("  (reasoning: %s)", clip(strings.Join(parts, " ")))
	}
	return fmt.Sprintf("  [%s %s]", it.Type, it.ID)
}

// text is a JSON string's value, the text parts of a content list, or the
// JSON itself.
func text(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Type, Text, Refusal string
	}
	if json.Unmarshal(raw, &parts) == nil {
		var out []string
		for _, p := range parts {
			switch {
			case p.Text != "":
				out = append(out, p.Text)
			case p.Refusal != "":
				out = append(out, "(refusal) "+p.Refusal)
			default:
				out = append(out, "["+p.Type+"]")
			}
		}
		return strings.Join(out, " ")
	}
	return string(raw)
}

// clip shortens s to one line of at most 200 characters.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		return string(r[:199]) + "…"
	}
	return s
}
