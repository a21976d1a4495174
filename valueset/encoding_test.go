package valueset_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"dcc/valueset"
)

func TestEncoding(t *testing.T) {
	s, err := valueset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		product                  string
		name, code, manufacturer string
		sct                      []string
		deprecated               bool
	}{
		{"EU/1/20/1528", "Comirnaty", "EU/1/20/1528", "ORG-100030215", []string{"1119349007", "28531000087107"}, false},
		{"Comirnaty", "Comirnaty", "EU/1/20/1528", "ORG-100030215", []string{"1119349007", "28531000087107"}, false},
		{"comirnaty", "Comirnaty", "EU/1/20/1528", "ORG-100030215", []string{"1119349007", "28531000087107"}, false},
		{"EU/1/20/1507", "Spikevax", "EU/1/20/1507", "ORG-100031184", []string{"1119349007", "28531000087107"}, false},
		{"EU/1/22/1709", "Bimervax", "EU/1/22/1709", "ORG-100036914", []string{"28531000087107"}, false},
		{"Sputnik-V", "Sputnik V", "Sputnik-V", "Gamaleya-Research-Institute", []string{"28531000087107", "29061000087103"}, false},
		{"NVX-CoV2373", "NVX-CoV2373", "NVX-CoV2373", "ORG-100032020", []string{"28531000087107", "1162643001"}, true},
	}
	for _, tt := range tests {
		e, ok := s.Encoding(tt.product)
		if !ok || e.Name != tt.name || e.VaccineCode != tt.code || e.Manufacturer != tt.manufacturer ||
			!slices.Equal(e.SCTCodes, tt.sct) || e.Deprecated != tt.deprecated {
			t.Errorf("Encoding(%q) = %+v, %v; want %s %s %s %q deprecated=%v",
				tt.product, e, ok, tt.name, tt.code, tt.manufacturer, tt.sct, tt.deprecated)
		}
	}
	for _, product := range []string{"", "EU/1/20/152", "Comirnaty bivalent Original/Omicron BA.1", "NVX-CoV2373 (deprecated)x"} {
		if e, ok := s.Encoding(product); ok {
			t.Errorf("Encoding(%q) = %+v, want not found", product, e)
		}
	}
	// The result is a copy.
	e, _ := s.Encoding("Comirnaty")
	e.SCTCodes[0] = "changed"
	if e, _ := s.Encoding("Comirnaty"); e.SCTCodes[0] != "1119349007" {
		t.Error("modifying an Encoding changed the store")
	}
}

// TestEncodingsConsistent cross-checks Annex A against the value sets it
// refers to.
func TestEncodingsConsistent(t *testing.T) {
	s, err := valueset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	encs := s.Encodings()
	if len(encs) != 39 {
		t.Errorf("%d encodings, want 39", len(encs))
	}
	if encs[0].Name != "Comirnaty" || encs[len(encs)-1].Name != "Bimervax" {
		t.Errorf("encodings not in file order: first %q, last %q", encs[0].Name, encs[len(encs)-1].Name)
	}
	for _, e := range encs {
		mp, ok := s.Lookup(valueset.VaccineProduct, e.VaccineCode)
		if !ok {
			t.Errorf("%s: vaccine-code %q not in vaccine-medicinal-product", e.Name, e.VaccineCode)
		} else if e.Deprecated && mp.Active {
			t.Errorf("%s: deprecated encoding for an active product", e.Name)
		}
		if _, ok := s.Lookup(valueset.VaccineMAH, e.Manufacturer); !ok {
			t.Errorf("%s: manufacturer %q not in vaccine-mah-manf", e.Name, e.Manufacturer)
		}
		for _, sct := range e.SCTCodes {
			if v, ok := s.Lookup(valueset.VaccineProphylaxis, sct); !ok || !v.Active {
				t.Errorf("%s: sct code %q not an active vaccine-prophylaxis", e.Name, sct)
			}
		}
	}
}

