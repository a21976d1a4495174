package doses_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"dcc/doses"
)

const (
	comirnaty = "EU/1/20/1528"
	spikevax  = "EU/1/20/1507"
	vaxzevria = "EU/1/21/1529"
	jcovden   = "EU/1/20/1525"
)

// history builds a history with one dose a month from 2021-01-01 onwards.
func history(prior bool, products ...string) doses.History {
	h := doses.History{PriorInfection: prior}
	for i, mp := range products {
		h.Doses = append(h.Doses, doses.Dose{Date: fmt.Sprintf("2021-%02d-01", i+1), Product: mp})
	}
	return h
}

// summary renders numbered doses as "dn/sd kind" lines, e.g. "1/2 incomplete".
func summary(ns []doses.Numbered) string {
	var parts []string
	for _, n := range ns {
		s := fmt.Sprintf("%d/%d %v", n.DN, n.SD, n.Kind)
		if n.OnRequest {
			s += " on-request"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func TestNumber(t *testing.T) {
	tests := []struct {
		name  string
		prior bool
		mps   []string
		want  string
	}{
		// Annex II §5.1.
		{"§5.1 1/1 completes a single-dose primary course", false,
			[]string{jcovden}, "1/1 complete"},
		{"§5.1 1/1 completes one dose of a 2-dose vaccine to a recovered person", true,
			[]string{comirnaty}, "1/1 complete"},
		{"§5.1 2/2 completes a 2-dose primary course", false,
			[]string{spikevax, spikevax}, "1/2 incomplete, 2/2 complete"},
		// Annex II §5.2.
		{"§5.2 2/2 additional dose after a single-dose primary course", false,
			[]string{jcovden, comirnaty}, "1/1 complete, 2/2 additional"},
		{"§5.2 2/2 additional dose after a recovered person's single dose", true,
			[]string{comirnaty, comirnaty}, "1/1 complete, 2/2 additional"},
		{"§5.2 3/3 additional dose after a 2-dose primary course", false,
			[]string{vaxzevria, vaxzevria, comirnaty}, "1/2 incomplete, 2/2 complete, 3/3 additional"},
		// Issuance guide, "Vaccine Boosters" and "Encoding of Bivalent Vaccines":
		// Pfizer 1/2, 2/2, booster 3/3, second booster with Comirnaty bivalent
		// (encoded with its supertype EU/1/20/1528) 4/4.
		{"guide: Pfizer 1/2, 2/2, 3/3, bivalent 4/4", false,
			[]string{comirnaty, comirnaty, comirnaty, comirnaty},
			"1/2 incomplete, 2/2 complete, 3/3 additional, 4/4 additional"},
		// §5.1: an extended primary course (immunocompromised) is additional doses.
		{"§5.1 extended primary course is encoded as additional doses", false,
			[]string{comirnaty, comirnaty, comirnaty}, "1/2 incomplete, 2/2 complete, 3/3 additional"},
		// Mixed products: C is fixed by the first dose...
		{"mixed: heterologous 2-dose course", false,
			[]string{vaxzevria, comirnaty}, "1/2 incomplete, 2/2 complete"},
		// ...but a single-dose product completes a course under way.
		{"mixed: Comirnaty then Jcovden", false,
			[]string{comirnaty, jcovden}, "1/2 incomplete, 2/2 complete"},
		{"mixed: Comirnaty, Jcovden, booster", false,
			[]string{comirnaty, jcovden, spikevax}, "1/2 incomplete, 2/2 complete, 3/3 additional"},
		{"prior infection with a single-dose vaccine", true,
			[]string{jcovden, jcovden}, "1/1 complete, 2/2 additional"},
		{"Sputnik Light is single-dose", false,
			[]string{"Sputnik-Light", "Sputnik-Light"}, "1/1 complete, 2/2 additional"},
		{"Convidecia is single-dose", false,
			[]string{"Convidecia"}, "1/1 complete"},
		{"unknown product uses the default course", false,
			[]string{"Some-Vaccine", "Some-Vaccine"}, "1/2 incomplete, 2/2 complete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := doses.Number(history(tt.prior, tt.mps...), doses.DefaultPolicy())
			if err != nil {
				t.Fatal(err)
			}
			if s := summary(got); s != tt.want {
				t.Errorf("got  %s\nwant %s", s, tt.want)
			}
		})
	}
}

func TestNumberOrder(t *testing.T) {
	h := doses.History{Doses: []doses.Dose{
		{Date: "2021-12-01", Product: "booster"},
		{Date: "2021-03-01", Product: comirnaty},
		{Date: "2021-06-01", Product: "second-a"},
		{Date: "2021-06-01", Product: "second-b"}, // same date: input order kept
	}}
	got, err := doses.Number(h, doses.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, n := range got {
		order = append(order, n.Product)
	}
	if want := "EU/1/20/1528 second-a second-b booster"; strings.Join(order, " ") != want {
		t.Errorf("order = %v, want %s", order, want)
	}
	if s, want := summary(got), "1/2 incomplete, 2/2 complete, 3/3 additional, 4/4 additional"; s != want {
		t.Errorf("got  %s\nwant %s", s, want)
	}
	if h.Doses[0].Product != "booster" {
		t.Error("Number modified the caller's slice")
	}
}

func TestNumberPolicy(t *testing.T) {
	p := doses.DefaultPolicy()
	p.AutoAdditional = false
	got, err := doses.Number(history(false, comirnaty, comirnaty, comirnaty), p)
	if err != nil {
		t.Fatal(err)
	}
	// Recital 9: on-request certificates still show the real number of doses.
	if s, want := summary(got), "1/2 incomplete, 2/2 complete, 3/3 additional on-request"; s != want {
		t.Errorf("got  %s\nwant %s", s, want)
	}

	p = doses.Policy{CourseLength: map[string]int{"Three": 3}, DefaultCourse: 1, AutoAdditional: true}
	got, err = doses.Number(history(false, "Three", "Three", "Three", "Other"), p)
	if err != nil {
		t.Fatal(err)
	}
	if s, want := summary(got), "1/3 incomplete, 2/3 incomplete, 3/3 complete, 4/4 additional"; s != want {
		t.Errorf("got  %s\nwant %s", s, want)
	}
}

func TestDefaultPolicy(t *testing.T) {
	p := doses.DefaultPolicy()
	for mp, want := range map[string]int{
		jcovden: 1, "Sputnik-Light": 1, "Convidecia": 1,
		comirnaty: 2, spikevax: 2, vaxzevria: 2, "Sputnik-V": 2, "EU/1/21/1618": 2, "unknown": 2,
	} {
		if got := p.Course(mp); got != want {
			t.Errorf("Course(%q) = %d, want %d", mp, got, want)
		}
	}
	if !p.AutoAdditional {
		t.Error("AutoAdditional = false, want true")
	}
	p.CourseLength[comirnaty] = 5
	if doses.DefaultPolicy().Course(comirnaty) != 2 {
		t.Error("DefaultPolicy shares its map between calls")
	}
}

func TestNumberErrors(t *testing.T) {
	good := history(false, comirnaty)
	tests := []struct {
		name    string
		h       doses.History
		p       doses.Policy
		target  error
		message string
	}{
		{"no doses", doses.History{}, doses.DefaultPolicy(), doses.ErrNoDoses, "no doses"},
		{"bad date", doses.History{Doses: []doses.Dose{{Date: "2021-03-01", Product: comirnaty}, {Date: "2021-13-01", Product: comirnaty}}},
			doses.DefaultPolicy(), doses.ErrDate, `doses[1].date: "2021-13-01" is not a date (YYYY-MM-DD)`},
		{"short date", doses.History{Doses: []doses.Dose{{Date: "2021-3-01", Product: comirnaty}}},
			doses.DefaultPolicy(), doses.ErrDate, `doses[0].date: "2021-3-01" is not a date`},
		{"date with time", doses.History{Doses: []doses.Dose{{Date: "2021-03-01T10:00:00Z", Product: comirnaty}}},
			doses.DefaultPolicy(), doses.ErrDate, `doses[0].date`},
		{"empty product", doses.History{Doses: []doses.Dose{{Date: "2021-03-01", Product: " "}}},
			doses.DefaultPolicy(), doses.ErrEmptyProduct, `doses[0].mp: empty product`},
		{"zero default course", good, doses.Policy{}, doses.ErrCourseLength, "DefaultCourse: 0"},
		{"zero product course", good, doses.Policy{DefaultCourse: 2, CourseLength: map[string]int{jcovden: 0}},
			doses.ErrCourseLength, "CourseLength[EU/1/20/1525]: 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := doses.Number(tt.h, tt.p)
			if !errors.Is(err, tt.target) {
				t.Fatalf("err = %v, want %v", err, tt.target)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("err = %q, want it to contain %q", err, tt.message)
			}
		})
	}
}

// TestNumberClassify checks that under DefaultPolicy, Classify reads every
// dn/sd that Number produces back as the kind Number assigned (or, for the
// ambiguous 2/2, as a reading that admits it).
func TestNumberClassify(t *testing.T) {
	products := []string{comirnaty, jcovden, vaxzevria, "Sputnik-Light"}
	for mask := 0; mask < 1<<10; mask++ {
		prior := mask&1 == 1
		var mps []string
		for i, m := 0, mask>>1; i < 4; i, m = i+1, m>>2 {
			mps = append(mps, products[m&3])
		}
		ns, err := doses.Number(history(prior, mps...), doses.DefaultPolicy())
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range ns {
			if n.DN != i+1 || n.DN > n.SD {
				t.Fatalf("%v %v: dose %d numbered %d/%d", prior, mps, i, n.DN, n.SD)
			}
			st, err := doses.Classify(n.DN, n.SD)
			if err != nil {
				t.Fatal(err)
			}
			ok := st.Kind == n.Kind || st.Ambiguous && n.Kind == doses.Additional
			if !ok || st.Legacy {
				t.Errorf("%v %v: %d/%d is %v but Classify says %+v", prior, mps, n.DN, n.SD, n.Kind, st)
			}
		}
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[doses.Kind]string{
		doses.Incomplete: "incomplete", doses.Complete: "complete", doses.Additional: "additional", 0: "Kind(0)",
	} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

func BenchmarkNumber(b *testing.B) {
	h := history(false, comirnaty, comirnaty, spikevax, comirnaty)
	p := doses.DefaultPolicy()
	for b.Loop() {
		if _, err := doses.Number(h, p); err != nil {
			b.Fatal(err)
		}
	}
}
