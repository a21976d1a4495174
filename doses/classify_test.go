package doses_test

import (
	"errors"
	"strings"
	"testing"

	"dcc/doses"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		dn, sd    int
		kind      doses.Kind
		ambiguous bool
		legacy    bool
		mention   string // a phrase the explanation must contain
	}{
		{1, 2, doses.Incomplete, false, false, "not complete"},
		{1, 3, doses.Incomplete, false, false, "dose 1 of a primary course of 3"},
		{2, 3, doses.Incomplete, false, false, "not complete"},
		// §5.1: 1/1 completes a single-dose course or a recovered person's single dose.
		{1, 1, doses.Complete, false, false, "single-dose"},
		// §5.1 2/2 (2-dose course) and §5.2 2/2 (additional dose after 1-dose course).
		{2, 2, doses.Complete, true, false, "cannot tell"},
		// §5.2: 3/3 additional dose after a 2-dose course; guide: bivalent 4/4.
		{3, 3, doses.Additional, false, false, "at least 1 additional"},
		{4, 4, doses.Additional, false, false, "at least 2 additional"},
		// Pre-2022 encodings, e.g. 3/2 or 2/1 for a booster.
		{3, 2, doses.Additional, false, true, "2021-12-31"},
		{2, 1, doses.Additional, false, true, "2021-12-31"},
	}
	for _, tt := range tests {
		st, err := doses.Classify(tt.dn, tt.sd)
		if err != nil {
			t.Errorf("Classify(%d, %d): %v", tt.dn, tt.sd, err)
			continue
		}
		if st.Kind != tt.kind || st.Ambiguous != tt.ambiguous || st.Legacy != tt.legacy {
			t.Errorf("Classify(%d, %d) = %+v, want kind %v ambiguous %t legacy %t",
				tt.dn, tt.sd, st, tt.kind, tt.ambiguous, tt.legacy)
		}
		if !strings.Contains(st.Explanation, tt.mention) {
			t.Errorf("Classify(%d, %d).Explanation = %q, want it to mention %q", tt.dn, tt.sd, st.Explanation, tt.mention)
		}
	}
}

func TestClassifyErrors(t *testing.T) {
	for _, c := range [][2]int{{0, 1}, {1, 0}, {0, 0}, {-1, 2}, {2, -3}} {
		if _, err := doses.Classify(c[0], c[1]); !errors.Is(err, doses.ErrDoseNumber) {
			t.Errorf("Classify(%d, %d) err = %v, want ErrDoseNumber", c[0], c[1], err)
		}
	}
}
