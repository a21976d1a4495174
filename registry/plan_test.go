package registry

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The look-ups that must stay flat with the registry's size use the
// indexes made for them, without a sort of their results: SQLite's plan
// says so (docs/benchmarks.md, "Registry size").
func TestQueryPlansUseIndexes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "registry.db"), scaleKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	g := newScaleGen(t, 1)
	rs := make([]Record, 200)
	for i := range rs {
		rs[i] = g.record(i%10 == 0)
	}
	if err := s.InsertBatch(ctx, rs, "test", BatchOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, query, index string
		args               []any
	}{
		{"Get", `SELECT ` + recordColumns + `, key_id, payload, hc1 FROM certificates WHERE uvci = $1`, "sqlite_autoindex_certificates_1", []any{rs[0].UVCI}},
		{"holder search", `SELECT ` + recordColumns + ` FROM certificates WHERE holder_index = $1 AND uvci > $2 ORDER BY uvci LIMIT $3`,
			"certificates_holder_uvci", []any{"x", "", 101}},
		{"revocation list", sqlRevoked, "certificates_revoked_list", []any{time.Now().Unix()}},
	} {
		rows, err := s.db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+c.query, c.args...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "; ")
		if !strings.Contains(p, "INDEX "+c.index) || strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("%s: plan %q; want a search of index %s without a sort", c.name, p, c.index)
		}
	}
}
