package doses

import (
	"errors"
	"fmt"
	"strconv"

	"dcc/internal/strictjson"
)

// Errors of DecodeHistory, wrapped in a *FieldError naming the field.
var (
	ErrUnknownField = errors.New("unknown field")
	ErrDuplicateKey = errors.New("duplicate key")
	ErrType         = errors.New("wrong JSON type")
)

// maxDepth is generous: the history nests 3 levels, and a value of the
// wrong shape is refused by type before its nesting matters.
const maxDepth = 32

// DecodeHistory strictly decodes the JSON form of a History:
//
//	{"priorInfection": false, "doses": [{"date": "2021-03-01", "mp": "EU/1/20/1528"}, ...]}
//
// Unknown fields (names match exactly, unlike encoding/json), duplicate keys,
// values of the wrong type, trailing data, bad dates, empty products and an
// empty dose list are errors naming the field, e.g.
// `doses[1].date: "2021-13-01" is not a date (YYYY-MM-DD)`; invalid JSON
// (including invalid UTF-8 and \u escapes of half a surrogate pair) is an
// error naming the line and column.
// "priorInfection" may be omitted (false).
func DecodeHistory(data []byte) (History, error) {
	dec, err := strictjson.NewDecoder(data, strictjson.Options{MaxDepth: maxDepth})
	if err != nil {
		return History{}, fmt.Errorf("doses: %w", err)
	}
	d := decoder{dec: dec}
	h, err := d.history()
	if err != nil {
		return History{}, err
	}
	// A second value after the object means the input is not one document.
	if err := d.dec.End(); err != nil {
		var se *strictjson.Error
		if errors.As(err, &se) && errors.Is(err, strictjson.ErrTrailingData) {
			return History{}, fmt.Errorf("doses: invalid JSON: line %d, column %d: trailing data after the history object", se.Line, se.Column)
		}
		return History{}, fmt.Errorf("doses: invalid JSON: %w", err)
	}
	if err := h.Validate(); err != nil {
		return History{}, err
	}
	return h, nil
}

// decoder walks tokens rather than using json.Unmarshal, which would
// silently accept duplicate keys and case-insensitive field names.
type decoder struct {
	dec *strictjson.Decoder
}

func (d *decoder) token() (strictjson.Token, error) {
	t, err := d.dec.ReadToken()
	if err != nil {
		return t, fmt.Errorf("doses: invalid JSON: %w", err)
	}
	return t, nil
}

func (d *decoder) history() (History, error) {
	var h History
	err := d.object("", func(key string) error {
		field := fieldName("", key)
		switch key {
		case "priorInfection":
			t, err := d.token()
			if err != nil {
				return err
			}
			if t.Kind != strictjson.True && t.Kind != strictjson.False {
				return &FieldError{field, fmt.Errorf("%w: want true or false, got %s", ErrType, describe(t))}
			}
			h.PriorInfection = t.Kind == strictjson.True
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

func (d *decoder) doses() ([]Dose, error) {
	t, err := d.token()
	if err != nil {
		return nil, err
	}
	if t.Kind != strictjson.ArrayStart {
		return nil, &FieldError{"doses", fmt.Errorf("%w: want an array of doses, got %s", ErrType, describe(t))}
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

func (d *decoder) dose(path string) (Dose, error) {
	var dose Dose
	err := d.object(path, func(key string) error {
		field := fieldName(path, key)
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
		if t.Kind != strictjson.String {
			return &FieldError{field, fmt.Errorf("%w: want a string, got %s", ErrType, describe(t))}
		}
		*dst = t.Text
		return nil
	})
	return dose, err
}

// object reads one JSON object, calling member for each key with the
// decoder positioned before its value; member must consume the value. A
// repeated key is a *FieldError naming it (the reader finds it, after
// unescaping: "m\u0070" repeats "mp").
func (d *decoder) object(path string, member func(key string) error) error {
	t, err := d.token()
	if err != nil {
		return err
	}
	if t.Kind != strictjson.ObjectStart {
		name := path
		if name == "" {
			name = "history"
		}
		return &FieldError{name, fmt.Errorf("%w: want an object, got %s", ErrType, describe(t))}
	}
	for d.dec.More() {
		t, err := d.dec.ReadToken()
		var se *strictjson.Error
		if errors.As(err, &se) && errors.Is(err, strictjson.ErrDuplicateName) {
			return &FieldError{fieldName(path, se.Name), ErrDuplicateKey}
		}
		if err != nil {
			return fmt.Errorf("doses: invalid JSON: %w", err)
		}
		// The reader guarantees that a key is a string.
		if err := member(t.Text); err != nil {
			return err
		}
	}
	_, err = d.token() // '}'
	return err
}

// fieldName joins path and key, quoting a key that is not a plain name so
// that untrusted input cannot forge the shape of an error message.
func fieldName(path, key string) string {
	plain := key != ""
	for _, r := range key {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_') {
			plain = false
			break
		}
	}
	switch {
	case !plain:
		return path + "[" + strconv.Quote(key) + "]"
	case path == "":
		return key
	}
	return path + "." + key
}

func describe(t strictjson.Token) string {
	switch t.Kind {
	case strictjson.ObjectStart:
		return "an object"
	case strictjson.ArrayStart:
		return "an array"
	case strictjson.Null:
		return "null"
	case strictjson.String:
		return fmt.Sprintf("the string %q", t.Text)
	case strictjson.Number:
		return "a number"
	case strictjson.True:
		return "true"
	case strictjson.False:
		return "false"
	}
	return fmt.Sprintf("%q", string(rune(t.Kind)))
}
