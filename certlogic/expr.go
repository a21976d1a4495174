package certlogic

import (
	"strconv"
	"strings"
)

// Expr is a compiled expression: validated once, with var paths split,
// literals decoded and constant "in" lists indexed, ready to be evaluated
// many times, concurrently if need be.
type Expr struct {
	root     *node
	maxSteps int
}

type opcode uint8

const (
	opLiteral opcode = iota
	opArray
	opVar
	opIf
	opAnd
	opNot
	opEqual
	opIn
	opPlus
	opLess
	opGreater
	opLessEqual
	opGreaterEqual
	opAfter
	opBefore
	opNotAfter
	opNotBefore
	opPlusTime
	opReduce
	opExtractFromUVCI
	opDateOfBirth
)

var opcodes = map[string]opcode{
	"if": opIf, "and": opAnd, "!": opNot, "===": opEqual, "in": opIn, "+": opPlus,
	"<": opLess, ">": opGreater, "<=": opLessEqual, ">=": opGreaterEqual,
	"after": opAfter, "before": opBefore, "not-after": opNotAfter, "not-before": opNotBefore,
	"plusTime": opPlusTime, "reduce": opReduce, "extractFromUVCI": opExtractFromUVCI,
	"dccDateOfBirth": opDateOfBirth,
}

type node struct {
	op   opcode
	name string // the operator as written, for errors
	// Where the node is, for errors: its parent, and its index among the
	// parent's operands (or elements). The JSON Pointer is made only when
	// an error needs it.
	parent *node
	index  int
	args   []*node
	lit    any        // opLiteral: string, bool or json.Number
	frag   []fragment // opVar
	// opPlusTime: the amount and unit; opExtractFromUVCI: the index.
	amount float64
	unit   int
	// opIn with a constant array of literals: the literals, and a set when
	// they are all strings.
	constIn bool
	lits    []any
	strSet  map[string]struct{}
}

// fragment is one step of a var path: an object key, and the array index
// it also denotes (-1 for none).
type fragment struct {
	key   string
	index int
}

// Compile validates expr under the default Limits and prepares it for
// evaluation. An invalid expression gives an *InvalidError listing every
// problem.
func Compile(expr any) (*Expr, error) { return Limits{}.Compile(expr) }

// Compile is the package-level Compile under the limits l.
func (l Limits) Compile(expr any) (*Expr, error) {
	l = l.withDefaults()
	if problems := l.Validate(expr); len(problems) > 0 {
		return nil, &InvalidError{Problems: problems}
	}
	return &Expr{root: build(expr, nil, 0), maxSteps: l.MaxSteps}, nil
}

// MustCompile is Compile for expressions known to be valid, such as those
// written in a program; it panics on an invalid one.
func MustCompile(expr any) *Expr {
	e, err := Compile(expr)
	if err != nil {
		panic(err)
	}
	return e
}

// Evaluate compiles expr and evaluates it on data: the spec's evaluator
// function. Compile once and use Expr.Eval to evaluate an expression many
// times.
func Evaluate(expr, data any) (any, error) {
	e, err := Compile(expr)
	if err != nil {
		return nil, err
	}
	return e.Eval(data)
}

// path is the JSON Pointer of the node in the expression.
func (n *node) path() string {
	if n.parent == nil {
		return ""
	}
	p := n.parent.path()
	if n.parent.op != opArray {
		p = pointer(p, n.parent.name)
	}
	return pointer(p, strconv.Itoa(n.index))
}

// build turns a validated expression into nodes.
func build(expr any, parent *node, index int) *node {
	switch x := expr.(type) {
	case string, bool:
		return &node{op: opLiteral, lit: x, parent: parent, index: index}
	case []any:
		n := &node{op: opArray, parent: parent, index: index, args: make([]*node, len(x))}
		for i, item := range x {
			n.args[i] = build(item, n, i)
		}
		return n
	case map[string]any:
		for op, values := range x {
			return buildOperation(op, values, parent, index)
		}
	}
	// A number, validated as an integer: literals are canonical, as
	// JavaScript would print them.
	f, _ := number(expr)
	return &node{op: opLiteral, lit: numberJSON(f), parent: parent, index: index}
}

func buildOperation(op string, values any, parent *node, index int) *node {
	if op == "var" {
		return &node{op: opVar, name: op, parent: parent, index: index, frag: splitPath(values.(string))}
	}
	args := values.([]any)
	n := &node{op: opcodes[op], name: op, parent: parent, index: index}
	operands := args
	switch n.op {
	case opPlusTime:
		n.amount, _ = number(args[1])
		n.unit, _ = timeUnit(args[2])
		operands = args[:1]
	case opExtractFromUVCI:
		n.amount, _ = number(args[1])
		operands = args[:1]
	}
	n.args = make([]*node, len(operands))
	for i, a := range operands {
		n.args[i] = build(a, n, i)
	}
	if n.op == opIn {
		n.prepareConstIn()
	}
	return n
}

// prepareConstIn indexes the common `{"in": [x, ["a", "b", ...]]}`: a
// literal list needs no evaluation, and only its literals can be === to
// anything (a nested array literal is a new array each time).
func (n *node) prepareConstIn() {
	list := n.args[1]
	if list.op != opArray {
		return
	}
	allStrings := true
	for _, a := range list.args {
		switch a.op {
		case opLiteral:
			if _, ok := a.lit.(string); !ok {
				allStrings = false
			}
			n.lits = append(n.lits, a.lit)
		case opArray:
			allStrings = false
			if !constant(a) {
				return
			}
		default:
			return
		}
	}
	n.constIn = true
	if allStrings && len(n.lits) > 8 {
		n.strSet = make(map[string]struct{}, len(n.lits))
		for _, l := range n.lits {
			n.strSet[l.(string)] = struct{}{}
		}
	}
}

func constant(n *node) bool {
	switch n.op {
	case opLiteral:
		return true
	case opArray:
		for _, a := range n.args {
			if !constant(a) {
				return false
			}
		}
		return true
	}
	return false
}

func splitPath(p string) []fragment {
	if p == "" {
		return nil
	}
	n := 1
	for i := 0; i < len(p); i++ {
		if p[i] == '.' {
			n++
		}
	}
	frags := make([]fragment, 0, n)
	for {
		key, rest, more := cut(p, '.')
		frags = append(frags, fragment{key: key, index: arrayIndex(key)})
		if !more {
			return frags
		}
		p = rest
	}
}

func cut(s string, sep byte) (before, after string, found bool) {
	if i := indexByte(s, sep); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// arrayIndex reads a path fragment of decimal digits as an array index, as
// certlogic-js does (parseInt, so "01" is 1 as well); -1 for any other
// fragment, which selects nothing in an array.
func arrayIndex(s string) int {
	if s == "" || !digits(s) {
		return -1
	}
	s = strings.TrimLeft(s, "0")
	if len(s) > 9 {
		return maxIndex // beyond any array
	}
	n, _ := strconv.Atoi(s) // "" (all zeros) is 0
	return n
}

const maxIndex = 1 << 30
