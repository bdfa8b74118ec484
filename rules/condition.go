package rules

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
)

// condition is a compiled CEL condition of a rule.
type condition struct {
	prg cel.Program
}

// celEnvironment returns the Bus's CEL environment, building it on first
// use. Called with b.mu held.
func (b *Bus) celEnvironment() (*cel.Env, error) {
	if b.celEnv != nil {
		return b.celEnv, nil
	}
	env, err := cel.NewEnv(
		cel.Variable("event", cel.MapType(cel.StringType, cel.DynType)),
		cel.CrossTypeNumericComparisons(true),
	)
	if err != nil {
		return nil, err
	}
	b.celEnv = env
	return env, nil
}

// compileCondition parses and type-checks expr, which must be of type bool.
func (b *Bus) compileCondition(rule, expr string) (*condition, error) {
	if n := utf8.RuneCountInString(expr); n > MaxConditionLen {
		return nil, &Error{Code: CodeValidation, Rule: rule, Field: "Condition",
			Message: fmt.Sprintf("Parameter Condition is not valid: it is %d characters long, the limit is %d.", n, MaxConditionLen)}
	}
	env, err := b.celEnvironment()
	if err != nil {
		return nil, err
	}
	ast, iss := env.Compile(expr)
	if iss != nil && iss.Err() != nil {
		msg := strings.TrimSpace(iss.Err().Error())
		return nil, &Error{Code: CodeValidation, Rule: rule, Field: "Condition", Err: errors.New(msg),
			Message: "Parameter Condition is not valid: " + msg}
	}
	if t := ast.OutputType(); !t.IsExactType(cel.BoolType) {
		return nil, &Error{Code: CodeValidation, Rule: rule, Field: "Condition",
			Message: fmt.Sprintf("Parameter Condition is not valid: it has type %s, not bool.", t)}
	}
	prg, err := env.Program(ast, cel.CostLimit(b.cfg.costLimit), cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, &Error{Code: CodeValidation, Rule: rule, Field: "Condition", Err: err, Message: "Parameter Condition is not valid: " + err.Error()}
	}
	return &condition{prg: prg}, nil
}

// eval reports whether the condition holds for ev. decoded caches the
// event decoded for CEL across the rules that match one event.
func (c *condition) eval(ev []byte, decoded *map[string]any) (bool, error) {
	if *decoded == nil {
		m, err := decodeEvent(ev)
		if err != nil {
			return false, fmt.Errorf("rules: condition: cannot decode the event: %w", err)
		}
		*decoded = m
	}
	out, _, err := c.prg.Eval(map[string]any{"event": *decoded})
	if err != nil {
		return false, fmt.Errorf("rules: condition: %w", err)
	}
	v, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("rules: condition: yielded %v, not a bool", out.Value())
	}
	return v, nil
}
