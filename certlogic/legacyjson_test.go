package certlogic

// TEMPORARY, for the side-by-side benchmark only: the hand-written reader
// strictjson replaced, unchanged but for names.

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

func legacyParseJSON(data []byte) (any, error) {
	p := jsonParser{data: data}
	p.space()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(p.data) {
		return nil, p.fail("unexpected data after the JSON value")
	}
	return v, nil
}

type jsonParser struct {
	data []byte
	pos  int
}

func (p *jsonParser) fail(format string, a ...any) error {
	line, col := 1, 1
	for i := 0; i < p.pos && i < len(p.data); {
		r, n := utf8.DecodeRune(p.data[i:])
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += n
	}
	return &SyntaxError{Line: line, Column: col, Msg: fmt.Sprintf(format, a...)}
}

func (p *jsonParser) space() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) unexpected() error {
	if p.pos >= len(p.data) {
		return p.fail("unexpected end of input")
	}
	r, _ := utf8.DecodeRune(p.data[p.pos:])
	return p.fail("invalid character %q", r)
}

func (p *jsonParser) value(depth int) (any, error) {
	if p.pos >= len(p.data) {
		return nil, p.unexpected()
	}
	switch c := p.data[p.pos]; {
	case c == '{' || c == '[':
		if depth >= MaxJSONDepth {
			return nil, p.fail("nesting deeper than %d levels", MaxJSONDepth)
		}
		if c == '{' {
			return p.object(depth + 1)
		}
		return p.array(depth + 1)
	case c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return true, p.word("true")
	case c == 'f':
		return false, p.word("false")
	case c == 'n':
		return nil, p.word("null")
	}
	return nil, p.unexpected()
}

func (p *jsonParser) word(w string) error {
	if len(p.data)-p.pos < len(w) || string(p.data[p.pos:p.pos+len(w)]) != w {
		return p.unexpected()
	}
	p.pos += len(w)
	return nil
}

func (p *jsonParser) object(depth int) (any, error) {
	p.pos++ // {
	obj := map[string]any{}
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return obj, nil
	}
	for {
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.unexpected()
		}
		keyPos := p.pos
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if _, dup := obj[key]; dup {
			p.pos = keyPos
			return nil, p.fail("duplicate key %q", key)
		}
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.unexpected()
		}
		p.pos++
		p.space()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		obj[key] = v
		p.space()
		if p.pos >= len(p.data) {
			return nil, p.unexpected()
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return obj, nil
		default:
			return nil, p.unexpected()
		}
	}
}

func (p *jsonParser) array(depth int) (any, error) {
	p.pos++ // [
	arr := newArray(0)
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return arr, nil
	}
	for {
		p.space()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
		p.space()
		if p.pos >= len(p.data) {
			return nil, p.unexpected()
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return arr, nil
		default:
			return nil, p.unexpected()
		}
	}
}

func (p *jsonParser) number() (any, error) {
	start := p.pos
	isDigit := func() bool { return p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' }
	if p.data[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(p.data) && p.data[p.pos] == '0':
		p.pos++
	case isDigit():
		for isDigit() {
			p.pos++
		}
	default:
		return nil, p.unexpected()
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if !isDigit() {
			return nil, p.unexpected()
		}
		for isDigit() {
			p.pos++
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if !isDigit() {
			return nil, p.unexpected()
		}
		for isDigit() {
			p.pos++
		}
	}
	return json.Number(p.data[start:p.pos]), nil
}

func (p *jsonParser) str() (string, error) {
	p.pos++ // "
	start := p.pos
	// Fast path: no escapes.
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c == '"' {
			s := p.data[start:p.pos]
			if !utf8.Valid(s) {
				p.pos = start - 1
				return "", p.fail("invalid UTF-8 in a string")
			}
			p.pos++
			return string(s), nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.pos++
	}
	buf := append([]byte(nil), p.data[start:p.pos]...)
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			if !utf8.Valid(buf) {
				p.pos = start - 1
				return "", p.fail("invalid UTF-8 in a string")
			}
			p.pos++
			return string(buf), nil
		case c < 0x20:
			return "", p.fail("control character %q in a string", rune(c))
		case c != '\\':
			buf = append(buf, c)
			p.pos++
			continue
		}
		p.pos++ // backslash
		if p.pos >= len(p.data) {
			return "", p.unexpected()
		}
		e := p.data[p.pos]
		p.pos++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.fail("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				// A pair makes one character; a lone surrogate has no
				// UTF-8 form and becomes U+FFFD, as in encoding/json.
				save := p.pos
				if p.pos+1 < len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
					p.pos += 2
					if r2, ok := p.hex4(); ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							buf = utf8.AppendRune(buf, d)
							continue
						}
					}
				}
				p.pos = save
				r = utf8.RuneError
			}
			buf = utf8.AppendRune(buf, r)
		default:
			p.pos--
			return "", p.fail("invalid escape \\%c", e)
		}
	}
	return "", p.unexpected()
}

