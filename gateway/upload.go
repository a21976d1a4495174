package gateway

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"dcc/cms"
	"dcc/revocation"
	"dcc/rules"
)

// MaxBatchEntries is the most hashes one revocation batch may hold (§C.4).
const MaxBatchEntries = 1000

// sign wraps content in the embedded CMS the gateway's parser wants (§B.2),
// in its wire form.
func (c *Client) sign(content []byte) ([]byte, error) {
	if c.upKey == nil {
		return nil, ErrNoUploadKey
	}
	der, err := cms.Sign(content, c.upKey, c.upCert, cms.SignOptions{Now: c.now, AlgorithmProtection: true})
	if err != nil {
		return nil, fmt.Errorf("gateway: signing with the UPLOAD key: %w", err)
	}
	return []byte(cms.EncodeBase64(der)), nil
}

// send signs content and sends it; ok are the statuses of success.
func (c *Client) send(ctx context.Context, method, path string, content []byte, ok ...int) (*response, error) {
	body, err := c.sign(content)
	if err != nil {
		return nil, err
	}
	return c.do(ctx, request{method: method, path: path, body: body,
		header: http.Header{"Content-Type": {"application/cms"}}, ok: ok})
}

func (c *Client) checkDSC(dsc *x509.Certificate) error {
	if dsc == nil {
		return errors.New("gateway: no DSC given")
	}
	if cc := countryOf(dsc); cc != c.country {
		return fmt.Errorf("gateway: the DSC's subject is of %q, the client authenticates as %s (the gateway answers 0x004)", cc, c.country)
	}
	return nil
}

// UploadDSC publishes dsc (§A.3 POST /signerCertificate). A DSC the gateway
// already has (409) counts as done.
func (c *Client) UploadDSC(ctx context.Context, dsc *x509.Certificate) error {
	if err := c.checkDSC(dsc); err != nil {
		return err
	}
	_, err := c.send(ctx, http.MethodPost, "/signerCertificate", dsc.Raw, http.StatusCreated, http.StatusConflict)
	return err
}

// DeleteDSC withdraws dsc (DELETE /signerCertificate). An unknown DSC is
// ErrNotFound.
func (c *Client) DeleteDSC(ctx context.Context, dsc *x509.Certificate) error {
	if err := c.checkDSC(dsc); err != nil {
		return err
	}
	_, err := c.send(ctx, http.MethodDelete, "/signerCertificate", dsc.Raw, http.StatusNoContent)
	return err
}

// UploadRule publishes a rule, its JSON as it is to be signed (POST
// /rules). The rule is first read with rules.Parse, which refuses what the
// gateway would, and must be of the client's country.
func (c *Client) UploadRule(ctx context.Context, ruleJSON []byte) error {
	r, err := rules.Parse(ruleJSON)
	if err != nil {
		return fmt.Errorf("gateway: UploadRule: %w", err)
	}
	if r.Country != c.country {
		return fmt.Errorf("gateway: UploadRule: rule %s: Country %q, the client authenticates as %s (the gateway answers 0x210)", r.Identifier, r.Country, c.country)
	}
	_, err = c.send(ctx, http.MethodPost, "/rules", ruleJSON, http.StatusCreated)
	return err
}

var ruleIDPattern = regexp.MustCompile(`^(GR|VR|TR|RR|IR)-[A-Z]{2}-\d{4}$`)

// DeleteRule withdraws every version of rule id (DELETE /rules, the CMS
// over the id as plain text).
func (c *Client) DeleteRule(ctx context.Context, id string) error {
	if !ruleIDPattern.MatchString(id) {
		return fmt.Errorf("gateway: DeleteRule: id %q: want XR-CC-NNNN (XR one of GR, VR, TR, RR, IR)", id)
	}
	if id[3:5] != c.country {
		return fmt.Errorf("gateway: DeleteRule: %s is not a rule of %s", id, c.country)
	}
	_, err := c.send(ctx, http.MethodDelete, "/rules", []byte(id), http.StatusNoContent)
	return err
}

// UploadRevocationBatch publishes b (POST /revocation-list) and returns the
// batch id the gateway gave it (ETag), which DeleteRevocationBatch needs.
// b must be of the client's country, expire in the future and hold 1 to
// MaxBatchEntries hashes (one kid, one hash type: §C.4).
func (c *Client) UploadRevocationBatch(ctx context.Context, b revocation.Batch) (string, error) {
	if err := c.checkBatch(b); err != nil {
		return "", fmt.Errorf("gateway: UploadRevocationBatch: %w", err)
	}
	content, err := json.Marshal(b)
	if err != nil {
		return "", err
	}
	// The strict reader refuses what the gateway's would (hash lengths, kid).
	if _, err := revocation.Parse(content); err != nil {
		return "", fmt.Errorf("gateway: UploadRevocationBatch: %w", err)
	}
	res, err := c.send(ctx, http.MethodPost, "/revocation-list", content, http.StatusCreated)
	if err != nil {
		return "", err
	}
	id := trimETag(res.header.Get("ETag"))
	if !batchIDPattern.MatchString(id) {
		return "", fmt.Errorf("gateway: POST /revocation-list: 201 with ETag %q, not a batch id; the batch is stored but cannot be deleted by id", res.header.Get("ETag"))
	}
	return id, nil
}

func (c *Client) checkBatch(b revocation.Batch) error {
	switch {
	case b.Country != c.country:
		return fmt.Errorf("country %q: the client authenticates as %s", b.Country, c.country)
	case !b.Expires.After(c.now()):
		return fmt.Errorf("expires %s: not in the future", b.Expires.Format("2006-01-02T15:04:05Z07:00"))
	case len(b.Entries) == 0:
		return errors.New("entries: none")
	case len(b.Entries) > MaxBatchEntries:
		return fmt.Errorf("entries: %d, at most %d per batch", len(b.Entries), MaxBatchEntries)
	case b.KID == "":
		return fmt.Errorf("kid: missing (the DSC's kid, or %s)", revocation.UnknownKID)
	}
	return nil
}

// DeleteRevocationBatch withdraws batch id (DELETE /revocation-list). A
// batch already deleted is ErrGone, an unknown one ErrNotFound.
func (c *Client) DeleteRevocationBatch(ctx context.Context, id string) error {
	if !batchIDPattern.MatchString(id) {
		return fmt.Errorf("gateway: DeleteRevocationBatch: id %q: want a lowercase UUID", id)
	}
	content, _ := json.Marshal(struct {
		BatchID string `json:"batchId"`
	}{id})
	_, err := c.send(ctx, http.MethodDelete, "/revocation-list", content, http.StatusNoContent)
	return err
}
