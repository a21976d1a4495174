package doses

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Dose is one administered vaccine dose.
type Dose struct {
	Date    string `json:"date"` // YYYY-MM-DD
	Product string `json:"mp"`   // vaccine-medicinal-product code, e.g. "EU/1/20/1528"
}

// History is what Number needs to know about a person's vaccinations.
type History struct {
	// PriorInfection says the person was infected before the first dose and
	// was vaccinated under a national protocol that gives such persons a
	// single-dose primary course (C = 1, Annex II §5.1).
	PriorInfection bool   `json:"priorInfection"`
	Doses          []Dose `json:"doses"` // any order
}

// Errors a caller may branch on; they are wrapped in a *FieldError naming
// the offending field, except ErrNoDoses.
var (
	ErrNoDoses      = errors.New("doses: no doses (a history needs at least one dose)")
	ErrDate         = errors.New("not a date (YYYY-MM-DD)")
	ErrEmptyProduct = errors.New(`empty product (want a vaccine-medicinal-product code such as "EU/1/20/1528")`)
	ErrCourseLength = errors.New("course length must be at least 1")
)

// FieldError reports a problem with one field, named by its JSON path
// (e.g. "doses[1].date", or "CourseLength[EU/1/20/1528]" for a Policy).
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// Validate checks that h has at least one dose and that every dose has a
// valid date and a non-empty product. Field names use input indexes.
func (h History) Validate() error {
	if len(h.Doses) == 0 {
		return ErrNoDoses
	}
	for i, d := range h.Doses {
		if !isDate(d.Date) {
			return &FieldError{fmt.Sprintf("doses[%d].date", i), fmt.Errorf("%q is %w", d.Date, ErrDate)}
		}
		if strings.TrimSpace(d.Product) == "" {
			return &FieldError{fmt.Sprintf("doses[%d].mp", i), ErrEmptyProduct}
		}
	}
	return nil
}

func isDate(s string) bool {
	// The length check rejects forms time.Parse would not, but makes the
	// rule obvious: exactly YYYY-MM-DD, so that string order is date order.
	if len(s) != len("2006-01-02") {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// Policy holds the national choices that Annex II §5 leaves open.
type Policy struct {
	// CourseLength is the standard primary course length C per product code;
	// products not listed use DefaultCourse.
	CourseLength map[string]int
	// DefaultCourse is C for products not in CourseLength (2 in DefaultPolicy).
	DefaultCourse int
	// AutoAdditional says the country certifies additional doses
	// automatically (Art. 5(1) Reg. 2021/953, recital 8); when false,
	// certificates for additional doses are issued on request only.
	AutoAdditional bool
}

// Codes of the single-dose vaccines in the vaccine-medicinal-product value set.
const (
	jcovden      = "EU/1/20/1525"  // Janssen/Jcovden (Ad26.COV2.S): one dose per its EU SmPC
	sputnikLight = "Sputnik-Light" // Gam-COVID-Vac component 1 alone, licensed as one dose
	convidecia   = "Convidecia"    // CanSino Ad5-nCoV: one dose per its WHO EUL
)

// DefaultPolicy returns a policy in which the single-dose vaccines of the
// vaccine-medicinal-product value set (Jcovden, Sputnik Light, Convidecia)
// have C = 1, every other product C = 2, and additional doses are certified
// automatically. A fresh map is returned each time, so callers may edit it.
func DefaultPolicy() Policy {
	return Policy{
		CourseLength: map[string]int{
			jcovden:      1,
			sputnikLight: 1,
			convidecia:   1,
		},
		DefaultCourse:  2,
		AutoAdditional: true,
	}
}

// Validate reports a course length below 1.
func (p Policy) Validate() error {
	if p.DefaultCourse < 1 {
		return &FieldError{"DefaultCourse", fmt.Errorf("%d: %w", p.DefaultCourse, ErrCourseLength)}
	}
	// Sorted so that the error reported is the same on every run.
	for _, mp := range slices.Sorted(maps.Keys(p.CourseLength)) {
		if c := p.CourseLength[mp]; c < 1 {
			return &FieldError{"CourseLength[" + mp + "]", fmt.Errorf("%d: %w", c, ErrCourseLength)}
		}
	}
	return nil
}

// Course returns the primary course length C of product under p.
func (p Policy) Course(product string) int {
	if c, ok := p.CourseLength[product]; ok {
		return c
	}
	return p.DefaultCourse
}

// Kind says where a dose stands relative to the primary course.
type Kind int

const (
	Incomplete Kind = iota + 1 // primary course not finished
	Complete                   // primary course completed with this dose
	Additional                 // dose after a completed primary course
)

func (k Kind) String() string {
	switch k {
	case Incomplete:
		return "incomplete"
	case Complete:
		return "complete"
	case Additional:
		return "additional"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Numbered is a dose with the dn/sd its certificate carries.
type Numbered struct {
	Dose
	DN, SD int
	Kind   Kind
	// OnRequest marks an additional dose whose certificate is issued only on
	// request (Policy.AutoAdditional false). Its numbering is unaffected.
	OnRequest bool
}

// Number returns one entry per dose of h, in date order (doses on the same
// date keep their input order), each with the dn/sd of Annex II §5.
// It fails if p or h does not validate.
func Number(h History, p Policy) ([]Numbered, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("doses: invalid policy: %w", err)
	}
	if err := h.Validate(); err != nil {
		return nil, err
	}
	out := make([]Numbered, len(h.Doses))
	for i, d := range h.Doses {
		out[i].Dose = d
	}
	slices.SortStableFunc(out, func(a, b Numbered) int { return cmp.Compare(a.Date, b.Date) })

	course := 1
	if !h.PriorInfection {
		course = p.Course(out[0].Product)
	}
	complete := false
	for i := range out {
		n := &out[i]
		received := i + 1
		switch {
		case complete:
			n.DN, n.SD, n.Kind = received, received, Additional
			n.OnRequest = !p.AutoAdditional
		case received >= course || p.Course(n.Product) == 1:
			n.DN, n.SD, n.Kind = received, received, Complete
			complete = true
		default:
			n.DN, n.SD, n.Kind = received, course, Incomplete
		}
	}
	return out, nil
}
