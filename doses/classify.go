package doses

import (
	"errors"
	"fmt"
)

// ErrDoseNumber reports a dn or sd below 1 (the schema's dose_posint).
var ErrDoseNumber = errors.New("dose number and total series must be at least 1")

// Status is what a certificate's dn/sd pair shows.
type Status struct {
	// Kind is the weakest reading consistent with dn/sd: when Ambiguous,
	// the primary course is known to be complete but the dose may also be
	// an additional one, and Kind is Complete.
	Kind Kind
	// Ambiguous is set when dn/sd fits more than one Kind (only 2/2).
	Ambiguous bool
	// Legacy is set for dn > sd, which Annex II §5 no longer produces.
	Legacy      bool
	Explanation string
}

// Classify says what a certificate's dn/sd shows under Annex II §5:
//
//   - dn < sd: Incomplete, dose dn of a primary course of sd doses;
//   - 1/1: Complete, a single-dose course, or one dose of a 2-dose vaccine
//     to a recovered person; never an additional dose, since one follows at
//     least one primary dose;
//   - 2/2: Complete and Ambiguous: a 2-dose course, or an additional dose
//     after a 1-dose course (§5.2's first example);
//   - n/n with n ≥ 3: Additional (for vaccines whose course is at most 2
//     doses, as in DefaultPolicy); how many were additional is unknown;
//   - dn > sd: Additional and Legacy: not an Annex II encoding, accepted only
//     for certificates issued up to 2021-12-31 (§5.2).
//
// dn or sd below 1 is an error wrapping ErrDoseNumber.
func Classify(dn, sd int) (Status, error) {
	if dn < 1 || sd < 1 {
		return Status{}, fmt.Errorf("doses: %d/%d: %w", dn, sd, ErrDoseNumber)
	}
	switch {
	case dn < sd:
		return Status{Kind: Incomplete, Explanation: fmt.Sprintf(
			"%d/%d: dose %d of a primary course of %d doses; the primary course is not complete (Annex II §5.1)",
			dn, sd, dn, sd)}, nil
	case dn > sd:
		return Status{Kind: Additional, Legacy: true, Explanation: fmt.Sprintf(
			"%d/%d: more doses than the series; Annex II §5.2 (as amended by Decision 2021/2014) encodes additional doses as (N+X)/(C+X) with dn = sd, "+
				"and accepts other encodings only for certificates issued up to 2021-12-31", dn, sd)}, nil
	case sd == 1:
		return Status{Kind: Complete, Explanation: "1/1: primary course completed, either a single-dose vaccine or one dose of a 2-dose vaccine " +
			"to a person previously infected (Annex II §5.1)"}, nil
	case sd == 2:
		return Status{Kind: Complete, Ambiguous: true, Explanation: "2/2: primary course completed; either the second dose of a 2-dose course (§5.1) " +
			"or an additional dose after a 1-dose course or after a recovered person's single dose (§5.2): dn/sd alone cannot tell"}, nil
	}
	return Status{Kind: Additional, Explanation: fmt.Sprintf(
		"%d/%d: additional dose after a completed primary course (Annex II §5.2); %d doses in all, of which at least %d additional",
		dn, sd, dn, dn-2)}, nil
}
