package valueset

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"dcc/internal/strictjson"
)

// Canonical names of the eight value sets.
const (
	CountryCodes         = "country-2-codes"
	DiseaseAgentTargeted = "disease-agent-targeted"
	TestManf             = "test-manf"
	TestResult           = "test-result"
	TestType             = "test-type"
	VaccineMAH           = "vaccine-mah-manf"
	VaccineProduct       = "vaccine-medicinal-product"
	VaccineProphylaxis   = "vaccine-prophylaxis"
)

// MaxSize is the largest value-set document Parse and ParseEncodings
// accept. The biggest official set is under 40 KiB; the limit only stops a
// hostile or broken source from exhausting memory.
const MaxSize = 4 << 20

var (
	// ErrUnknownSet is returned for a name or valueSetId that is not one of
	// the eight value sets.
	ErrUnknownSet = errors.New("valueset: unknown value set")
	// ErrOutOfOrder is returned by Store.Update for a version older than
	// the one already installed.
	ErrOutOfOrder = errors.New("valueset: version older than the current one")
)

// descriptor ties a canonical name to its gateway valueSetId and to the
// file name the eHealth Network repository uses for it.
type descriptor struct {
	name, id, file string
}

// descriptors is a function, not a variable, so that nothing in the
// package is mutable; the order is the one Names reports.
func descriptors() [8]descriptor {
	return [8]descriptor{
		{CountryCodes, "country-2-codes", "country-2-codes.json"},
		{DiseaseAgentTargeted, "disease-agent-targeted", "disease-agent-targeted.json"},
		{TestManf, "covid-19-lab-test-manufacturer-and-name", "test-manf-example.json"},
		{TestResult, "covid-19-lab-result", "test-result.json"},
		{TestType, "covid-19-lab-test-type", "test-type.json"},
		{VaccineMAH, "vaccines-covid-19-auth-holders", "vaccine-mah-manf.json"},
		{VaccineProduct, "vaccines-covid-19-names", "vaccine-medicinal-product.json"},
		{VaccineProphylaxis, "sct-vaccines-covid-19", "vaccine-prophylaxis.json"},
	}
}

func lookupDescriptor(nameOrID string) (descriptor, bool) {
	for _, d := range descriptors() {
		if nameOrID == d.name || nameOrID == d.id {
			return d, true
		}
	}
	return descriptor{}, false
}

// Names returns the canonical names of the eight value sets, in a stable
// (alphabetical) order.
func Names() []string {
	ds := descriptors()
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = d.name
	}
	return names
}

// Canonical returns the canonical name and the gateway valueSetId of the
// set named by nameOrID (either form).
func Canonical(nameOrID string) (name, id string, ok bool) {
	d, ok := lookupDescriptor(nameOrID)
	return d.name, d.id, ok
}

// Value is one entry of a value set.
type Value struct {
	Code    string // the key of the entry, the value that appears in a DCC
	Display string
	Lang    string
	System  string
	Version string
	// Active is false for deprecated entries: issuers must not use them,
	// verifiers may still meet them in older certificates.
	Active bool
}

// Set is one version of a value set.
type Set struct {
	Name string // canonical name
	ID   string // valueSetId
	Date string // valueSetDate, YYYY-MM-DD
	// Hash is the hex SHA-256 of a canonical re-encoding of the set (object
	// keys sorted bytewise, no insignificant whitespace, no HTML escaping),
	// so that a change of formatting or key order does not change it.
	Hash   string
	Values map[string]Value
}

// Parse reads one value set in the EU gateway / repository JSON format
//
//	{"valueSetId": ..., "valueSetDate": "YYYY-MM-DD",
//	 "valueSetValues": {CODE: {"display", "lang", "active", "system", "version"}}}
//
// strictly: the document must be valid UTF-8 and at most MaxSize bytes, the
// valueSetId must name one of the eight sets (ErrUnknownSet otherwise),
// every field must be present with its JSON type, and unknown or duplicate
// keys and empty sets are rejected (an empty test-manf from a broken source
// would otherwise put every device into its grace period).
func Parse(data []byte) (*Set, error) {
	if err := checkDocument(data); err != nil {
		return nil, err
	}
	p, err := newParser(data)
	if err != nil {
		return nil, err
	}
	set := &Set{Values: map[string]Value{}}
	var haveID, haveDate, haveValues bool
	err = p.object("document", func(key string) error {
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

// finish checks what Parse and Store.Update both require of a set, fills in
// the canonical name and recomputes the hash.
func finish(set *Set) error {
	d, ok := lookupDescriptor(set.ID)
	if !ok && set.ID == "" {
		d, ok = lookupDescriptor(set.Name)
	}
	if !ok {
		id := set.ID
		if id == "" {
			id = set.Name
		}
		return checkID(id)
	}
	if set.Name != "" && set.Name != d.name && set.Name != d.id {
		return fmt.Errorf("valueset: Name %q does not match valueSetId %q", set.Name, d.id)
	}
	set.Name, set.ID = d.name, d.id
	if _, err := time.Parse(time.DateOnly, set.Date); err != nil {
		return fmt.Errorf("valueset: %s: valueSetDate %q is not a YYYY-MM-DD date", d.name, set.Date)
	}
	if len(set.Values) == 0 {
		return fmt.Errorf("valueset: %s: valueSetValues is empty", d.name)
	}
	for code, v := range set.Values {
		if code == "" {
			return fmt.Errorf("valueset: %s: empty code", d.name)
		}
		if v.Code != "" && v.Code != code {
			return fmt.Errorf("valueset: %s: entry %q has Code %q", d.name, code, v.Code)
		}
	}
	set.Hash = hashSet(set)
	return nil
}

func checkID(id string) error {
	if _, ok := lookupDescriptor(id); ok {
		return nil
	}
	hint := ""
	if id == EncodingsID {
		hint = " (use ParseEncodings for the encoding instructions)"
	}
	return fmt.Errorf("%w: valueSetId %q%s", ErrUnknownSet, id, hint)
}

func checkDocument(data []byte) error {
	if len(data) > MaxSize {
		return fmt.Errorf("valueset: document is %d bytes, more than the limit of %d", len(data), MaxSize)
	}
	if off := strictjson.InvalidUTF8(data); off >= 0 {
		line, col := strictjson.Position(data, off)
		return fmt.Errorf("valueset: document is not valid UTF-8 (first bad byte at line %d, column %d)", line, col)
	}
	return nil
}

// hashSet hashes the canonical re-encoding of set. It works from the parsed
// content rather than the input bytes: Parse rejects anything it does not
// keep, so the two are equivalent, and sets built in code hash the same way.
func hashSet(set *Set) string {
	type entry struct {
		Active  bool   `json:"active"`
		Display string `json:"display"`
		Lang    string `json:"lang"`
		System  string `json:"system"`
		Version string `json:"version"`
	}
	codes := make([]string, 0, len(set.Values))
	for c := range set.Values {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	str := func(s string) {
		_ = enc.Encode(s) // cannot fail for a string
		buf.Truncate(buf.Len() - 1)
	}
	buf.WriteString(`{"valueSetDate":`)
	str(set.Date)
	buf.WriteString(`,"valueSetId":`)
	str(set.ID)
	buf.WriteString(`,"valueSetValues":{`)
	for i, c := range codes {
		if i > 0 {
			buf.WriteByte(',')
		}
		str(c)
		buf.WriteByte(':')
		v := set.Values[c]
		_ = enc.Encode(entry{v.Active, v.Display, v.Lang, v.System, v.Version})
		buf.Truncate(buf.Len() - 1)
	}
	buf.WriteString("}}")
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:])
}