func (p *jsonParser) hex4() (rune, bool) {
	if len(p.data)-p.pos < 4 {
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.pos : p.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, false
		}
	}
	p.pos += 4
	return r, true
}

func BenchmarkLegacyParseJSON(b *testing.B) {
	for _, c := range benchJSON {
		b.Run(c.name, func(b *testing.B) {
			data := []byte(c.json)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := legacyParseJSON(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Copies of bench_test.go's inputs (that file is package certlogic_test).
const legacyRule = `{
  "if": [
    {"var": "payload.v.0"},
    {"and": [
      {"in": [{"var": "payload.v.0.mp"}, {"var": "external.valueSets.vaccines-covid-19-names"}]},
      {"in": [{"var": "payload.v.0.mp"}, ["EU/1/20/1528", "EU/1/20/1507", "EU/1/21/1529", "EU/1/20/1525", "EU/1/21/1618", "EU/1/21/1624"]]},
      {">=": [{"var": "payload.v.0.dn"}, {"var": "payload.v.0.sd"}]},
      {"not-after": [
        {"plusTime": [{"var": "payload.v.0.dt"}, 14, "day"]},
        {"plusTime": [{"var": "external.validationClock"}, 0, "day"]}
      ]},
      {"not-before": [
        {"plusTime": [{"var": "payload.v.0.dt"}, 365, "day"]},
        {"plusTime": [{"var": "external.validationClock"}, 0, "day"]}
      ]}
    ]},
    true
  ]
}`

const legacyData = `{
  "payload": {
    "ver": "1.3.0",
    "nam": {"fn": "García Fernández", "fnt": "GARCIA<FERNANDEZ", "gn": "María José", "gnt": "MARIA<JOSE"},
    "dob": "1978-05-21",
    "v": [{"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215", "dn": 3, "sd": 3,
           "dt": "2022-01-10", "co": "ES", "is": "Ministerio de Sanidad", "ci": "URN:UVCI:01:ES:MSND/7KQ2X9VW4HT8RM3F#G"}]
  },
  "external": {
    "valueSets": {
      "vaccines-covid-19-names": ["EU/1/20/1528", "EU/1/20/1507", "EU/1/21/1529", "EU/1/20/1525", "EU/1/21/1618",
        "EU/1/21/1624", "CVnCoV", "NVX-CoV2373", "Sputnik-V", "Convidecia", "EpiVacCorona", "BBIBP-CorV",
        "Inactivated-SARS-CoV-2-Vero-Cell", "CoronaVac", "Covaxin", "Covishield", "Covid-19-recombinant", "R-COVI",
        "CoviVac", "Sputnik-Light", "Hayat-Vax", "Abdala", "WIBP-CorV", "MVC-COV1901"]
    },
    "validationClock": "2022-06-01T10:15:00+02:00",
    "countryCode": "ES",
    "exp": "2023-01-10T00:00:00Z",
    "iat": "2022-01-10T09:00:00Z"
  }
}`

var benchJSON = []struct{ name, json string }{{"rule", legacyRule}, {"data", legacyData}}

// FuzzLegacyAgreement (TEMPORARY): the former and the new reader accept
// the same rules and read them as the same tree.
func FuzzLegacyAgreement(f *testing.F) {
	for _, s := range []string{legacyRule, legacyData, `{"a": 1, "a": 2}`, `"\ud800\udc00\ud800"`, "\"\xff\"", `[1e400]`, "{\n\"a\" 1}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		v, err := ParseJSON(in)
		w, lerr := legacyParseJSON(in)
		if (err == nil) != (lerr == nil) {
			t.Fatalf("new: %v, former: %v", err, lerr)
		}
		if err == nil && !reflect.DeepEqual(v, w) {
			t.Fatalf("new %#v, former %#v", v, w)
		}
	})
}