func TestParseEncodingsErrors(t *testing.T) {
	wrap := func(values string) string {
		return `{"valueSetId":"vaccines-covid-19-encoding-instructions","valueSetDate":"2023-05-05","valueSetValues":` + values + `}`
	}
	if _, err := valueset.ParseEncodings([]byte(wrap(`{"X":{"vaccine-code":"X","vaccine-manufacturer":"M","sct-codes":[]}}`))); err != nil {
		t.Fatalf("base document rejected: %v", err)
	}
	tests := []struct{ name, in, wantErr string }{
		{"empty", "", "end of document"},
		{"wrong id", `{"valueSetId":"country-2-codes","valueSetDate":"2023-05-05","valueSetValues":{"X":{"vaccine-code":"X","vaccine-manufacturer":"M","sct-codes":[]}}}`, `"country-2-codes"`},
		{"missing date", `{"valueSetId":"vaccines-covid-19-encoding-instructions","valueSetValues":{}}`, "valueSetDate"},
		{"no rows", wrap(`{}`), "empty"},
		{"missing vaccine-code", wrap(`{"X":{"vaccine-manufacturer":"M","sct-codes":[]}}`), "missing field vaccine-code"},
		{"missing manufacturer", wrap(`{"X":{"vaccine-code":"X","sct-codes":[]}}`), "missing field vaccine-manufacturer"},
		{"missing sct-codes", wrap(`{"X":{"vaccine-code":"X","vaccine-manufacturer":"M"}}`), "missing field sct-codes"},
		{"sct-codes not array", wrap(`{"X":{"vaccine-code":"X","vaccine-manufacturer":"M","sct-codes":"1"}}`), "want an array of strings"},
		{"sct-code number", wrap(`{"X":{"vaccine-code":"X","vaccine-manufacturer":"M","sct-codes":[1]}}`), "want a string, got a number"},
		{"note not string", wrap(`{"X":{"vaccine-code":"X","vaccine-manufacturer":"M","sct-codes":[],"note":true}}`), "note: want a string"},
		{"unknown field", wrap(`{"X":{"vaccine-code":"X","vaccine-manufacturer":"M","sct-codes":[],"y":""}}`), `unknown field "y"`},
		{"empty code", wrap(`{"X":{"vaccine-code":" (deprecated)","vaccine-manufacturer":"M","sct-codes":[]}}`), "empty vaccine-code"},
		{"duplicate code", wrap(`{"X":{"vaccine-code":"X","vaccine-manufacturer":"M","sct-codes":[]},"Y":{"vaccine-code":"X (deprecated)","vaccine-manufacturer":"M","sct-codes":[]}}`), "both use"},
		{"duplicate name", wrap(`{"X":{"vaccine-code":"X","vaccine-manufacturer":"M","sct-codes":[]},"X":{"vaccine-code":"Y","vaccine-manufacturer":"M","sct-codes":[]}}`), "duplicate key"},
		{"value set instead", string(readData(t, "test-type.json")), "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encs, err := valueset.ParseEncodings([]byte(tt.in))
			if err == nil {
				t.Fatalf("ParseEncodings succeeded: %+v", encs)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
		})
	}
	_, err := valueset.ParseEncodings([]byte(`{"valueSetId":"x","valueSetDate":"d","valueSetValues":{"X":{"vaccine-code":"X","vaccine-manufacturer":"M","sct-codes":[]}}}`))
	if !errors.Is(err, valueset.ErrUnknownSet) {
		t.Errorf("wrong valueSetId: err = %v, want ErrUnknownSet", err)
	}
}

func TestSupertype(t *testing.T) {
	tests := []struct {
		name, code string
		ok         bool
	}{
		// The issuance guide's table, "Encoding of Bivalent Vaccines".
		{"Comirnaty bivalent Original/Omicron BA.1", "EU/1/20/1528", true},
		{"Comirnaty bivalent Original/Omicron BA.4/5", "EU/1/20/1528", true},
		{"Spikevax bivalent Original/Omicron BA.1", "EU/1/20/1507", true},
		// Case and spaces do not matter.
		{"COMIRNATY  BIVALENT original / omicron ba.4/5", "EU/1/20/1528", true},
		{" spikevax\tbivalent Original/Omicron BA.1 ", "EU/1/20/1507", true},
		// Annex A notes: other adapted Comirnaty / Spikevax vaccines.
		{"Comirnaty Original/Omicron BA.4-5", "EU/1/20/1528", true},
		{"Comirnaty Omicron XBB.1.5", "EU/1/20/1528", true},
		{"Comirnaty XBB.1.5", "EU/1/20/1528", true},
		{"Comirnaty JN.1", "EU/1/20/1528", true},
		{"Comirnaty KP.2", "EU/1/20/1528", true},
		{"Spikevax bivalent Original/Omicron BA.4-5", "EU/1/20/1507", true},
		{"Spikevax XBB.1.5", "EU/1/20/1507", true},
		{"Spikevax JN.1", "EU/1/20/1507", true},
		{"Spikevax (XBB.1.5)", "EU/1/20/1507", true},
		{"Comirnaty", "EU/1/20/1528", true},
		{"Spikevax", "EU/1/20/1507", true},
		// Not adapted Comirnaty / Spikevax.
		{"", "", false},
		{"Vaxzevria", "", false},
		{"Nuvaxovid XBB.1.5", "", false},
		{"Bimervax XBB.1.16", "", false},
		{"Comirnatyx", "", false},
		{"Comirnaty Foo", "", false},
		{"Comirnaty 2", "", false},
		{"Comirnaty X.", "", false},
		{"bivalent Comirnaty", "", false},
		{"EU/1/20/1528", "", false},
	}
	for _, tt := range tests {
		code, ok := valueset.Supertype(tt.name)
		if code != tt.code || ok != tt.ok {
			t.Errorf("Supertype(%q) = %q, %v; want %q, %v", tt.name, code, ok, tt.code, tt.ok)
		}
	}
}
