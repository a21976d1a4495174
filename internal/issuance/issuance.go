package issuance

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"dcc"
	"dcc/doses"
	"dcc/hc1"
	"dcc/hcert"
	"dcc/i18n"
	"dcc/internal/deployment"
	"dcc/internal/signer"
	"dcc/registry"
	"dcc/translit"
	"dcc/uvci"
	"dcc/valueset"
)

// Store is the part of the registry store issuance uses.
type Store interface {
	RecordStore
	InsertRecord(ctx context.Context, r registry.Record, actor string, o registry.InsertOptions) error
	InsertBatch(ctx context.Context, rs []registry.Record, actor string, o registry.BatchOptions) error
	Idempotent(ctx context.Context, id registry.Idempotency) error
	Replays(ctx context.Context, ids []registry.Idempotency, actor string) ([]registry.Replay, error)
}

// Signer signs as an authority's DSC.
type Signer interface {
	Sign(authority string, t dcc.Type, c hcert.Claims, payload []byte) (signer.Signed, error)
}

// Validity is how long certificates stay valid (the CWT exp after iat), by
// type. The signer cuts it to the DSC's validity.
type Validity struct {
	Vaccination, Test, Recovery time.Duration
}

// DefaultValidity: a year for vaccination and recovery, three days for a
// test (a test result is short-lived; verifiers' rules decide acceptance).
func DefaultValidity() Validity {
	return Validity{Vaccination: 365 * 24 * time.Hour, Test: 72 * time.Hour, Recovery: 180 * 24 * time.Hour}
}

func (v Validity) of(t dcc.Type) time.Duration {
	switch t {
	case dcc.Vaccination:
		return v.Vaccination
	case dcc.Test:
		return v.Test
	}
	return v.Recovery
}

// Config assembles a Service.
type Config struct {
	Deployment *deployment.Deployment
	Validator  *dcc.Validator
	Signer     Signer
	Store      Store
	// Outbox queues every record for delivery to the national registry: set
	// it in an authority's own store, not in the registry's.
	Outbox bool
	// Issuers are the authorities that issue through this service (an
	// authority's own process serves only itself); nil means all.
	Issuers  []string
	Validity Validity      // zero: DefaultValidity
	Doses    *doses.Policy // nil: doses.DefaultPolicy
	Now      func() time.Time
	// Observer, when set, hears of every certificate stored (metrics).
	Observer Observer
}

// Observer hears of issued certificates: the authority and the type (v, t,
// r) of each one stored.
type Observer interface {
	Issued(authority, typ string)
}

// Service issues, reads, revokes and re-issues certificates. It is safe for
// concurrent use.
type Service struct {
	*Records
	dep       *deployment.Deployment
	validator *dcc.Validator
	vs        *valueset.Store
	signer    Signer
	store     Store
	outbox    bool
	validity  Validity
	doses     doses.Policy
	now       func() time.Time
	observer  Observer
	uvcis     map[string]*uvci.Generator // by authority that issues here
	hc1       hc1.Encoder
	// cpu admits as many concurrent requests to preparation and signing as
	// there are cores: the others wait parked instead of queuing for a core
	// ahead of the store's single writer, which would then starve.
	cpu chan struct{}
}

// New builds a Service.
func New(c Config) (*Service, error) {
	if c.Deployment == nil || c.Validator == nil || c.Signer == nil || c.Store == nil {
		return nil, errors.New("issuance: Deployment, Validator, Signer and Store are required")
	}
	s := &Service{
		Records: NewRecords(c.Deployment, c.Store, c.Now),
		dep:     c.Deployment, validator: c.Validator, vs: c.Validator.ValueSets(), signer: c.Signer, store: c.Store,
		outbox: c.Outbox, validity: c.Validity, now: c.Now, observer: c.Observer, uvcis: map[string]*uvci.Generator{},
		cpu: make(chan struct{}, runtime.GOMAXPROCS(0)),
	}
	if s.validity == (Validity{}) {
		s.validity = DefaultValidity()
	}
	for _, d := range []time.Duration{s.validity.Vaccination, s.validity.Test, s.validity.Recovery} {
		if d < time.Hour {
			return nil, errors.New("issuance: every validity must be at least an hour")
		}
	}
	if c.Doses != nil {
		s.doses = *c.Doses
	} else {
		s.doses = doses.DefaultPolicy()
	}
	if err := s.doses.Validate(); err != nil {
		return nil, fmt.Errorf("issuance: dose policy: %w", err)
	}
	if s.now == nil {
		s.now = time.Now
	}
	for _, a := range c.Deployment.Authorities() {
		if c.Issuers != nil && !slices.Contains(c.Issuers, a.ID) {
			continue
		}
		g, err := uvci.NewGenerator(c.Deployment.Country(), a.UVCIPrefix, nil)
		if err != nil {
			return nil, fmt.Errorf("issuance: authority %s: %w", a.ID, err)
		}
		// Ordered: the registry's UVCI indexes (the certificates' and the
		// audit log's) then grow at their ends, flat with the registry's size.
		s.uvcis[a.ID] = g.Ordered(s.now)

	}
	return s, nil
}

