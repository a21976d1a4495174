package certlogic

import (
	"fmt"
	"strconv"
	"strings"
)

// Limits bound what an expression and its evaluation may cost, so that a
// hostile rule can neither crash nor stall a verifier. A zero field takes
// its default. Real rules stay far below the defaults: the EU's largest
// have a few hundred nodes, nest about fifteen deep and evaluate in a few
// hundred steps.
type Limits struct {
	// MaxDepth bounds the nesting of the expression (operations and
	// arrays). Default 128.
	MaxDepth int
	// MaxNodes bounds the number of values in the expression. Default
	// 10 000.
	MaxNodes int
	// MaxString bounds the length in bytes of a string literal or a var
	// path. Default 4096.
	MaxString int
	// MaxSteps bounds the work of one evaluation: one step per operation or
	// literal evaluated, per reduce iteration and per element an "in"
	// looks at. Default 1 000 000 (a few tens of milliseconds).
	MaxSteps int
}

// Default limits.
const (
	DefaultMaxDepth  = 128
	DefaultMaxNodes  = 10_000
	DefaultMaxString = 4096
	DefaultMaxSteps  = 1_000_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxNodes <= 0 {
		l.MaxNodes = DefaultMaxNodes
	}
	if l.MaxString <= 0 {
		l.MaxString = DefaultMaxString
	}
	if l.MaxSteps <= 0 {
		l.MaxSteps = DefaultMaxSteps
	}
	return l
}

// Validate checks expr against the spec's rules for expressions and returns
// every problem, in the order certlogic-js's validator reports them (the
// spec names it the validator), with the same messages; nil means valid.
// It also reports expressions beyond the default Limits.
func Validate(expr any) []*ValidationError { return Limits{}.Validate(expr) }

// Validate is the package-level Validate under the limits l.
func (l Limits) Validate(expr any) []*ValidationError {
	v := validator{lim: l.withDefaults()}
	v.expr(expr, 0)
	return v.problems
}

type validator struct {
	lim      Limits
	nodes    int
	stopped  bool // MaxNodes reached: nothing more is looked at
	problems []*ValidationError
	// toks is the JSON Pointer of the current node as reference tokens,
	// joined only when a problem is found: valid expressions, the common
	// case, cost no path strings.
	toks []string
}

func (v *validator) push(toks ...string) { v.toks = append(v.toks, toks...) }

func (v *validator) pop(n int) { v.toks = v.toks[:len(v.toks)-n] }

func (v *validator) path(extra ...string) string {
	p := ""
	for _, t := range v.toks {
		p = pointer(p, t)
	}
	for _, t := range extra {
		p = pointer(p, t)
	}
	return p
}

func (v *validator) add(path string, expr any, format string, a ...any) {
	v.problems = append(v.problems, &ValidationError{Path: path, Expr: expr, Message: fmt.Sprintf(format, a...)})
}

func (v *validator) limit(path string, format string, a ...any) {
	v.problems = append(v.problems, &ValidationError{Path: path, Message: fmt.Sprintf(format, a...), Err: ErrLimit})
}

// enter counts a node and checks the limits that do not depend on its
// kind; false means do not look inside.
func (v *validator) enter(depth int) bool {
	if v.stopped {
		return false
	}
	v.nodes++
	if v.nodes > v.lim.MaxNodes {
		v.stopped = true
		v.limit(v.path(), "the expression has more than %d values (limit)", v.lim.MaxNodes)
		return false
	}
	if depth > v.lim.MaxDepth {
		v.limit(v.path(), "the expression nests deeper than %d levels (limit)", v.lim.MaxDepth)
		return false
	}
	return true
}

func (v *validator) checkString(s string, extra ...string) {
	if len(s) > v.lim.MaxString {
		v.limit(v.path(extra...), "a string of %d bytes is longer than %d (limit)", len(s), v.lim.MaxString)
	}
}

// isLiteral is certlogic-js's isCertLogicLiteral: a string, an integer or a
// boolean.
func isLiteral(expr any) bool {
	switch expr.(type) {
	case string, bool:
		return true
	}
	_, ok := intValue(expr)
	return ok
}

const notAnOperation = `operation not of the form { "<operator>": [ <values...> ] }`

