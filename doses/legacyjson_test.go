package doses

// TEMPORARY, for the side-by-side benchmark only: the encoding/json token
// reader strictjson replaced, unchanged but for names.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"
)

func legacyDecodeHistory(data []byte) (History, error) {
	d := legacyDecoder{dec: json.NewDecoder(bytes.NewReader(data))}
	h, err := d.history()
	if err != nil {
		return History{}, err
	}
	// A second value after the object means the input is not one document.
	if _, err := d.dec.Token(); err != io.EOF {
		return History{}, fmt.Errorf("doses: invalid JSON: trailing data after the history object")
	}
	if err := h.Validate(); err != nil {
		return History{}, err
	}
	return h, nil
}

// decoder walks tokens rather than using json.Unmarshal, which would
// silently accept duplicate keys and case-insensitive field names.
type legacyDecoder struct {
	dec *json.Decoder
}

func (d *legacyDecoder) token() (json.Token, error) {
	t, err := d.dec.Token()
	if err == io.EOF {
		return nil, fmt.Errorf("doses: invalid JSON: %w", io.ErrUnexpectedEOF)
	}
	if err != nil {
		return nil, fmt.Errorf("doses: invalid JSON: %w", err)
	}
	return t, nil
}

func (d *legacyDecoder) history() (History, error) {
	var h History
	seen := map[string]bool{}
	err := d.object("", func(key string) error {
		field := fieldName("", key)
		if seen[key] {
			return &FieldError{field, ErrDuplicateKey}
		}
		seen[key] = true
		switch key {
		case "priorInfection":
			t, err := d.token()
			if err != nil {
				return err
			}
			b, ok := t.(bool)
			if !ok {
				return &FieldError{field, fmt.Errorf("%w: want true or false, got %s", ErrType, legacyDescribe(t))}
			}
			h.PriorInfection = b
			return nil
		case "doses":
			doses, err := d.doses()
			h.Doses = doses
			return err
		}
		return &FieldError{field, fmt.Errorf(`%w (want "priorInfection" or "doses")`, ErrUnknownField)}
	})
	return h, err
}

func (d *legacyDecoder) doses() ([]Dose, error) {
	t, err := d.token()
	if err != nil {
		return nil, err
	}
	if t != json.Delim('[') {
		return nil, &FieldError{"doses", fmt.Errorf("%w: want an array of doses, got %s", ErrType, legacyDescribe(t))}
	}
	doses := []Dose{}
	for i := 0; d.dec.More(); i++ {
		dose, err := d.dose(fmt.Sprintf("doses[%d]", i))
		if err != nil {
			return nil, err
		}
		doses = append(doses, dose)
	}
	if _, err := d.token(); err != nil { // ']'
		return nil, err
	}
	return doses, nil
}

func (d *legacyDecoder) dose(path string) (Dose, error) {
	var dose Dose
	seen := map[string]bool{}
	err := d.object(path, func(key string) error {
		field := fieldName(path, key)
		if seen[key] {
			return &FieldError{field, ErrDuplicateKey}
		}
		seen[key] = true
		var dst *string
		switch key {
		case "date":
			dst = &dose.Date
		case "mp":
			dst = &dose.Product
		default:
			return &FieldError{field, fmt.Errorf(`%w (want "date" or "mp")`, ErrUnknownField)}
		}
		t, err := d.token()
		if err != nil {
			return err
		}
		s, ok := t.(string)
		if !ok {
			return &FieldError{field, fmt.Errorf("%w: want a string, got %s", ErrType, legacyDescribe(t))}
		}
		*dst = s
		return nil
	})
	return dose, err
}

// object reads one JSON object, calling member for each key with the
// decoder positioned before its value; member must consume the value.
func (d *legacyDecoder) object(path string, member func(key string) error) error {
	t, err := d.token()
	if err != nil {
		return err
	}
	if t != json.Delim('{') {
		name := path
		if name == "" {
			name = "history"
		}
		return &FieldError{name, fmt.Errorf("%w: want an object, got %s", ErrType, legacyDescribe(t))}
	}
	for d.dec.More() {
		t, err := d.token()
		if err != nil {
			return err
		}
		key, ok := t.(string)
		if !ok { // encoding/json reports this itself; kept as a guard
			return fmt.Errorf("doses: invalid JSON: object key %v is not a string", t)
		}
		if err := member(key); err != nil {
			return err
		}
	}
	_, err = d.token() // '}'
	return err
}

func legacyDescribe(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return fmt.Sprintf("%q", string(v))
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", v)
	case float64:
		return "a number"
	case bool:
		return fmt.Sprintf("%t", v)
	}
	return fmt.Sprintf("%v", t)
}

func BenchmarkLegacyDecodeHistory(b *testing.B) {
	data := []byte(benchHistory)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := legacyDecodeHistory(data); err != nil {
			b.Fatal(err)
		}
	}
}

const benchHistory = `{"priorInfection": false, "doses": [
  {"date": "2021-03-01", "mp": "EU/1/20/1528"},
  {"date": "2021-03-22", "mp": "EU/1/20/1528"},
  {"date": "2021-11-15", "mp": "EU/1/20/1507"},
  {"date": "2022-09-30", "mp": "EU/1/20/1528"}
]}`
