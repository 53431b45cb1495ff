package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/agentsession/agentsession/openaisession"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/responses"
)

// maxSteps bounds the model calls of one turn (each tool call adds one).
const maxSteps = 8

// agent runs turns of a conversation kept in session.
type agent struct {
	client  openai.Client
	session *openaisession.Session
	model   string
	history int
}

// tools are the functions the model may call.
var tools = []responses.ToolUnionParam{{
	OfFunction: &responses.FunctionToolParam{
		Name:        "add_numbers",
		Description: param.NewOpt("Add two numbers and return the sum."),
		Parameters: map[string]any{
			"type": "object",
			"properties": map[string]any{
				"a": map[string]any{"type": "number"},
				"b": map[string]any{"type": "number"},
			},
			"required":             []string{"a", "b"},
			"additionalProperties": false,
		},
		Strict: param.NewOpt(true),
	},
}}

// turn sends the history and the user's text to the model, runs the tools it
// calls until it answers, stores the whole turn as one batch and returns the
// answer. On any error nothing is stored.
func (a *agent) turn(ctx context.Context, text string) (string, error) {
	history, err := a.session.GetItems(ctx, a.history)
	if err != nil {
		return "", err
	}
	turn := []responses.ResponseInputItemUnionParam{responses.ResponseInputItemParamOfMessage(text, responses.EasyInputMessageRoleUser)}
	for range maxSteps {
		resp, err := a.client.Responses.New(ctx, responses.ResponseNewParams{
			Model: a.model,
			Input: responses.ResponseNewParamsInputUnion{OfInputItemList: append(history[:len(history):len(history)], turn...)},
			Tools: tools,
			Store: param.NewOpt(false), // the session is the memory, not the API
		})
		if err != nil {
			return "", err
		}
		called := false
		for _, out := range resp.Output {
			// Output items go back as input items; Decode keeps every field.
			item, err := openaisession.Decode(json.RawMessage(out.RawJSON()))
			if err != nil {
				return "", err
			}
			turn = append(turn, item)
			if out.Type == "function_call" {
				called = true
				turn = append(turn, callTool(out.AsFunctionCall()))
			}
		}
		if !called {
			if err := a.session.AddItems(ctx, turn); err != nil {
				return "", err
			}
			return resp.OutputText(), nil
		}
	}
	return "", fmt.Errorf("no answer after %d model calls", maxSteps)
}

// callTool runs a function call and returns its output item.
func callTool(call responses.ResponseFunctionToolCall) responses.ResponseInputItemUnionParam {
	var result string
	switch call.Name {
	case "add_numbers":
		var args struct{ A, B float64 }
		if err := json.Unmarshal([]byte(call.Arguments), &args); err != nil {
			result = "error: " + err.Error()
		} else {
			result = fmt.Sprint(args.A + args.B)
		}
	default:
		result = "error: no tool named " + call.Name
	}
	out := responses.ResponseInputItemParamOfFunctionCallOutput(result)
	out.OfFunctionCallOutput.CallID = param.NewOpt(call.CallID)
	return out
}