// Request asks for one certificate.
type Request struct {
	Type dcc.Type
	// Body is the JSON payload in the official field names: nam, dob and the
	// one v, t or r entry, where what the authority fills in may be omitted;
	// plus, for a vaccination, an optional "history" (a dose history, see
	// doses.DecodeHistory) from which dn, sd, dt and mp are computed.
	Body []byte
	// IdempotencyKey, when set, makes a retried request with the same key
	// and body return the certificate the first one produced.
	IdempotencyKey string
}

// Issued is a certificate as issued (or found again for a retried request).
type Issued struct {
	UVCI      string
	Type      dcc.Type
	HC1       string
	Payload   []byte // JSON
	Authority string
	Lab       string
	KID       string // base64
	IssuedAt  time.Time
	Expires   time.Time
	Replaces  string
	Warnings  []dcc.Problem // corrections made (e.g. tc truncated)
	Replayed  bool          // true when an idempotent retry returned an earlier certificate
}

// Issue runs the whole pipeline for one request.
func (s *Service) Issue(ctx context.Context, p deployment.Principal, req Request) (*Issued, error) {
	return s.issue(ctx, p, req, "", "")
}

func (s *Service) issue(ctx context.Context, p deployment.Principal, req Request, supersedes, reason string) (*Issued, error) {
	if err := s.canIssue(p, req.Type); err != nil {
		return nil, err
	}
	idem, err := idempotency(p, req, supersedes)
	if err != nil {
		return nil, err
	}
	if idem != nil {
		if err := s.store.Idempotent(ctx, *idem); err != nil {
			return s.replay(ctx, p, err)
		}
	}
	for attempt := 0; ; attempt++ {
		c, err := s.prepareAndSignOne(ctx, p, req)
		if err != nil {
			return nil, err
		}
		c.record.Replaces = supersedes
		err = s.store.InsertRecord(ctx, c.record, p.Actor(), registry.InsertOptions{
			Outbox: s.outbox, Idempotency: idem, Supersedes: supersedes, SupersedeReason: reason,
		})
		// A UVCI collision is a 2^-100 event; a new identifier settles it.
		if errors.Is(err, registry.ErrConflict) && attempt < 2 {
			continue
		}
		if err != nil {
			return s.replay(ctx, p, err)
		}
		s.observe(c)
		return c.issued(), nil
	}
}

// prepareAndSignOne prepares and signs one request when a core is free.
func (s *Service) prepareAndSignOne(ctx context.Context, p deployment.Principal, req Request) (*candidate, error) {
	select {
	case s.cpu <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.cpu }()
	c, err := s.prepare(p, req)
	if err != nil {
		return nil, err
	}
	if err := s.sign(c); err != nil {
		return nil, err
	}
	return c, nil
}

