package registry_test

import (
	"testing"
	"time"

	"dcc/registry"
)

// The revocations an authority pulls back come in (time, UVCI) order, one
// authority's only, page by page without gaps or repeats; taking them into
// the authority's store is idempotent and does not queue a re-delivery.
func TestRevocationsOfAndTake(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		reg := open(t, dsn, testKeys(t, "k1"))
		var mine []string // authority AN: record(n) with n%3 == 1
		for i := 1; i <= 30; i++ {
			r := record(100 + i)
			if err := reg.Insert(ctx, r, "authority:"+r.Authority); err != nil {
				t.Fatal(err)
			}
			// Several revocations share a second, so paging must order by UVCI too.
			at := day0.Add(time.Duration(i/4) * time.Second)
			if err := reg.Revoke(ctx, r.UVCI, registry.Revocation{At: at, Reason: "duplicate"}, "operator:registro"); err != nil {
				t.Fatal(err)
			}
			if r.Authority == "AN" {
				mine = append(mine, r.UVCI)
			}
		}
		var got []registry.RevocationEntry
		since, after := time.Time{}, ""
		for {
			page, err := reg.RevocationsOf(ctx, "AN", since, after, 3)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, page...)
			if len(page) < 3 {
				break
			}
			since, after = page[len(page)-1].At, page[len(page)-1].UVCI
		}
		if len(got) != len(mine) {
			t.Fatalf("%d revocations of AN, want %d", len(got), len(mine))
		}
		for i, e := range got {
			if e.UVCI != mine[i] || e.By != "operator:registro" || e.Reason != "duplicate" {
				t.Errorf("entry %d = %+v, want %s revoked by operator:registro", i, e, mine[i])
			}
		}
		if _, err := reg.RevocationsOf(ctx, "AN", time.Time{}, "", 0); err == nil {
			t.Error("RevocationsOf with limit 0 succeeded")
		}

		// The authority's own store has the certificate, not yet revoked.
		local := open(t, b.newDSN(t), testKeys(t, "k1"))
		r := record(103) // authority AN
		if err := local.InsertWithOutbox(ctx, r, "authority:AN"); err != nil {
			t.Fatal(err)
		}
		if err := local.MarkDelivered(ctx, r.UVCI, day0); err != nil {
			t.Fatal(err)
		}
		e := got[0]
		if e.UVCI != r.UVCI {
			t.Fatalf("first revocation is %s, want %s", e.UVCI, r.UVCI)
		}
		unknownUVCI := "URN:UVCI:01:ES:NOPE"
		page := []registry.RevocationEntry{e, {UVCI: unknownUVCI, At: day0, By: "operator:x", Reason: "x"}}
		for i, want := range []int{1, 0} {
			taken, unknown, err := local.TakeRevocations(ctx, page, "registry")
			if err != nil || taken != want || len(unknown) != 1 || unknown[0] != unknownUVCI {
				t.Errorf("TakeRevocations #%d = %d, %v, %v; want %d, [%s]", i+1, taken, unknown, err, want, unknownUVCI)
			}
		}
		rec, err := local.Get(ctx, r.UVCI, "test")
		if err != nil {
			t.Fatal(err)
		}
		if rec.RevokedAt == nil || !rec.RevokedAt.Equal(e.At) || rec.RevokedBy != "operator:registro" || rec.RevokeReason != "duplicate" {
			t.Errorf("local record after TakeRevocation: %+v", rec)
		}
		if n, _ := local.OutboxPending(ctx); n != 0 {
			t.Errorf("%d outbox entries pending: a revocation from the registry must not be delivered back", n)
		}
		es, _ := local.AuditByActor(ctx, "registry")
		if countAction(es, registry.ActionRevoke) != 1 {
			t.Errorf("audit of the take: %+v, want one revoke entry", es)
		}
		if _, _, err := local.TakeRevocations(ctx, []registry.RevocationEntry{{UVCI: r.UVCI}}, "registry"); err == nil {
			t.Error("TakeRevocations without time, author and reason succeeded")
		}
	})
}
