package doses_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"dcc/doses"
)

func TestDecodeHistory(t *testing.T) {
	in := `{"priorInfection": true, "doses": [
		{"date": "2021-03-01", "mp": "EU/1/20/1528"},
		{"mp": "EU/1/20/1507", "date": "2021-11-30"}
	]}`
	got, err := doses.DecodeHistory([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := doses.History{PriorInfection: true, Doses: []doses.Dose{
		{Date: "2021-03-01", Product: comirnaty},
		{Date: "2021-11-30", Product: spikevax},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}

	// priorInfection may be omitted; the JSON form round-trips.
	got, err = doses.DecodeHistory([]byte(`{"doses":[{"date":"2021-03-01","mp":"EU/1/20/1525"}]}`))
	if err != nil || got.PriorInfection || len(got.Doses) != 1 {
		t.Fatalf("got %+v, %v", got, err)
	}
	data, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	again, err := doses.DecodeHistory(data)
	if err != nil || !reflect.DeepEqual(again, got) {
		t.Errorf("round trip of %s: got %+v, %v", data, again, err)
	}
}

func TestDecodeHistoryErrors(t *testing.T) {
	tests := []struct {
		in      string
		target  error // nil: only the message is checked
		message string
	}{
		{`{"doses":[{"date":"2021-03-01","mp":"EU/1/20/1528"},{"date":"2021-13-01","mp":"EU/1/20/1528"}]}`,
			doses.ErrDate, `doses[1].date: "2021-13-01" is not a date (YYYY-MM-DD)`},
		{`{"doses":[{"date":"2021-02-30","mp":"x"}]}`, doses.ErrDate, `doses[0].date: "2021-02-30"`},
		{`{"doses":[{"mp":"x"}]}`, doses.ErrDate, `doses[0].date: "" is not a date`},
		{`{"doses":[{"date":"2021-03-01","mp":""}]}`, doses.ErrEmptyProduct, `doses[0].mp: empty product`},
		{`{"doses":[{"date":"2021-03-01"}]}`, doses.ErrEmptyProduct, `doses[0].mp`},
		{`{"doses":[]}`, doses.ErrNoDoses, "no doses"},
		{`{"priorInfection":false}`, doses.ErrNoDoses, "no doses"},
		{`{"doses":[{"date":"2021-03-01","mp":"x","lot":"A1"}]}`, doses.ErrUnknownField, `doses[0].lot: unknown field`},
		{`{"doses":[{"Date":"2021-03-01","mp":"x"}]}`, doses.ErrUnknownField, `doses[0].Date: unknown field`},
		{`{"prior":true,"doses":[]}`, doses.ErrUnknownField, `prior: unknown field (want "priorInfection" or "doses")`},
		{`{"a\nb":1}`, doses.ErrUnknownField, `["a\nb"]: unknown field`},
		{`{"doses":[{"date":"2021-03-01","mp":"x","date":"2021-03-02"}]}`, doses.ErrDuplicateKey, `doses[0].date: duplicate key`},
		{`{"doses":[{"date":"2021-03-01","mp":"x","m\u0070":"y"}]}`, doses.ErrDuplicateKey, `doses[0].mp: duplicate key`},
		{`{"priorInfection":true,"priorInfection":false,"doses":[]}`, doses.ErrDuplicateKey, `priorInfection: duplicate key`},
		{`{"priorInfection":"yes","doses":[]}`, doses.ErrType, `priorInfection: wrong JSON type: want true or false, got the string "yes"`},
		{`{"priorInfection":null}`, doses.ErrType, `priorInfection`},
		{`{"doses":null}`, doses.ErrType, `doses: wrong JSON type: want an array of doses, got null`},
		{`{"doses":[1]}`, doses.ErrType, `doses[0]: wrong JSON type: want an object, got a number`},
		{`{"doses":[{"date":20210301,"mp":"x"}]}`, doses.ErrType, `doses[0].date: wrong JSON type: want a string`},
		{`[]`, doses.ErrType, `history: wrong JSON type: want an object, got an array`},
		{``, nil, `invalid JSON`},
		{`{"doses":[`, nil, `invalid JSON`},
		{`{"doses" []}`, nil, `invalid JSON`},
		{`{"doses":[{"date":"2021-03-01","mp":"x"}]} {}`, nil, `trailing data`},
		{`{"doses":[{"date":"2021-03-01","mp":"x"}]}x`, nil, `trailing data`},
		// Positions, and what encoding/json let through as U+FFFD.
		{`{"doses" []}`, nil, `invalid JSON: line 1, column 10: invalid character '['`},
		{"{\"doses\":[{\"date\":\"2021-03-01\",\"mp\":\"x\"}]}\n {}", nil, `invalid JSON: line 2, column 2: trailing data`},
		{"{\"doses\":[{\"date\":\"2021-03-01\",\"mp\":\"EU\xff\"}]}", nil, `invalid JSON: line 1, column 37: invalid UTF-8 in a string`},
		{`{"doses":[{"date":"2021-03-01","mp":"\ud800"}]}`, nil, `invalid JSON: line 1, column 39: unpaired surrogate`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			h, err := doses.DecodeHistory([]byte(tt.in))
			if err == nil {
				t.Fatalf("no error; got %+v", h)
			}
			if tt.target != nil && !errors.Is(err, tt.target) {
				t.Errorf("err = %v, want %v", err, tt.target)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("err = %q, want it to contain %q", err, tt.message)
			}
			var fe *doses.FieldError
			if tt.target != nil && tt.target != doses.ErrNoDoses && !errors.As(err, &fe) {
				t.Errorf("err = %v is not a *FieldError", err)
			}
		})
	}
}

func FuzzDecodeHistory(f *testing.F) {
	for _, s := range []string{
		`{"priorInfection": false, "doses": [{"date": "2021-03-01", "mp": "EU/1/20/1528"}]}`,
		`{"priorInfection": true, "doses": [{"date": "2021-03-01", "mp": "EU/1/20/1528"}, {"date": "2021-01-01", "mp": "EU/1/20/1525"}]}`,
		`{"doses":[{"date":"2021-13-01","mp":"x"}]}`,
		`{"doses":[{"date":"2021-03-01","mp":"x","date":"2021-03-02"}]}`,
		`{"doses":null}`, `[]`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := doses.DecodeHistory(data)
		if err != nil {
			if h.Doses != nil || h.PriorInfection {
				t.Fatalf("error %v with a non-zero history %+v", err, h)
			}
			return
		}
		ns, err := doses.Number(h, doses.DefaultPolicy())
		if err != nil {
			t.Fatalf("decoded history %+v does not number: %v", h, err)
		}
		if len(ns) != len(h.Doses) {
			t.Fatalf("%d doses numbered, want %d", len(ns), len(h.Doses))
		}
		for i, n := range ns {
			if n.DN != i+1 || n.SD < n.DN || (n.Kind != doses.Incomplete) != (n.DN == n.SD) {
				t.Fatalf("dose %d: %d/%d %v", i, n.DN, n.SD, n.Kind)
			}
			if i > 0 && ns[i-1].Date > n.Date {
				t.Fatalf("doses out of order: %s before %s", ns[i-1].Date, n.Date)
			}
		}
		data2, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		h2, err := doses.DecodeHistory(data2)
		if err != nil || !reflect.DeepEqual(h, h2) {
			t.Fatalf("round trip %s: %+v, %v; want %+v", data2, h2, err, h)
		}
	})
}

// BenchmarkDecodeHistory reads a four-dose history, as issuance does for
// each vaccination request.
func BenchmarkDecodeHistory(b *testing.B) {
	data := []byte(`{"priorInfection": false, "doses": [
  {"date": "2021-03-01", "mp": "EU/1/20/1528"},
  {"date": "2021-03-22", "mp": "EU/1/20/1528"},
  {"date": "2021-11-15", "mp": "EU/1/20/1507"},
  {"date": "2022-09-30", "mp": "EU/1/20/1528"}
]}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := doses.DecodeHistory(data); err != nil {
			b.Fatal(err)
		}
	}
}