// idempotency is the key of a request, with the hash of what it asks; nil
// when the request has no key.
func idempotency(p deployment.Principal, req Request, supersedes string) (*registry.Idempotency, error) {
	if req.IdempotencyKey == "" {
		return nil, nil
	}
	if len(req.IdempotencyKey) > 200 {
		return nil, invalid("Idempotency-Key", msg.LongerThan.With(200))
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", req.Type, supersedes)
	h.Write(req.Body)
	id := &registry.Idempotency{Principal: p.Actor(), Key: req.IdempotencyKey}
	h.Sum(id.RequestHash[:0])
	return id, nil
}

func (s *Service) observe(c *candidate) {
	if s.observer != nil {
		s.observer.Issued(c.record.Authority, c.record.Type)
	}
}

// canIssue is the deployment's rule, and that p's authority issues here.
func (s *Service) canIssue(p deployment.Principal, t dcc.Type) error {
	if err := s.dep.CanIssue(p, t); err != nil {
		return err
	}
	if _, ok := s.uvcis[p.Authority]; !ok {
		t := msg.NotThisSystem.With(p.Authority)
		return &deployment.ForbiddenError{Reason: t.EN, Text: t}
	}
	return nil
}

// replay turns an idempotency outcome into the earlier certificate, or
// passes other errors through mapErr.
func (s *Service) replay(ctx context.Context, p deployment.Principal, err error) (*Issued, error) {
	var r *registry.ReplayError
	if errors.As(err, &r) {
		out, _, gerr := s.Get(ctx, p, r.UVCI)
		if gerr != nil {
			return nil, fmt.Errorf("issuance: read the certificate of an earlier request: %w", gerr)
		}
		out.Replayed = true
		return out, nil
	}
	return nil, mapErr(err)
}

func invalid(path string, reason i18n.Text) error {
	return &dcc.ValidationError{Problems: []dcc.Problem{{Path: path, Reason: reason.EN, Text: reason}}}
}

// candidate is a request on its way through the pipeline.
type candidate struct {
	typ      dcc.Type
	payload  *dcc.Payload
	json     []byte
	warnings []dcc.Problem
	record   registry.Record
	claims   hcert.Claims
}

func (c *candidate) issued() *Issued {
	return &Issued{
		UVCI: c.record.UVCI, Type: c.typ, HC1: c.record.HC1, Payload: c.json, Authority: c.record.Authority,
		Lab: c.record.Lab, KID: c.record.KID, IssuedAt: c.record.IssuedAt, Expires: c.record.Expires,
		Replaces: c.record.Replaces, Warnings: c.warnings,
	}
}

func fromRecord(r registry.Record) *Issued {
	return &Issued{
		UVCI: r.UVCI, Type: dcc.Type(r.Type), HC1: r.HC1, Payload: r.Payload, Authority: r.Authority, Lab: r.Lab,
		KID: r.KID, IssuedAt: r.IssuedAt, Expires: r.Expires, Replaces: r.Replaces,
	}
}

// prepare completes, numbers, identifies and validates a request.
func (s *Service) prepare(p deployment.Principal, req Request) (*candidate, error) {
	tree, err := dcc.DecodeJSON(req.Body)
	if err != nil {
		return nil, invalid("", msg.NotJSON.With(err.Error()))
	}
	body, ok := tree.(map[string]any)
	if !ok {
		return nil, invalid("", msg.NotObject.With(string(req.Type)))
	}
	auth, _ := s.dep.Authority(p.Authority)
	var lab deployment.Lab
	if p.Role == deployment.RoleLab {
		lab, _ = s.dep.Lab(p.ID)
	}
	f := filler{s: s, t: req.Type, auth: auth, lab: lab}
	f.fill(body)
	if len(f.problems) > 0 {
		return nil, &dcc.ValidationError{Problems: f.problems}
	}
	id, err := s.uvcis[auth.ID].New()
	if err != nil {
		return nil, fmt.Errorf("issuance: new UVCI: %w", err)
	}
	f.entry["ci"] = id

	// The tree is validated, not the typed payload: it sees what the caller
	// sent exactly ("dn": 0 is a wrong dose number, not a missing one).
	// Events are judged at the issuance clock (also the certificate's iat),
	// with the validator's clock skew.
	now := s.now()
	payload, err := dcc.FromTree(body)
	if err != nil {
		// Validation explains every field at once where it can; where it
		// finds nothing, the typed model's own refusal (a field error) is
		// the answer. Never nothing: a request is refused or issued.
		if verr := s.validator.ValidateTreeAt(body, dcc.Strict, now).Err(); verr != nil {
			return nil, verr
		}
		return nil, err
	}
	warnings := append(f.warnings, dcc.PrepareForIssuance(payload)...)
	if len(payload.T) == 1 && payload.T[0].TC != "" {
		f.entry["tc"] = payload.T[0].TC // as truncated
	}
	report := s.validator.ValidateTreeAt(body, dcc.Strict, now)
	if err := report.Err(); err != nil {
		return nil, err
	}
	warnings = append(warnings, report.Warnings()...)
	js, err := payload.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("issuance: encode payload: %w", err)
	}
	iat := now.UTC().Truncate(time.Second)
	c := &candidate{
		typ: req.Type, payload: payload, json: js, warnings: warnings,
		claims: hcert.Claims{Issuer: s.dep.Country(), IssuedAt: iat, Expires: iat.Add(s.validity.of(req.Type))},
		record: registry.Record{
			UVCI: id, Type: string(req.Type), Authority: auth.ID, Lab: lab.ID,
			EventDate: payload.EventDate(), Payload: js,
		},
	}
	return c, nil
}

