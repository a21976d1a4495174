package certlogic_test

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"

	"dcc/certlogic"
)

// gen generates random expressions and data contexts for the differential
// test: mostly well-formed expressions that evaluate to something, built
// from the edge cases of the spec (nulls, empty arrays and strings, every
// date format and invalid dates, partial dates, nested if/and/reduce, UCIs),
// and a share of malformed ones.
type gen struct {
	r *rand.Rand
}

func newGen(seed uint64) *gen { return &gen{r: rand.New(rand.NewPCG(seed, 0x5eed))} }

func (g *gen) pick(xs ...any) any { return xs[g.r.IntN(len(xs))] }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func num(s string) json.Number { return json.Number(s) }

var (
	genKeys = []string{"a", "b", "c", "x", "y", "0", "1", "payload", "v", "dt", "dob", "external", "validationClock", "__proto__"}

	genDates = []string{
		"2021-06-01", "2021-06-01T00:00:00Z", "2021-06-01T12:34:56.789+02:00", "2021-06-01T12:34:56.7891-5",
		"2021-06-01T12:34:56+0530", "2021-06-01T12:34:56+1:", "2021-06-01T12:34:56+130", "2021-06-01T12:34:56.1",
		"2004", "2004-02", "2021-02", "2021-02-29", "2020-02-29", "2021-02-30", "2021-02-31T10:00:00Z", "2021-04-31",
		"2021-13-01", "2021-00-10", "2021-01-32", "2021-01-00", "2021-01-01T24:00:00Z", "2021-01-01T24:00:00.0009Z",
		"2021-01-01T24:00:01Z", "2021-01-01T23:60:00Z", "2021-01-01T23:59:60Z", "2021-01-01T00:00:00+24:00",
		"2021-01-01T00:00:00+23:59", "2021-01-01T00:00:00-00:60", "0000-01-01", "0000-01-01T00:00:00+01:00",
		"9999-12-31T23:59:59.999Z", "2021-06-01T00:00:00z", "2021-6-1", "20210601", "2021-06-01 00:00:00",
		"2021-06-01T00:00", "2004-13", "2004-00", "1970-01-01T00:00:00.000-00:00", "1969-12-31T23:59:59.999Z",
		"2021-06-01T00:00:00+", "2021-06-01T00:00:00.Z", "٢٠٢١-06-01", "2021-03-28T01:30:00+01:00",
	}

	genStrings = []string{"", "a", "b", "foo", "0", "1", "true", "null", "length", "EU/1/20/1528", "URN:UVCI:01:NL:187/37512422923",
		"01:AT:10807843F94AEE0EE5093FBC254BD813#B", "a::c/#/f", "URN:UVCI:", "URN:UVCI:01", "é/ü#ñ"}

	genInts = []string{"0", "1", "-1", "2", "3", "14", "365", "-18", "100", "9007199254740993", "1e21", "-0", "2.0"}
)

func (g *gen) str() any {
	if g.chance(0.5) {
		return g.pick(anySlice(genDates)...)
	}
	return g.pick(anySlice(genStrings)...)
}

func (g *gen) intLit() any { return num(genInts[g.r.IntN(len(genInts))]) }

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// data is a random data context.
func (g *gen) data(depth int) any {
	if depth <= 0 || g.chance(0.3) {
		switch g.r.IntN(8) {
		case 0:
			return nil
		case 1:
			return g.chance(0.5)
		case 2, 3:
			return g.intLit()
		case 4:
			if g.chance(0.5) {
				return num("1.5")
			}
			return num("-0.25")
		default:
			return g.str()
		}
	}
	if g.chance(0.4) {
		n := g.r.IntN(4)
		arr := make([]any, n)
		for i := range arr {
			arr[i] = g.data(depth - 1)
		}
		return arr
	}
	obj := map[string]any{}
	for n := g.r.IntN(4); n > 0; n-- {
		obj[genKeys[g.r.IntN(len(genKeys))]] = g.data(depth - 1)
	}
	return obj
}

