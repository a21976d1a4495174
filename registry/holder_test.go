package registry_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"dcc/registry"
)

func holderRecord(i int, fn, fnt, dob string) registry.Record {
	r := record(200 + i)
	r.Payload = []byte(fmt.Sprintf(`{"ver":"1.3.0","nam":{"fn":%q,"fnt":%q,"gn":"Ana","gnt":"ANA"},"dob":%q}`, fn, fnt, dob))
	return r
}

// Operators find one person's certificates by surname (in any script or
// standardised) and date of birth, from a keyed index: neither is stored in
// clear, and the search is audited without them.
func TestSearchByHolder(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		keys := testKeys(t, "k1")
		s := open(t, dsn, keys)
		recs := []registry.Record{
			holderRecord(1, "Musterfrau-Gößinger", "MUSTERFRAU<GOESSINGER", "1998-02-26"),
			holderRecord(2, "Musterfrau-Gößinger", "MUSTERFRAU<GOESSINGER", "1998-02-26"),
			holderRecord(3, "Musterfrau-Gößinger", "MUSTERFRAU<GOESSINGER", "1998-02-27"), // another person
			holderRecord(4, "Фёдоров", "FEDOROV", "1980"),
			holderRecord(5, "", "", "1980"), // no surname: not indexed
		}
		for _, r := range recs {
			if err := s.Insert(ctx, r, "authority:"+r.Authority); err != nil {
				t.Fatal(err)
			}
		}
		find := func(name, dob string) []string {
			t.Helper()
			rs, _, err := s.Search(ctx, registry.Query{HolderName: name, HolderDOB: dob}, "operator:registro")
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range rs {
				out = append(out, r.UVCI)
			}
			return out
		}
		both := []string{recs[0].UVCI, recs[1].UVCI}
		for _, tt := range []struct {
			name, dob string
			want      []string
		}{
			{"Musterfrau-Gößinger", "1998-02-26", both},
			{"MUSTERFRAU<GOESSINGER", "1998-02-26", both},
			{"musterfrau gößinger", "1998-02-26", both},
			{"Musterfrau-Gößinger", "1998-02-27", []string{recs[2].UVCI}},
			{"Musterfrau", "1998-02-26", nil},
			{"Фёдоров", "1980", []string{recs[3].UVCI}},
			{"Fedorov", "1980", []string{recs[3].UVCI}},
			{"Fedorov", "1980-01-01", nil},
		} {
			if got := find(tt.name, tt.dob); !slices.Equal(got, tt.want) {
				t.Errorf("holder %q born %q: %v, want %v", tt.name, tt.dob, got, tt.want)
			}
		}
		// With other filters and paging.
		rs, next, err := s.Search(ctx, registry.Query{HolderName: "Musterfrau-Gößinger", HolderDOB: "1998-02-26", Limit: 1}, "operator:registro")
		if err != nil || len(rs) != 1 || next == "" {
			t.Errorf("first page: %d, %q, %v", len(rs), next, err)
		}
		if _, _, err := s.Search(ctx, registry.Query{HolderName: "Fedorov"}, "operator:registro"); err == nil ||
			!strings.Contains(err.Error(), "date of birth") {
			t.Errorf("surname without date of birth: %v", err)
		}
		// Nothing of the person in the index column or the audit log.
		raw := b.raw(t, dsn)
		idx := raw.Bytes(`SELECT holder_index FROM certificates WHERE uvci = $1`, recs[0].UVCI)
		if len(idx) != 32 || bytes.Contains(bytes.ToUpper(idx), []byte("MUSTER")) {
			t.Errorf("holder index %q", idx)
		}
		es, _ := s.AuditByActor(ctx, "operator:registro")
		for _, e := range es {
			if strings.Contains(e.Detail, "MUSTER") || strings.Contains(e.Detail, "1998") || strings.Contains(e.Detail, "Фёдоров") {
				t.Errorf("audit entry holds who was searched: %+v", e)
			}
		}
		if !strings.Contains(es[0].Detail, "by-holder") {
			t.Errorf("audit entry does not say the search was by holder: %+v", es[0])
		}

		// Rows stored before the index existed are indexed at the next Open.
		if err := raw.Exec(`UPDATE certificates SET holder_index = NULL`); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s = open(t, dsn, keys)
		if got := find("Фёдоров", "1980"); !slices.Equal(got, []string{recs[3].UVCI}) {
			t.Errorf("after re-indexing: %v", got)
		}
		if idx := raw.Bytes(`SELECT holder_index FROM certificates WHERE uvci = $1`, recs[4].UVCI); idx == nil || len(idx) != 0 {
			t.Errorf("a payload without surname: index %q, want empty", idx)
		}
	})
}
