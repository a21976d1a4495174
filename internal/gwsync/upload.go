package gwsync

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"dcc/gateway"
	"dcc/registry"
	"dcc/revocation"
)

// upload queues what is new (DSCs, withdrawn DSCs, revocations) and sends
// what is due.
func (s *Syncer) upload(ctx context.Context, rep *Report) error {
	now := s.cfg.Now()
	st := s.cfg.Store
	n, err := s.enqueue(ctx, now)
	rep.Queued = n
	if err == nil {
		err = s.send(ctx, rep)
	}
	count := 0
	if _, _, done, cerr := st.GatewayOutboxCounts(ctx); cerr == nil {
		count = done
	}
	if err == nil && rep.UploadsFailed > 0 {
		err = fmt.Errorf("%d uploads failed; they are retried", rep.UploadsFailed)
	}
	_ = st.GatewaySetStatus(ctx, KindUploads, now, count, err)
	if err != nil {
		return fmt.Errorf("gwsync: uploads: %w", err)
	}
	return nil
}

func thumbprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// enqueue puts into the outbox, once each, every own DSC valid now, the
// deletion of every DSC uploaded and no longer configured, and the
// revocations not yet in a batch.
func (s *Syncer) enqueue(ctx context.Context, now time.Time) (int, error) {
	st := s.cfg.Store
	var ups []registry.GatewayUpload
	current := map[string]bool{}
	for _, c := range s.cfg.DSCs {
		tp := thumbprint(c)
		current[tp] = true
		if now.After(c.NotAfter) {
			continue // the gateway refuses an expired DSC
		}
		ups = append(ups, registry.GatewayUpload{Key: "dsc:" + tp, Kind: registry.GatewayUploadDSC, Body: c.Raw})
	}
	uploaded, err := st.GatewayUploadsOf(ctx, registry.GatewayUploadDSC)
	if err != nil {
		return 0, err
	}
	for _, u := range uploaded {
		c, err := x509.ParseCertificate(u.Body)
		if err != nil {
			return 0, fmt.Errorf("outbox item %s: %w", u.Key, err)
		}
		if tp := thumbprint(c); !current[tp] {
			ups = append(ups, registry.GatewayUpload{Key: "dsc-delete:" + tp, Kind: registry.GatewayDeleteDSC, Body: u.Body})
		}
	}

	recs, err := st.GatewayRevocationsPending(ctx, now)
	if err != nil {
		return 0, err
	}
	revoked := map[string]string{}
	if len(recs) > 0 {
		revs := make([]revocation.Revoked, len(recs))
		for i, r := range recs {
			revs[i] = revocation.Revoked{UVCI: r.UVCI, KID: r.KID, Signature: r.Signature(), Expires: r.Expires}
		}
		// All of a certificate's batches are queued together with the mark
		// that it is in them, in one transaction (GatewayEnqueue).
		for _, b := range revocation.Batches(s.country, revs, gateway.MaxBatchEntries) {
			body, err := json.Marshal(b)
			if err != nil {
				return 0, err
			}
			sum := sha256.Sum256(body)
			key := fmt.Sprintf("revocation:%s:%s:%s", b.KID, b.HashType, hex.EncodeToString(sum[:12]))
			ups = append(ups, registry.GatewayUpload{Key: key, Kind: registry.GatewayRevocation, Body: body})
		}
		for _, r := range recs {
			revoked[r.UVCI] = "revocation:" + r.KID
		}
	}
	return st.GatewayEnqueue(ctx, ups, revoked, now)
}