var genGoodDates = []string{"2021-05-01", "2021-05-01T00:00:00Z", "2021-11-30T10:00:00+01:00", "2020-02-29",
	"2022-01-15T12:00:00.123456Z", "2021-12-31T23:59:59-05", "2004", "2004-02", "2021-03-28T02:30:00+0200"}

func (g *gen) goodDate() any {
	if g.chance(0.9) {
		return g.pick(anySlice(genGoodDates)...)
	}
	return g.str()
}

func v(path string) any { return map[string]any{"var": path} }

// rule is an expression in the style of the EU's business rules, with
// random constants.
func (g *gen) rule() any {
	unit := func() any { return g.pick("day", "day", "hour", "month", "year") }
	amount := func() any { return num(strconv.Itoa(g.r.IntN(800) - 100)) }
	date := func(path string) any { return op("plusTime", v(path), amount(), unit()) }
	cmp := func() string { return g.pick("after", "before", "not-after", "not-before").(string) }
	switch g.r.IntN(8) {
	case 7:
		// === and in on arrays, objects and date-times: identity, not
		// structure. The same text twice makes two nodes, as JSON does.
		x := g.pick(v("payload"), v("payload.v"), v("list"), v("payload.v.0"), v(""), []any{}, []any{"a"},
			op("plusTime", v("dt"), num("0"), "day"), op("dccDateOfBirth", "2004"), v("a"), v("x"), v("n"), v("dt"))
		b, _ := certlogic.MarshalJSON(x)
		y, _ := certlogic.ParseJSON(b)
		switch g.r.IntN(3) {
		case 0:
			return op("===", x, y)
		case 1:
			return op("in", x, []any{y, g.str()})
		default:
			return op("in", v("payload.v.0"), g.pick(v("payload.v"), []any{v("payload.v.0")}, []any{v("payload.v")}))
		}
	case 0:
		window := []any{date("payload.v.0.dt"), op("plusTime", v("external.validationClock"), num("0"), "day")}
		if g.chance(0.5) {
			window = append(window, date("payload.v.0.dt"))
		}
		return op("if", v("payload.v.0"),
			op("and",
				op("in", v("payload.v.0.mp"), v("external.valueSets.mp")),
				op(g.pick(">=", ">", "<=").(string), v("payload.v.0.dn"), v("payload.v.0.sd")),
				op(cmp(), window...)),
			true)
	case 1:
		return op("and", v("payload.dob"),
			op(cmp(), op("dccDateOfBirth", v("payload.dob")), op("plusTime", v("external.validationClock"), num(g.pick("-18", "-12", "18").(string)), "year")))
	case 2:
		return op("reduce", v("payload.v"),
			op("+", v("accumulator"), op("if", op("===", v("current.mp"), g.pick("EU/1/20/1528", "")), num("1"), num("0"))),
			num("0"))
	case 3:
		return op("in", op("extractFromUVCI", v("payload.v.0.ci"), num(strconv.Itoa(g.r.IntN(4)))), []any{"NL", "AT", "01", "187"})
	case 4:
		return op("!", v("payload.v."+strconv.Itoa(g.r.IntN(3))))
	case 5:
		// A date-time accumulated by reduce, compared by identity and by
		// instant.
		return op("reduce", v("payload.v"),
			op("if", op("===", v("accumulator"), v("accumulator")), v("accumulator"), date("current.dt")),
			op("plusTime", v("external.validationClock"), amount(), unit()))
	default:
		return op(cmp(), date("dt"), date("dt2"))
	}
}

