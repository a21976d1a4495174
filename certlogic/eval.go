package certlogic

import (
	"fmt"
	"math"
	"strings"
)

// Eval evaluates the expression on data, a JSON tree: map[string]any,
// []any, string, json.Number (float64, int and int64 are read as numbers
// too), bool or nil. Data is only read, never modified.
//
// The result is a JSON tree of the same kinds, or holds a *DateTime; a
// computed number is a json.Number. Parts of data and of earlier results may
// be shared, not copied: do not modify a result. Errors are *EvalError
// values wrapping ErrType, ErrDateFormat, ErrInvalidDate or ErrLimit.
func (e *Expr) Eval(data any) (any, error) {
	ev := evaluator{max: e.maxSteps}
	return ev.eval(e.root, data)
}

type evaluator struct {
	steps, max int
}

func (ev *evaluator) fail(n *node, err error, format string, a ...any) error {
	return &EvalError{Path: n.path(), Op: n.name, Msg: fmt.Sprintf(format, a...), Err: err}
}

func (ev *evaluator) step(n *node, cost int) error {
	ev.steps += cost
	if ev.steps > ev.max {
		return ev.fail(n, ErrLimit, "evaluation takes more than %d steps (limit)", ev.max)
	}
	return nil
}

// reduceContext is the data a reduce lambda sees: {"accumulator": ...,
// "current": ...}. It becomes a map only if the lambda asks for the whole
// object ({"var": ""}), and then keeps that one map, as the object of an
// iteration is one object in JavaScript.
type reduceContext struct {
	acc, cur any
	obj      map[string]any
}

func (c *reduceContext) object() map[string]any {
	if c.obj == nil {
		c.obj = map[string]any{"accumulator": c.acc, "current": c.cur}
	}
	return c.obj
}