// send works through the due items, oldest first.
func (s *Syncer) send(ctx context.Context, rep *Report) error {
	st := s.cfg.Store
	for {
		now := s.cfg.Now()
		due, err := st.GatewayDue(ctx, now, 100)
		if err != nil {
			return err
		}
		progressed := false
		for _, u := range due {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			claimed, inDoubt, err := st.GatewayClaim(ctx, u.Key, now, now.Add(s.cfg.Lease))
			if err != nil {
				return err
			}
			if !claimed {
				continue // another process has it
			}
			result, err := s.sendOne(ctx, u, inDoubt)
			if err != nil {
				rep.UploadsFailed++
				var pe *gateway.ProblemError
				// An answer from the gateway says the item was not taken;
				// anything else leaves it in doubt.
				unsent := errors.As(err, &pe)
				next := s.cfg.Now().Add(s.cfg.Backoff(u.Attempts))
				s.cfg.Log.Warn("gateway: upload failed", "item", u.Key, "attempt", u.Attempts+1, "retry", next, "err", err)
				if ferr := st.GatewayFailed(ctx, u.Key, err.Error(), next, unsent); ferr != nil {
					return ferr
				}
				if !unsent {
					// The gateway is probably not reachable: the rest waits
					// for the next pass rather than time out one by one.
					return nil
				}
				continue
			}
			if err := st.GatewayDone(ctx, u.Key, result, s.cfg.Now()); err != nil {
				return err
			}
			rep.Uploaded++
			progressed = true
		}
		if len(due) < 100 || !progressed {
			return nil
		}
	}
}

func (s *Syncer) sendOne(ctx context.Context, u registry.GatewayUpload, inDoubt bool) (string, error) {
	gw := s.cfg.Gateway
	switch u.Kind {
	case registry.GatewayUploadDSC, registry.GatewayDeleteDSC:
		c, err := x509.ParseCertificate(u.Body)
		if err != nil {
			return "", err
		}
		if u.Kind == registry.GatewayUploadDSC {
			return "", gw.UploadDSC(ctx, c) // a DSC already there (409) is done
		}
		if err := gw.DeleteDSC(ctx, c); err != nil && !errors.Is(err, gateway.ErrNotFound) {
			return "", err
		}
		return "", nil
	case registry.GatewayRevocation:
		bs, err := revocation.Parse(u.Body)
		if err != nil || len(bs) != 1 {
			return "", fmt.Errorf("outbox item %s: not one batch: %v", u.Key, err)
		}
		b := bs[0]
		if !b.Expires.After(s.cfg.Now()) {
			return "expired", nil // nothing left to revoke
		}
		if inDoubt {
			id, err := s.findUploaded(ctx, b, u.SendingSince)
			if err != nil {
				return "", fmt.Errorf("looking for an earlier upload whose answer was lost: %w", err)
			}
			if id != "" {
				s.cfg.Log.Info("gateway: batch found on the gateway, not uploaded again", "item", u.Key, "batch", id)
				return id, nil
			}
		}
		return gw.UploadRevocationBatch(ctx, b)
	}
	return "", fmt.Errorf("outbox item %s: unknown kind %q", u.Key, u.Kind)
}

// findUploaded looks on the gateway for a batch of this country with b's
// kid, hash type and entries, listed since the first attempt: the batch id
// if an earlier request created it, "" if none did.
func (s *Syncer) findUploaded(ctx context.Context, b revocation.Batch, since time.Time) (string, error) {
	gw := s.cfg.Gateway
	if since.IsZero() {
		since = s.cfg.Now().Add(-24 * time.Hour)
	}
	want := entrySet(b)
	for info, err := range gw.RevocationList(ctx, since.Add(-time.Minute)) {
		if err != nil {
			return "", err
		}
		if info.Country != s.country || info.Deleted {
			continue
		}
		got, err := gw.RevocationBatch(ctx, info.BatchID, nil)
		if errors.Is(err, gateway.ErrGone) || errors.Is(err, gateway.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", err
		}
		if got.KID == b.KID && got.HashType == b.HashType && slices.Equal(entrySet(*got), want) {
			return info.BatchID, nil
		}
	}
	return "", nil
}

func entrySet(b revocation.Batch) []string {
	out := make([]string, len(b.Entries))
	for i, e := range b.Entries {
		out[i] = e.Hash
	}
	slices.Sort(out)
	return out
}