// context is a data context with typed slots the paths above aim at (a
// DCC-like payload, dates, integers, lists), and random values around them.
func (g *gen) context() any {
	entry := map[string]any{
		"dt": g.goodDate(), "dn": g.intLit(), "sd": g.intLit(),
		"mp": g.pick("EU/1/20/1528", "EU/1/20/1507", "Sputnik-V", "", nil), "ci": g.pick(anySlice(genStrings)...),
	}
	v := []any{entry}
	if g.chance(0.3) {
		v = append(v, g.data(2))
	}
	if g.chance(0.1) {
		v = []any{}
	}
	payload := map[string]any{"v": v, "dob": g.pick("2004", "2004-02", "2004-02-29", "1990-13", "", g.str())}
	if g.chance(0.3) {
		payload["extra"] = g.data(2)
	}
	ctx := map[string]any{
		"payload": payload,
		"external": map[string]any{
			"validationClock": g.pick("2022-01-15T12:00:00Z", "2021-05-14T23:59:59.999Z", "2021-05-15", g.goodDate()),
			"valueSets":       map[string]any{"mp": []any{"EU/1/20/1528", "EU/1/20/1507"}},
		},
		"dt": g.goodDate(), "dt2": g.goodDate(), "n": g.intLit(), "list": []any{g.str(), g.str(), g.intLit()},
		"a": g.data(2), "x": g.data(2),
	}
	if g.chance(0.2) {
		delete(ctx, g.pick("dt", "n", "list", "payload").(string))
	}
	return ctx
}

// path is a var path made of the data's keys and indices.
func (g *gen) path(lambda bool) string {
	if lambda && g.chance(0.7) {
		p := g.pick("accumulator", "current", "").(string)
		if p != "" && g.chance(0.4) {
			p += "." + g.pick("0", "1", "a", "x").(string)
		}
		return p
	}
	if g.chance(0.1) {
		return ""
	}
	if g.chance(0.35) {
		return g.pick("dt", "n", "list", "list.0", "dt2", "payload.v.0.dt", "payload.v.0.dn", "payload.v.0.sd",
			"payload.v.0.mp", "payload.dob", "payload.v.0.ci", "payload.v", "external.validationClock",
			"external.valueSets.mp").(string)
	}
	n := 1 + g.r.IntN(3)
	p := ""
	for i := 0; i < n; i++ {
		if i > 0 {
			p += "."
		}
		if g.chance(0.3) {
			p += strconv.Itoa(g.r.IntN(3))
		} else {
			p += genKeys[g.r.IntN(len(genKeys)-1)] // no __proto__ in paths
		}
	}
	return p
}

func (g *gen) v(lambda bool) any { return map[string]any{"var": g.path(lambda)} }

func op(name string, args ...any) any { return map[string]any{name: args} }

// expr is a random expression; lambda tells whether it is inside a reduce
// lambda (where the data is {accumulator, current}).
func (g *gen) expr(depth int, lambda bool) any {
	if g.chance(0.03) {
		return g.malformed(depth, lambda)
	}
	if depth <= 0 || g.chance(0.15) {
		switch g.r.IntN(6) {
		case 0:
			return g.chance(0.5)
		case 1:
			return g.intLit()
		case 2:
			return g.str()
		default:
			return g.v(lambda)
		}
	}
	d := depth - 1
	switch g.r.IntN(16) {
	case 0:
		return op("if", g.expr(d, lambda), g.expr(d, lambda), g.expr(d, lambda))
	case 1:
		args := []any{g.expr(d, lambda), g.expr(d, lambda)}
		for g.chance(0.3) {
			args = append(args, g.expr(d, lambda))
		}
		return op("and", args...)
	case 2:
		return op("!", g.expr(d, lambda))
	case 3:
		return op("===", g.expr(d, lambda), g.expr(d, lambda))
	case 4:
		var list any
		if g.chance(0.6) {
			n := g.r.IntN(4)
			arr := make([]any, n)
			for i := range arr {
				if g.chance(0.8) {
					arr[i] = g.str()
				} else {
					arr[i] = g.expr(d, lambda)
				}
			}
			list = arr
		} else {
			list = g.expr(d, lambda)
		}
		return op("in", g.expr(d, lambda), list)
	case 5:
		return op("+", g.intExpr(d, lambda), g.intExpr(d, lambda))
	case 6, 7:
		name := g.pick("<", ">", "<=", ">=").(string)
		args := []any{g.intExpr(d, lambda), g.intExpr(d, lambda)}
		if g.chance(0.3) {
			args = append(args, g.intExpr(d, lambda))
		}
		return op(name, args...)
	case 8, 9:
		name := g.pick("after", "before", "not-after", "not-before").(string)
		args := []any{g.dateExpr(d, lambda), g.dateExpr(d, lambda)}
		if g.chance(0.3) {
			args = append(args, g.dateExpr(d, lambda))
		}
		return op(name, args...)
	case 10:
		return g.dateExpr(d, lambda)
	case 11, 12:
		var operand any
		if g.chance(0.7) {
			operand = g.v(lambda)
		} else {
			operand = g.expr(d, lambda)
		}
		var lam any
		switch g.r.IntN(4) {
		case 0:
			lam = op("+", map[string]any{"var": "accumulator"}, map[string]any{"var": "current"})
		case 1:
			lam = op("if", op("===", map[string]any{"var": "current"}, g.expr(d, true)),
				op("+", map[string]any{"var": "accumulator"}, num("1")), map[string]any{"var": "accumulator"})
		case 2:
			lam = []any{map[string]any{"var": "accumulator"}, map[string]any{"var": "current"}}
		default:
			lam = g.expr(d, true)
		}
		return op("reduce", operand, lam, g.expr(d, lambda))
	case 13:
		return op("extractFromUVCI", g.pick(g.v(lambda), g.str(), g.expr(d, lambda)), num(strconv.Itoa(g.r.IntN(8)-1)))
	case 14:
		n := g.r.IntN(3)
		arr := make([]any, n)
		for i := range arr {
			arr[i] = g.expr(d, lambda)
		}
		return arr
	default:
		return g.v(lambda)
	}
}

