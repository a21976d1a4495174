package valueset

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// EncodingsID is the valueSetId of vaccine-encoding-instructions.json.
const EncodingsID = "vaccines-covid-19-encoding-instructions"

// deprecatedSuffix marks withdrawn product codes in the encoding
// instructions ("NVX-CoV2373 (deprecated)"), while the product value set
// keeps the bare code and says active=false.
const deprecatedSuffix = " (deprecated)"

// Encoding is one row of Annex A of the value-set guidelines
// (vaccine-encoding-instructions.json): how a vaccine is to be encoded in
// v/mp, v/ma and v/vp.
type Encoding struct {
	Name string // the product's name, the key in the file
	// VaccineCode is the v/mp code. The file writes withdrawn codes as
	// "NVX-CoV2373 (deprecated)"; the suffix is removed here so that the
	// code matches vaccine-medicinal-product, and Deprecated is set.
	VaccineCode  string
	Manufacturer string   // v/ma, a vaccine-mah-manf code
	SCTCodes     []string // the acceptable v/vp codes
	Note         string
	Deprecated   bool
}

// ParseEncodings reads vaccine-encoding-instructions.json, with the same
// strictness as Parse (only "note" is optional), and returns its rows in
// file order.
func ParseEncodings(data []byte) ([]Encoding, error) {
	if err := checkDocument(data); err != nil {
		return nil, err
	}
	p, err := newParser(data)
	if err != nil {
		return nil, err
	}
	var (
		encs                     []Encoding
		id                       string
		haveID, haveDate, haveVs bool
	)
	codes := map[string]string{}
	err = p.object("document", func(key string) error {
		var err error
		switch key {
		case "valueSetId":
			id, err = p.str(key)
			haveID = true
		case "valueSetDate":
			_, err = p.str(key)
			haveDate = true
		case "valueSetValues":
			haveVs = true
			err = p.object(key, func(name string) error {
				e, err := p.encoding(name)
				if err != nil {
					return err
				}
				if other, dup := codes[e.VaccineCode]; dup {
					return fmt.Errorf("valueset: encodings %q and %q both use vaccine-code %q", other, name, e.VaccineCode)
				}
				codes[e.VaccineCode] = name
				encs = append(encs, e)
				return nil
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
	case !haveID || !haveDate || !haveVs:
		return nil, errors.New("valueset: encoding instructions need valueSetId, valueSetDate and valueSetValues")
	case id != EncodingsID:
		return nil, fmt.Errorf("%w: valueSetId %q, want %q", ErrUnknownSet, id, EncodingsID)
	case len(encs) == 0:
		return nil, errors.New("valueset: encoding instructions: valueSetValues is empty")
	}
	return encs, nil
}

func (p *parser) encoding(name string) (Encoding, error) {
	e := Encoding{Name: name}
	field := fmt.Sprintf("valueSetValues[%q]", name)
	var haveCode, haveManf, haveSCT bool
	err := p.object(field, func(key string) error {
		var err error
		f := field + "." + key
		switch key {
		case "vaccine-code":
			e.VaccineCode, err = p.str(f)
			haveCode = true
		case "vaccine-manufacturer":
			e.Manufacturer, err = p.str(f)
			haveManf = true
		case "sct-codes":
			e.SCTCodes, err = p.strings(f)
			haveSCT = true
		case "note":
			e.Note, err = p.str(f)
		default:
			err = fmt.Errorf("valueset: %s: unknown field %q (want vaccine-code, vaccine-manufacturer, sct-codes, note)", field, key)
		}
		return err
	})
	if err != nil {
		return e, err
	}
	switch {
	case !haveCode:
		return e, fmt.Errorf("valueset: %s: missing field vaccine-code", field)
	case !haveManf:
		return e, fmt.Errorf("valueset: %s: missing field vaccine-manufacturer", field)
	case !haveSCT:
		return e, fmt.Errorf("valueset: %s: missing field sct-codes", field)
	}
	if code, ok := strings.CutSuffix(e.VaccineCode, deprecatedSuffix); ok {
		e.VaccineCode, e.Deprecated = code, true
	}
	if e.VaccineCode == "" {
		return e, fmt.Errorf("valueset: %s: empty vaccine-code", field)
	}
	return e, nil
}

func cloneEncoding(e Encoding) Encoding {
	e.SCTCodes = append([]string(nil), e.SCTCodes...)
	return e
}

// Supertype returns the v/mp code of the product an adapted (bivalent,
// variant-updated) vaccine extends. Adapted vaccines are authorised as
// extensions of the original marketing authorisation, and the issuance
// guide ("Encoding of Bivalent Vaccines") and the notes of Annex A say they
// are encoded with the code of their supertype:
//
//	Comirnaty bivalent Original/Omicron BA.1    EU/1/20/1528
//	Comirnaty bivalent Original/Omicron BA.4/5  EU/1/20/1528
//	Spikevax bivalent Original/Omicron BA.1     EU/1/20/1507
//
// Following the notes ("the same code should be used also for adapted
// Comirnaty [Spikevax] vaccines"), any Comirnaty or Spikevax name followed
// by an adaptation descriptor — "bivalent", "original", "omicron",
// "adapted", or a variant lineage such as "XBB.1.5", "JN.1", "KP.2" — maps
// the same way, as does the bare brand. Matching ignores case and spaces.
// Other names, including other brands, give ok=false.
func Supertype(productName string) (code string, ok bool) {
	n := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, productName)
	for _, b := range [...]struct{ brand, code string }{
		{"comirnaty", "EU/1/20/1528"},
		{"spikevax", "EU/1/20/1507"},
	} {
		rest, found := strings.CutPrefix(n, b.brand)
		if !found {
			continue
		}
		rest = strings.TrimLeft(rest, "-(,:")
		if n == b.brand || adaptation(rest) {
			return b.code, true
		}
	}
	return "", false
}

// adaptation reports whether s (lower case, no spaces) starts with a word
// describing an adapted vaccine or with a Pango lineage ("xbb.1.5").
func adaptation(s string) bool {
	for _, w := range [...]string{"bivalent", "original", "omicron", "adapted"} {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	letters := 0
	for letters < len(s) && s[letters] >= 'a' && s[letters] <= 'z' {
		letters++
	}
	return letters >= 1 && letters <= 3 && len(s) > letters+1 &&
		s[letters] == '.' && s[letters+1] >= '0' && s[letters+1] <= '9'
}