// sign signs a prepared candidate and completes its record.
func (s *Service) sign(c *candidate) error {
	cb, err := c.payload.MarshalCBOR()
	if err != nil {
		return fmt.Errorf("issuance: encode payload: %w", err)
	}
	signed, err := s.signer.Sign(c.record.Authority, c.typ, c.claims, cb)
	if err != nil {
		return fmt.Errorf("issuance: %w", err)
	}
	h, err := s.hc1.Encode(signed.COSE)
	if err != nil {
		return fmt.Errorf("issuance: %w", err)
	}
	c.claims = signed.Claims
	c.record.HC1 = h
	c.record.KID = base64.StdEncoding.EncodeToString(signed.KID)
	c.record.IssuedAt = signed.Claims.IssuedAt
	c.record.Expires = signed.Claims.Expires
	return nil
}

// filler completes a request body in place and collects what is wrong with
// what the caller gave.
type filler struct {
	s        *Service
	t        dcc.Type
	auth     deployment.Authority
	lab      deployment.Lab
	entry    map[string]any
	problems []dcc.Problem
	warnings []dcc.Problem
}

func (f *filler) bad(path string, t i18n.Text) {
	f.problems = append(f.problems, dcc.Problem{Path: path, Reason: t.EN, Text: t})
}

// preset sets key of obj to want, or checks that the caller's value is want.
func (f *filler) preset(obj map[string]any, path, key, want string, why i18n.Text) {
	v, ok := obj[key]
	if !ok {
		obj[key] = want
		return
	}
	if s, isString := v.(string); !isString || s != want {
		f.bad(path+key, msg.Preset.With(want, why))
	}
}

func (f *filler) fill(body map[string]any) {
	group := string(f.t)
	var history any
	if h, ok := body["history"]; ok {
		history = h
		delete(body, "history")
	}
	for _, g := range []string{"v", "t", "r"} {
		if _, ok := body[g]; ok && g != group {
			f.bad(g, msg.OtherGroup.With(deployment.TypeText(f.t), group))
		}
	}
	f.preset(body, "", "ver", dcc.SchemaVersion, msg.WhyVer)
	f.fillNames(body)

	entries, ok := body[group].([]any)
	if !ok || len(entries) != 1 {
		f.bad(group, msg.OneEntry.With(deployment.TypeText(f.t)))
		return
	}
	e, ok := entries[0].(map[string]any)
	if !ok {
		f.bad(group+"[0]", msg.MustObject)
		return
	}
	f.entry = e
	path := group + "[0]."
	if _, ok := e["ci"]; ok {
		f.bad(path+"ci", msg.NoCI)
	}
	if _, ok := e["tg"]; !ok {
		e["tg"] = "840539006" // COVID-19, the only disease of the DCC
	}
	if _, ok := e["co"]; !ok {
		e["co"] = f.s.dep.Country()
	}
	f.preset(e, path, "is", f.auth.Name, msg.WhyIs)
	if f.lab.ID != "" {
		f.preset(e, path, "tc", f.lab.Name, msg.WhyTC)
	}
	if history != nil {
		if f.t != dcc.Vaccination {
			f.bad("history", msg.HistoryVaccination)
		} else {
			f.fillDoses(e, path, history)
		}
	}
	if f.t == dcc.Vaccination {
		f.fillProduct(e, path)
	}
}

// fillNames adds the ICAO 9303 transliteration of fn and gn when fnt and gnt
// are absent (Annex V §3.2).
func (f *filler) fillNames(body map[string]any) {
	nam, ok := body["nam"].(map[string]any)
	if !ok {
		return // validation reports it
	}
	for _, k := range []string{"fn", "gn"} {
		src, ok := nam[k].(string)
		if _, has := nam[k+"t"]; has || !ok || src == "" {
			continue
		}
		out, truncated, err := translit.ICAO(src)
		if err != nil {
			f.bad("nam."+k+"t", msg.NoTranslit.With(k, translitText(err)))
			continue
		}
		nam[k+"t"] = out
		if truncated {
			t := msg.TranslitCut.With(k, translit.MaxLen)
			f.warnings = append(f.warnings, dcc.Problem{Path: "nam." + k + "t", Severity: dcc.Warning, Reason: t.EN, Text: t})
		}
	}
}

