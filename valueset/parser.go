package valueset

import (
	"errors"
	"fmt"

	"dcc/internal/strictjson"
)

// maxDepth is generous: a value set nests 3 levels (4 with sct-codes), and
// a value of the wrong shape is refused by type before its nesting matters.
const maxDepth = 32

// parser reads the documents strictly, token by token, so that it sees
// duplicate keys (after unescaping) and types that json.Unmarshal would
// silently accept. Syntax errors name a line and column.
type parser struct {
	dec *strictjson.Decoder
}

func newParser(data []byte) (*parser, error) {
	dec, err := strictjson.NewDecoder(data, strictjson.Options{MaxBytes: MaxSize, MaxDepth: maxDepth})
	if err != nil {
		return nil, fmt.Errorf("valueset: %w", err)
	}
	return &parser{dec: dec}, nil
}

func (p *parser) token(field string) (strictjson.Token, error) {
	tok, err := p.dec.ReadToken()
	if err == nil {
		return tok, nil
	}
	var se *strictjson.Error
	switch {
	case !errors.As(err, &se):
		return tok, fmt.Errorf("valueset: %s: malformed JSON: %w", field, err)
	case errors.Is(err, strictjson.ErrUnexpectedEnd):
		return tok, fmt.Errorf("valueset: %s: line %d, column %d: unexpected end of document", field, se.Line, se.Column)
	case errors.Is(err, strictjson.ErrDuplicateName):
		return tok, fmt.Errorf("valueset: %s: line %d, column %d: duplicate key %q", field, se.Line, se.Column, se.Name)
	}
	return tok, fmt.Errorf("valueset: %s: malformed JSON: %w", field, err)
}

func kind(tok strictjson.Token) string {
	switch tok.Kind {
	case strictjson.String:
		return "a string"
	case strictjson.True, strictjson.False:
		return "a boolean"
	case strictjson.Number:
		return "a number"
	case strictjson.Null:
		return "null"
	case strictjson.ArrayStart:
		return "an array"
	case strictjson.ObjectStart:
		return "an object"
	}
	return fmt.Sprintf("%q", string(rune(tok.Kind)))
}

// object reads an object, calling member for each key with the decoder
// positioned at its value.
func (p *parser) object(field string, member func(key string) error) error {
	tok, err := p.token(field)
	if err != nil {
		return err
	}
	if tok.Kind != strictjson.ObjectStart {
		return fmt.Errorf("valueset: %s: want an object, got %s", field, kind(tok))
	}
	for p.dec.More() {
		tok, err := p.token(field)
		if err != nil {
			return err
		}
		// The reader guarantees that a key is a string.
		if err := member(tok.Text); err != nil {
			return err
		}
	}
	_, err = p.token(field) // the closing '}': More said there is nothing else
	return err
}

func (p *parser) str(field string) (string, error) {
	tok, err := p.token(field)
	if err != nil {
		return "", err
	}
	if tok.Kind != strictjson.String {
		return "", fmt.Errorf("valueset: %s: want a string, got %s", field, kind(tok))
	}
	return tok.Text, nil
}

func (p *parser) boolean(field string) (bool, error) {
	tok, err := p.token(field)
	if err != nil {
		return false, err
	}
	if tok.Kind != strictjson.True && tok.Kind != strictjson.False {
		return false, fmt.Errorf("valueset: %s: want a boolean, got %s", field, kind(tok))
	}
	return tok.Kind == strictjson.True, nil
}

func (p *parser) strings(field string) ([]string, error) {
	tok, err := p.token(field)
	if err != nil {
		return nil, err
	}
	if tok.Kind != strictjson.ArrayStart {
		return nil, fmt.Errorf("valueset: %s: want an array of strings, got %s", field, kind(tok))
	}
	out := []string{}
	for p.dec.More() {
		s, err := p.str(field + "[]")
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	_, err = p.token(field)
	return out, err
}

func (p *parser) value(code string) (Value, error) {
	v := Value{Code: code}
	field := fmt.Sprintf("valueSetValues[%q]", code)
	var have [5]bool
	err := p.object(field, func(key string) error {
		var err error
		f := field + "." + key
		switch key {
		case "display":
			v.Display, err = p.str(f)
			have[0] = true
		case "lang":
			v.Lang, err = p.str(f)
			have[1] = true
		case "active":
			v.Active, err = p.boolean(f)
			have[2] = true
		case "system":
			v.System, err = p.str(f)
			have[3] = true
		case "version":
			v.Version, err = p.str(f)
			have[4] = true
		default:
			err = fmt.Errorf("valueset: %s: unknown field %q (want display, lang, active, system, version)", field, key)
		}
		return err
	})
	if err != nil {
		return v, err
	}
	for i, name := range [5]string{"display", "lang", "active", "system", "version"} {
		if !have[i] {
			return v, fmt.Errorf("valueset: %s: missing field %s", field, name)
		}
	}
	return v, nil
}

// end checks that nothing follows the top-level value.
func (p *parser) end() error {
	err := p.dec.End()
	var se *strictjson.Error
	if errors.As(err, &se) {
		return fmt.Errorf("valueset: line %d, column %d: trailing data after the document", se.Line, se.Column)
	}
	return err
}