// expr mirrors certlogic-js's validateFormat case by case: which operands
// it looks at, in which order, and what it says.
func (v *validator) expr(expr any, depth int) {
	if !v.enter(depth) {
		return
	}
	if s, ok := expr.(string); ok {
		v.checkString(s)
		return
	}
	if isLiteral(expr) {
		return
	}
	if f, ok := number(expr); ok {
		v.add(v.path(), expr, "%s is a non-integer number", jsNumber(f))
		return
	}
	switch x := expr.(type) {
	case []any:
		for i, item := range x {
			v.push(strconv.Itoa(i))
			v.expr(item, depth+1)
			v.pop(1)
		}
		return
	case map[string]any:
		v.operation(x, depth)
		return
	}
	v.add(v.path(), expr, "invalid CertLogic expression")
}

func (v *validator) operation(expr map[string]any, depth int) {
	if len(expr) != 1 {
		v.add(v.path(), expr, "expression object must have exactly one key, but it has %d", len(expr))
		return
	}
	var op string
	var values any
	for op, values = range expr {
	}
	if op == "var" {
		p, ok := values.(string)
		if !ok {
			v.add(v.path(), expr, `not of the form { "var": "<path>" }`)
			return
		}
		if !validPath(p) {
			v.add(v.path(), expr, "data access path doesn't have a valid format: %s", p)
		}
		v.checkString(p, op)
		return
	}
	args, ok := values.([]any)
	if !ok {
		v.add(v.path(), expr, notAnOperation)
		return
	}
	n := len(args)
	path := func() string { return v.path() }
	operands := func(max int) {
		for i, a := range args[:min(max, n)] {
			v.push(op, strconv.Itoa(i))
			v.expr(a, depth+1)
			v.pop(2)
		}
	}
	switch op {
	case "if":
		if n != 3 {
			v.add(path(), expr, `an "if"-operation must have exactly 3 values/operands, but it has %d`, n)
		}
		operands(3)
	case "and":
		if n < 2 {
			v.add(path(), expr, `an "and" operation must have at least 2 operands, but it has %d`, n)
		}
		operands(n)
	case "<", ">", "<=", ">=", "after", "before", "not-after", "not-before":
		if n < 2 || n > 3 {
			v.add(path(), expr, `an operation with operator "%s" must have 2 or 3 operands, but it has %d`, op, n)
		}
		operands(3)
	case "===", "in", "+":
		if n != 2 {
			v.add(path(), expr, `an operation with operator "%s" must have 2 operands, but it has %d`, op, n)
		}
		operands(2)
	case "!":
		if n != 1 {
			v.add(path(), expr, "a !-operation (logical not/negation) must have exactly 1 operand, but it has %d", n)
			return
		}
		operands(1)
	case "plusTime":
		if n != 3 {
			v.add(path(), expr, `a "plusTime"-operation must have exactly 3 values/operands, but it has %d`, n)
		}
		operands(1)
		if n > 1 {
			if _, ok := intValue(args[1]); !ok {
				v.add(v.path(op, "1"), expr, `"amount" argument (#2) of "plusTime" must be an integer, but it is: %s`, jsString(args[1]))
			}
		}
		if n > 2 {
			if _, ok := timeUnit(args[2]); !ok {
				v.add(v.path(op, "2"), expr, `"unit" argument (#3) of "plusTime" must be a string equal to one of %s, but it is: %s`,
					strings.Join(timeUnitNames, ", "), jsString(args[2]))
			}
		}
	case "reduce":
		if n != 3 {
			v.add(path(), expr, `a "reduce"-operation must have exactly 3 values/operands, but it has %d`, n)
		}
		operands(3)
	case "extractFromUVCI":
		if n != 2 {
			v.add(path(), expr, `an "extractFromUVCI"-operation must have exactly 2 values/operands, but it has %d`, n)
		}
		operands(1)
		if n > 1 {
			if _, ok := intValue(args[1]); !ok {
				v.add(v.path(op, "1"), expr, `"index" argument (#2) of "extractFromUVCI" must be an integer, but it is: %s`, jsString(args[1]))
			}
		}
	case "dccDateOfBirth":
		if n != 1 {
			v.add(path(), expr, `a "dccDateOfBirth"-operation must have exactly 1 value/operand, but it has %d`, n)
		}
		operands(1)
	default:
		v.add(path(), expr, `unrecognised operator: "%s"`, op)
	}
}

// validPath is certlogic-js's check ^([^.]+?)(\.[^.]+?)*$ or "": fragments
// separated by single dots, none empty.
func validPath(p string) bool {
	if p == "" {
		return true
	}
	return p[0] != '.' && p[len(p)-1] != '.' && !strings.Contains(p, "..")
}
