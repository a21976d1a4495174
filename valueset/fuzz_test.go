package valueset_test

import (
	"testing"
	"time"

	"dcc/valueset"
)

func FuzzParse(f *testing.F) {
	for _, file := range []string{"test-result.json", "test-type.json", "disease-agent-targeted.json", "vaccine-prophylaxis.json"} {
		f.Add(readData(f, file))
	}
	f.Add([]byte(doc("covid-19-lab-result", "2021-04-27", `{"a":`+goodEntry+`,"a":1}`)))
	f.Add([]byte(doc("covid-19-lab-test-manufacturer-and-name", "2021-04-27",
		`{"1":{"display":"d","lang":"en","active":false,"system":"s","version":"2021-05-11T10:00:00+02:00"}}`)))
	f.Add([]byte(`{"valueSetId":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := valueset.Parse(data)
		if err != nil {
			if set != nil {
				t.Fatal("Parse returned a set with an error")
			}
			return
		}
		if len(set.Values) == 0 || len(set.Hash) != 64 {
			t.Fatalf("accepted set is incomplete: %+v", set)
		}
		if name, id, ok := valueset.Canonical(set.ID); !ok || name != set.Name || id != set.ID {
			t.Fatalf("accepted set has Name %q ID %q", set.Name, set.ID)
		}
		// What Parse accepts, Update accepts, and the store's copy hashes the same.
		var s valueset.Store
		if _, err := s.Update(set, time.Unix(0, 0)); err != nil {
			t.Fatalf("Update rejected a parsed set: %v", err)
		}
		got, ok := s.Set(set.Name)
		if !ok || got.Hash != set.Hash {
			t.Fatal("stored set hashes differently")
		}
		for code := range set.Values {
			s.RATDevice(code, time.Unix(0, 0))
		}
	})
}

func FuzzParseEncodings(f *testing.F) {
	f.Add(readData(f, "vaccine-encoding-instructions.json"))
	f.Add([]byte(`{"valueSetId":"vaccines-covid-19-encoding-instructions","valueSetDate":"d","valueSetValues":{"X":{"vaccine-code":"X (deprecated)","vaccine-manufacturer":"M","sct-codes":["1"],"note":""}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		encs, err := valueset.ParseEncodings(data)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, e := range encs {
			if e.VaccineCode == "" || seen[e.VaccineCode] {
				t.Fatalf("accepted empty or duplicate vaccine-code %q", e.VaccineCode)
			}
			seen[e.VaccineCode] = true
		}
	})
}

func FuzzSupertype(f *testing.F) {
	f.Add("Comirnaty bivalent Original/Omicron BA.4/5")
	f.Add("Spikevax XBB.1.5")
	f.Fuzz(func(t *testing.T, name string) {
		code, ok := valueset.Supertype(name)
		if ok != (code == "EU/1/20/1528" || code == "EU/1/20/1507") {
			t.Fatalf("Supertype(%q) = %q, %v", name, code, ok)
		}
	})
}
