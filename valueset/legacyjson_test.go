package valueset

// TEMPORARY, for the side-by-side benchmark only: the encoding/json token
// reader strictjson replaced, and Parse on it, unchanged but for names.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"testing"
)

func legacyParse(data []byte) (*Set, error) {
	if err := checkDocument(data); err != nil {
		return nil, err
	}
	p := legacyNewParser(data)
	set := &Set{Values: map[string]Value{}}
	var haveID, haveDate, haveValues bool
	err := p.object("document", func(key string) error {
		var err error
		switch key {
		case "valueSetId":
			if set.ID, err = p.str(key); err == nil {
				err = checkID(set.ID) // before reading values of another shape
			}
			haveID = true
		case "valueSetDate":
			set.Date, err = p.str(key)
			haveDate = true
		case "valueSetValues":
			haveValues = true
			err = p.object(key, func(code string) error {
				v, err := p.value(code)
				set.Values[code] = v
				return err
			})
		default:
			err = fmt.Errorf("valueset: unknown field %q (want valueSetId, valueSetDate, valueSetValues)", key)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	switch {
	case !haveID:
		return nil, errors.New("valueset: missing field valueSetId")
	case !haveDate:
		return nil, errors.New("valueset: missing field valueSetDate")
	case !haveValues:
		return nil, errors.New("valueset: missing field valueSetValues")
	}
	if err := finish(set); err != nil {
		return nil, err
	}
	return set, nil
}

// parser is a small strict reader over json.Decoder tokens: it sees
// duplicate keys and types that json.Unmarshal would silently accept.
type legacyParser struct {
	dec *json.Decoder
}

func legacyNewParser(data []byte) *legacyParser {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return &legacyParser{dec: dec}
}

func (p *legacyParser) token(field string) (json.Token, error) {
	tok, err := p.dec.Token()
	if err == io.EOF {
		return nil, fmt.Errorf("valueset: %s: unexpected end of document", field)
	}
	if err != nil {
		return nil, fmt.Errorf("valueset: %s: malformed JSON: %w", field, err)
	}
	return tok, nil
}

func legacyKind(tok json.Token) string {
	switch t := tok.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case nil:
		return "null"
	case json.Delim:
		if t == '[' {
			return "an array"
		}
		return "an object"
	}
	return fmt.Sprintf("%T", tok)
}

// object reads an object, calling member for each key with the decoder
// positioned at its value; duplicate keys are errors.
func (p *legacyParser) object(field string, member func(key string) error) error {
	tok, err := p.token(field)
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("valueset: %s: want an object, got %s", field, legacyKind(tok))
	}
	seen := map[string]bool{}
	for p.dec.More() {
		tok, err := p.token(field)
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("valueset: %s: malformed object key", field)
		}
		if seen[key] {
			return fmt.Errorf("valueset: %s: duplicate key %q", field, key)
		}
		seen[key] = true
		if err := member(key); err != nil {
			return err
		}
	}
	_, err = p.token(field) // the closing '}': More said there is nothing else
	return err
}

func (p *legacyParser) str(field string) (string, error) {
	tok, err := p.token(field)
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("valueset: %s: want a string, got %s", field, legacyKind(tok))
	}
	return s, nil
}

func (p *legacyParser) boolean(field string) (bool, error) {
	tok, err := p.token(field)
	if err != nil {
		return false, err
	}
	b, ok := tok.(bool)
	if !ok {
		return false, fmt.Errorf("valueset: %s: want a boolean, got %s", field, legacyKind(tok))
	}
	return b, nil
}

func (p *legacyParser) strings(field string) ([]string, error) {
	tok, err := p.token(field)
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf("valueset: %s: want an array of strings, got %s", field, legacyKind(tok))
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

func (p *legacyParser) value(code string) (Value, error) {
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
func (p *legacyParser) end() error {
	if _, err := p.dec.Token(); err != io.EOF {
		return errors.New("valueset: trailing data after the document")
	}
	return nil
}

func BenchmarkLegacyParse(b *testing.B) {
	for _, file := range benchFiles {
		data, err := snapshot.ReadFile("data/" + file)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(file, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := legacyParse(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

var benchFiles = []string{"country-2-codes.json", "vaccine-medicinal-product.json"}