func (ev *evaluator) eval(n *node, data any) (any, error) {
	if err := ev.step(n, 1); err != nil {
		return nil, err
	}
	switch n.op {
	case opLiteral:
		return n.lit, nil
	case opVar:
		return access(data, n.frag), nil
	case opArray:
		out := newArray(len(n.args))
		for i, a := range n.args {
			v, err := ev.eval(a, data)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case opIf:
		guard, err := ev.eval(n.args[0], data)
		if err != nil {
			return nil, err
		}
		t, ok := truthiness(guard)
		if !ok {
			return nil, ev.fail(n, ErrType, "if-guard evaluates to something neither truthy, nor falsy: %s", describe(guard))
		}
		if t {
			return ev.eval(n.args[1], data)
		}
		return ev.eval(n.args[2], data)
	case opAnd:
		// Lazily, in order: the first falsy operand, else the last one.
		var v any
		for _, a := range n.args {
			var err error
			if v, err = ev.eval(a, data); err != nil {
				return nil, err
			}
			t, ok := truthiness(v)
			if !ok {
				return nil, ev.fail(n, ErrType, `all operands of an "and" operation must be either truthy or falsy: %s is neither`, describe(v))
			}
			if !t {
				return v, nil
			}
		}
		return v, nil
	case opNot:
		v, err := ev.eval(n.args[0], data)
		if err != nil {
			return nil, err
		}
		t, ok := truthiness(v)
		if !ok {
			return nil, ev.fail(n, ErrType, "operand of ! evaluates to something neither truthy, nor falsy: %s", describe(v))
		}
		return !t, nil
	case opEqual:
		l, r, err := ev.eval2(n, data)
		if err != nil {
			return nil, err
		}
		return strictEqual(l, r), nil
	case opIn:
		return ev.in(n, data)
	case opPlus:
		l, r, err := ev.eval2(n, data)
		if err != nil {
			return nil, err
		}
		a, ok1 := intValue(l)
		b, ok2 := intValue(r)
		if !ok1 || !ok2 {
			return nil, ev.fail(n, ErrType, "operands of this operation must both be integers: %s and %s", describe(l), describe(r))
		}
		sum := a + b
		if math.IsInf(sum, 0) {
			return nil, ev.fail(n, ErrLimit, "the sum of %s and %s is too large for a number", jsNumber(a), jsNumber(b))
		}
		return numberJSON(sum), nil
	case opLess, opGreater, opLessEqual, opGreaterEqual:
		return ev.compareInts(n, data)
	case opAfter, opBefore, opNotAfter, opNotBefore:
		return ev.compareDates(n, data)
	case opPlusTime, opDateOfBirth:
		ms, err := ev.dateOp(n, data)
		if err != nil {
			return nil, err
		}
		return &DateTime{ms: ms}, nil
	case opReduce:
		return ev.reduce(n, data)
	case opExtractFromUVCI:
		return ev.extractFromUVCI(n, data)
	}
	return nil, ev.fail(n, ErrType, "unhandled operator %q", n.name)
}

// eval2 evaluates both operands of a binary operation.
func (ev *evaluator) eval2(n *node, data any) (l, r any, err error) {
	if l, err = ev.eval(n.args[0], data); err != nil {
		return nil, nil, err
	}
	if r, err = ev.eval(n.args[1], data); err != nil {
		return nil, nil, err
	}
	return l, r, nil
}

// access is the var operation (spec "Data access"): JSON semantics only.
// An object yields its own members, an array the element at an index
// fragment; null, a missing member, an index out of range and drilling
// into anything else (a string, a number) yield null. (certlogic-js drills
// with JavaScript property access, so "length" of a string or an array, and
// the characters of a string, answer there; the spec knows no such
// properties.)
func access(data any, path []fragment) any {
	if len(path) == 0 {
		if c, ok := data.(*reduceContext); ok {
			return c.object()
		}
		return data
	}
	cur := data
	for _, f := range path {
		switch x := cur.(type) {
		case map[string]any:
			cur = x[f.key] // a missing member is nil
		case []any:
			if f.index < 0 || f.index >= len(x) {
				return nil
			}
			cur = x[f.index]
		case *reduceContext:
			switch f.key {
			case "accumulator":
				cur = x.acc
			case "current":
				cur = x.cur
			default:
				return nil
			}
		default:
			return nil
		}
	}
	return cur
}

func (ev *evaluator) in(n *node, data any) (any, error) {
	x, err := ev.eval(n.args[0], data)
	if err != nil {
		return nil, err
	}
	if n.constIn {
		if n.strSet != nil {
			s, ok := x.(string)
			if !ok {
				return false, nil
			}
			_, found := n.strSet[s]
			return found, nil
		}
		for _, l := range n.lits {
			if strictEqual(x, l) {
				return true, nil
			}
		}
		return false, nil
	}
	list, err := ev.eval(n.args[1], data)
	if err != nil {
		return nil, err
	}
	arr, ok := list.([]any)
	if !ok {
		return nil, ev.fail(n, ErrType, `right-hand side of an "in" operation must be an array, not %s`, describe(list))
	}
	if err := ev.step(n, len(arr)); err != nil {
		return nil, err
	}
	for _, e := range arr {
		if strictEqual(x, e) {
			return true, nil
		}
	}
	return false, nil
}

func (ev *evaluator) compareInts(n *node, data any) (any, error) {
	// Every operand is evaluated before any is checked, as certlogic-js does.
	var vals [3]any
	for i, a := range n.args {
		v, err := ev.eval(a, data)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	var nums [3]float64
	for i := range n.args {
		f, ok := intValue(vals[i])
		if !ok {
			return nil, ev.fail(n, ErrType, "all operands of a comparison operation must be of integer type: %s is not", describe(vals[i]))
		}
		nums[i] = f
	}
	ok := compare(n.op, nums[0], nums[1])
	if len(n.args) == 3 {
		ok = ok && compare(n.op, nums[1], nums[2])
	}
	return ok, nil
}

func compare[T int64 | float64](op opcode, a, b T) bool {
	switch op {
	case opLess, opBefore:
		return a < b
	case opGreater, opAfter:
		return a > b
	case opLessEqual, opNotAfter:
		return a <= b
	default: // opGreaterEqual, opNotBefore
		return a >= b
	}
}

func (ev *evaluator) compareDates(n *node, data any) (any, error) {
	var ms [3]int64
	var bad any
	isBad := false
	for i, a := range n.args {
		// plusTime and dccDateOfBirth operands are compared without
		// allocating a DateTime: a fresh one could not be === anything.
		if a.op == opPlusTime || a.op == opDateOfBirth {
			if err := ev.step(a, 1); err != nil {
				return nil, err
			}
			m, err := ev.dateOp(a, data)
			if err != nil {
				return nil, err
			}
			ms[i] = m
			continue
		}
		v, err := ev.eval(a, data)
		if err != nil {
			return nil, err
		}
		d, ok := v.(*DateTime)
		if !ok && !isBad {
			bad, isBad = v, true
			continue
		}
		if ok {
			ms[i] = d.ms
		}
	}
	if isBad {
		return nil, ev.fail(n, ErrType, "all operands of a date-time comparison must be date-times: %s is not", describe(bad))
	}
	ok := compare(n.op, ms[0], ms[1])
	if len(n.args) == 3 {
		ok = ok && compare(n.op, ms[1], ms[2])
	}
	return ok, nil
}

// dateOp evaluates a plusTime or dccDateOfBirth node to an instant.
func (ev *evaluator) dateOp(n *node, data any) (int64, error) {
	v, err := ev.eval(n.args[0], data)
	if err != nil {
		return 0, err
	}
	s, ok := v.(string)
	if n.op == opDateOfBirth {
		if !ok {
			return 0, ev.fail(n, ErrType, `operand of "dccDateOfBirth" must be a string, not %s`, describe(v))
		}
		ms, err := parseDateOfBirth(s)
		if err != nil {
			return 0, ev.dateFail(n, err)
		}
		return ms, nil
	}
	if !ok {
		return 0, ev.fail(n, ErrType, `date argument (#1) of "plusTime" must be a string, not %s`, describe(v))
	}
	ms, err := parseDateTime(s)
	if err == nil {
		ms, err = plusTime(ms, n.amount, n.unit)
	}
	if err != nil {
		return 0, ev.dateFail(n, err)
	}
	return ms, nil
}

func (ev *evaluator) reduce(n *node, data any) (any, error) {
	operand, err := ev.eval(n.args[0], data)
	if err != nil {
		return nil, err
	}
	if operand == nil {
		return ev.eval(n.args[2], data)
	}
	arr, ok := operand.([]any)
	if !ok {
		return nil, ev.fail(n, ErrType, "operand of reduce evaluated to a non-null non-array: %s", describe(operand))
	}
	acc, err := ev.eval(n.args[2], data)
	if err != nil {
		return nil, err
	}
	ctx := &reduceContext{}
	for _, cur := range arr {
		if err := ev.step(n, 1); err != nil {
			return nil, err
		}
		*ctx = reduceContext{acc: acc, cur: cur}
		if acc, err = ev.eval(n.args[1], ctx); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

// extractFromUVCI returns fragment n.amount of a UCI split on '/', '#' and
// ':', after an optional "URN:UVCI:" (spec "Extract data from an UCI"). The
// separators are ASCII, so splitting UTF-8 bytes splits characters as
// JavaScript does.
func (ev *evaluator) extractFromUVCI(n *node, data any) (any, error) {
	v, err := ev.eval(n.args[0], data)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, ev.fail(n, ErrType, `"UVCI" argument (#1) of "extractFromUVCI" must be either a string or null, not %s`, describe(v))
	}
	index := n.amount
	if index < 0 {
		return nil, nil
	}
	s = strings.TrimPrefix(s, "URN:UVCI:")
	for i := 0; ; i++ {
		end := strings.IndexAny(s, "/#:")
		if float64(i) == index {
			if end < 0 {
				return s, nil
			}
			return s[:end], nil
		}
		if end < 0 {
			return nil, nil
		}
		s = s[end+1:]
	}
}

// describe names a value in an error message, briefly.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if len(x) > 40 {
			x = x[:37] + "..."
		}
		return fmt.Sprintf("%q", x)
	case []any:
		return fmt.Sprintf("an array of %d", len(x))
	case map[string]any:
		return "an object"
	case *DateTime:
		return "date-time " + x.String()
	case bool:
		return fmt.Sprint(x)
	}
	if f, ok := number(v); ok {
		return jsNumber(f)
	}
	return fmt.Sprintf("a %T (not JSON)", v)
}

func (ev *evaluator) dateFail(n *node, err error) error {
	if de, ok := err.(*dateError); ok {
		return ev.fail(n, de.err, "%s", de.msg)
	}
	return ev.fail(n, ErrInvalidDate, "%v", err)
}