func (g *gen) intExpr(depth int, lambda bool) any {
	switch {
	case depth <= 0 || g.chance(0.4):
		return g.intLit()
	case g.chance(0.5):
		return g.v(lambda)
	default:
		return g.expr(depth, lambda)
	}
}

var genAmounts = []string{"0", "1", "-1", "14", "-18", "18", "180", "365", "-365", "12", "40", "1000", "300000", "-300000",
	"1000000", "100000000", "1e20", "-0"}

func (g *gen) dateExpr(depth int, lambda bool) any {
	var operand any
	switch {
	case g.chance(0.4):
		operand = g.str()
	case g.chance(0.5):
		operand = map[string]any{"var": g.pick("dt", "dt2", "payload.v.0.dt", "payload.dob", "external.validationClock").(string)}
	case g.chance(0.7) || depth <= 0:
		operand = g.v(lambda)
	default:
		operand = g.expr(depth-1, lambda)
	}
	if g.chance(0.2) {
		return op("dccDateOfBirth", operand)
	}
	if g.chance(0.05) {
		return g.v(lambda) // not a date-time: an error in a comparison
	}
	return op("plusTime", operand, num(genAmounts[g.r.IntN(len(genAmounts))]),
		g.pick("year", "month", "day", "hour"))
}

// malformed is an expression the validator refuses.
func (g *gen) malformed(depth int, lambda bool) any {
	d := max(depth-1, 0)
	switch g.r.IntN(10) {
	case 0:
		return nil
	case 1:
		return num("1.5")
	case 2:
		return map[string]any{}
	case 3:
		return map[string]any{"var": g.pick(num("0"), nil, "x.", ".x", "a..b", []any{"x"}, true)}
	case 4:
		return op(g.pick("all", "or", "some", "map", "filter", "merge", "cat", "min", "var2").(string), g.expr(d, lambda))
	case 5:
		return map[string]any{"if": g.pick("x", num("1"), nil, true, map[string]any{})}
	case 6:
		name := g.pick("if", "and", "!", "===", "in", "+", "<", "after", "plusTime", "reduce", "extractFromUVCI", "dccDateOfBirth").(string)
		n := g.pick(0, 1, 4).(int)
		args := make([]any, n)
		for i := range args {
			args[i] = g.expr(d, lambda)
		}
		return op(name, args...)
	case 7:
		return op("plusTime", g.expr(d, lambda), g.pick(num("1.5"), "1", map[string]any{"var": "n"}, nil), g.pick("days", "Day", "", nil, []any{"day"}))
	case 8:
		return op("extractFromUVCI", g.expr(d, lambda), g.pick(num("0.5"), "1", nil, []any{num("1"), nil}))
	default:
		return map[string]any{"var": "a", "if": []any{true, num("1"), num("2")}}
	}
}