// fillDoses numbers the dose history (Annex II §5) and describes its last
// dose: the certificate is for the latest vaccination.
func (f *filler) fillDoses(e map[string]any, path string, history any) {
	raw, err := json.Marshal(history)
	if err != nil {
		f.bad("history", msg.HistoryUnreadable.With(err))
		return
	}
	h, err := doses.DecodeHistory(raw)
	if err != nil {
		var fe *doses.FieldError
		if errors.As(err, &fe) {
			f.bad("history."+fe.Field, doses.Explain(fe.Err))
		} else {
			f.bad("history", doses.Explain(err))
		}
		return
	}
	numbered, err := doses.Number(h, f.s.doses)
	if err != nil {
		f.bad("history", doses.Explain(err))
		return
	}
	last := numbered[len(numbered)-1]
	set := func(key string, want any, shown string) {
		v, ok := e[key]
		if !ok {
			e[key] = want
			return
		}
		if fmt.Sprint(v) != shown {
			f.bad(path+key, msg.HistoryDiffers.With(v, shown))
		}
	}
	set("dn", json.Number(fmt.Sprint(last.DN)), fmt.Sprint(last.DN))
	set("sd", json.Number(fmt.Sprint(last.SD)), fmt.Sprint(last.SD))
	set("dt", last.Date, last.Date)
	set("mp", last.Product, last.Product)
}

// fillProduct adds v/ma and v/vp from the official encoding instructions of
// the product (value-set guidelines, Annex A) when they are absent and the
// instructions give one answer.
func (f *filler) fillProduct(e map[string]any, path string) {
	mp, ok := e["mp"].(string)
	if !ok || mp == "" {
		return
	}
	enc, ok := f.s.vs.Encoding(mp)
	if !ok || enc.VaccineCode != mp {
		return
	}
	if _, has := e["ma"]; !has && enc.Manufacturer != "" {
		e["ma"] = enc.Manufacturer
	}
	if _, has := e["vp"]; !has {
		if vp := specificCode(enc.SCTCodes); vp != "" {
			e["vp"] = vp
		}
	}
}

// genericVaccine is SNOMED CT "COVID-19 vaccine": Annex A lists it beside
// the code of the vaccine's kind (mRNA, viral vector, …), which says more.
const genericVaccine = "28531000087107"

// specificCode returns the one code of the vaccine's kind among the
// acceptable v/vp codes, or the generic code if it is the only one.
func specificCode(codes []string) string {
	var specific []string
	for _, c := range codes {
		if c != genericVaccine {
			specific = append(specific, c)
		}
	}
	switch {
	case len(specific) == 1:
		return specific[0]
	case len(specific) == 0 && len(codes) == 1:
		return codes[0]
	}
	return ""
}

// Reissue issues a new certificate replacing one the principal may see, and
// revokes the old one as replaced, in one transaction. An empty body
// re-issues the same content under a new UVCI (e.g. after a DSC change);
// otherwise the body is a corrected request of the same type.
func (s *Service) Reissue(ctx context.Context, p deployment.Principal, id string, req Request, reason string) (*Issued, error) {
	old, _, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if req.Type == "" {
		req.Type = old.Type
	}
	if req.Type != old.Type {
		return nil, invalid("type", msg.ReissueType.With(deployment.TypeText(old.Type), deployment.TypeText(old.Type), deployment.TypeText(req.Type)))
	}
	if len(strings.TrimSpace(string(req.Body))) == 0 {
		body, err := reissueBody(old)
		if err != nil {
			return nil, err
		}
		req.Body = body
	}
	if strings.TrimSpace(reason) == "" {
		reason = "re-issued"
	}
	return s.issue(ctx, p, req, id, reason)
}

// reissueBody is the old payload without what the issuing system fills in
// afresh.
func reissueBody(old *Issued) ([]byte, error) {
	tree, err := dcc.DecodeJSON(old.Payload)
	if err != nil {
		return nil, fmt.Errorf("issuance: stored payload: %w", err)
	}
	m, _ := tree.(map[string]any)
	delete(m, "ver")
	if es, ok := m[string(old.Type)].([]any); ok && len(es) == 1 {
		if e, ok := es[0].(map[string]any); ok {
			delete(e, "ci")
		}
	}
	return json.Marshal(m)
}

// translitText says why a name has no ICAO 9303 transliteration, in both
// languages.
func translitText(err error) i18n.Text {
	var ue *translit.UnsupportedError
	var ie *translit.InvalidCharError
	switch {
	case errors.As(err, &ue):
		return msg.TranslitScript.With(string(ue.Rune), ue.Script)
	case errors.As(err, &ie):
		return msg.TranslitChar.With(string(ie.Rune))
	case errors.Is(err, translit.ErrEmpty):
		return msg.TranslitEmpty
	}
	return i18n.Text{ES: err.Error(), EN: err.Error()}
}
