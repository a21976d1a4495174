package certlogic

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinels that errors of this package wrap, for callers that branch on the
// kind of failure with errors.Is.
var (
	// ErrLimit: the expression or its evaluation exceeds a [Limits] bound.
	ErrLimit = errors.New("certlogic: limit exceeded")
	// ErrType: an operand has a type the operation does not accept (an
	// "in" over a non-array, a guard neither truthy nor falsy, ...). The
	// spec makes these evaluation errors.
	ErrType = errors.New("certlogic: operand of the wrong type")
	// ErrDateFormat: a string given to plusTime or dccDateOfBirth is in none
	// of the formats the spec allows.
	ErrDateFormat = errors.New("certlogic: not an allowed date or date-time format")
	// ErrInvalidDate: a date(-time) in an allowed format that names no
	// instant (month 13, hour 25, ...) or falls outside the range of a
	// JavaScript Date (±8.64e15 ms around 1970) after offsetting. The spec
	// leaves the behaviour undefined; certlogic-js yields an "Invalid Date"
	// that compares false with everything, which would make a negated date
	// check pass. This package refuses instead.
	ErrInvalidDate = errors.New("certlogic: invalid date-time")
)

// ValidationError is one problem the validator found in an expression.
type ValidationError struct {
	// Path is the JSON Pointer (RFC 6901) of the offending sub-expression
	// in the whole expression, "" for the root.
	Path string
	// Expr is the offending sub-expression itself, as certlogic-js reports
	// it.
	Expr any
	// Message is certlogic-js's message for the problem, word for word, so
	// that the official validation suite and the reference validator agree
	// with this one. Problems only this package detects (limits) have their
	// own wording.
	Message string
	// Err is ErrLimit for a problem that is a limit of this package rather
	// than a rule of the spec, nil otherwise.
	Err error
}

func (e *ValidationError) Error() string {
	return "certlogic: " + pathPrefix(e.Path) + e.Message
}

func (e *ValidationError) Unwrap() error { return e.Err }

// InvalidError is returned by Compile (and so by Evaluate) for an expression
// that fails validation: the spec requires an evaluator to check validity
// before evaluating anything.
type InvalidError struct {
	Problems []*ValidationError // at least one
}

func (e *InvalidError) Error() string {
	if len(e.Problems) == 1 {
		return "certlogic: invalid expression: " + pathPrefix(e.Problems[0].Path) + e.Problems[0].Message
	}
	return fmt.Sprintf("certlogic: invalid expression: %s%s (and %d more problems)",
		pathPrefix(e.Problems[0].Path), e.Problems[0].Message, len(e.Problems)-1)
}

// Unwrap gives the problems, so errors.Is(err, ErrLimit) tells an
// expression refused for its size from one refused by the spec's rules.
func (e *InvalidError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// EvalError is an error raised while evaluating a valid expression.
type EvalError struct {
	// Path is the JSON Pointer of the operation that failed.
	Path string
	// Op is its operator ("plusTime", "in", ...).
	Op string
	// Msg says what went wrong.
	Msg string
	// Err is one of the sentinels ErrType, ErrDateFormat, ErrInvalidDate,
	// ErrLimit.
	Err error
}

func (e *EvalError) Error() string {
	return "certlogic: " + pathPrefix(e.Path) + e.Msg
}

func (e *EvalError) Unwrap() error { return e.Err }

func pathPrefix(p string) string {
	if p == "" {
		return ""
	}
	return p + ": "
}

// pointer appends a reference token to a JSON Pointer, escaped as RFC 6901
// says ("~" → "~0", "/" → "~1").
func pointer(parent, token string) string {
	if strings.ContainsAny(token, "~/") {
		token = strings.NewReplacer("~", "~0", "/", "~1").Replace(token)
	}
	return parent + "/" + token
}
