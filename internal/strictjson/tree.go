package strictjson

import "encoding/json"

// Parse reads data as one JSON value into the generic tree:
// map[string]any, []any, string, bool, nil and json.Number (the literal as
// written). Every array has storage of its own, even when empty, so that
// two arrays can be told apart by identity (CertLogic's === needs it).
// Errors are *Error, or wrap ErrTooLarge.
func Parse(data []byte, o Options) (any, error) {
	d, err := newDecoder(data, o, true)
	if err != nil {
		return nil, err
	}
	tok, err := d.ReadToken()
	if err != nil {
		return nil, err
	}
	v, err := d.value(tok)
	if err != nil {
		return nil, err
	}
	if err := d.End(); err != nil {
		return nil, err
	}
	return v, nil
}

// value builds the value that starts with tok. Recursion is bounded by
// MaxDepth, which ReadToken enforces.
func (d *Decoder) value(tok Token) (any, error) {
	switch tok.Kind {
	case String:
		return tok.Text, nil
	case Number:
		return json.Number(tok.Text), nil
	case True:
		return true, nil
	case False:
		return false, nil
	case ObjectStart:
		m := map[string]any{}
		for {
			name, err := d.ReadToken()
			if err != nil {
				return nil, err
			}
			if name.Kind == ObjectEnd {
				return m, nil
			}
			// jsontext guarantees that a name is a String.
			if _, dup := m[name.Text]; dup {
				return nil, d.duplicate(name.Text)
			}
			tok, err := d.ReadToken()
			if err != nil {
				return nil, err
			}
			v, err := d.value(tok)
			if err != nil {
				return nil, err
			}
			m[name.Text] = v
		}
	case ArrayStart:
		var a []any
		for {
			tok, err := d.ReadToken()
			if err != nil {
				return nil, err
			}
			if tok.Kind == ArrayEnd {
				if a == nil {
					a = make([]any, 0, 1)
				}
				return a, nil
			}
			v, err := d.value(tok)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
	}
	return nil, nil // Null; jsontext returns no other kind here
}
