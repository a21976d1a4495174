package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"dcc"
	"dcc/i18n"
	"dcc/internal/server"
	"dcc/valueset"
	"dcc/verify"
)

// The verify page reads a certificate's QR code — with the device camera
// (assets/verify.js), from an uploaded photo, or as pasted "HC1:" text —
// and shows the verifier's one clear state. It is public: the people who
// check certificates at borders and venues hold no credentials here.
// Personal data travels only in POST bodies and in the result page, which
// is never cached, and is never logged: the URL carries the options at
// most.

const (
	// maxVerifyField bounds a text field of the verify form: the options
	// and the HC1 text (verify.MaxText characters at most; a longer one is
	// refused by the verifier with a clear reason).
	maxVerifyField = 8 << 10
	// maxVerifyParts bounds the parts of a multipart body; the form has six.
	maxVerifyParts = 16
	// maxLimited bounds the client addresses the rate limiter remembers.
	maxLimited = 10_000
	// defaultVerifyLang: the UI speaks Spanish first.
	defaultVerifyLang = "es"
)

var (
	errTooLarge   = errors.New("web: the upload is too large")
	errUnreadable = errors.New("web: the form cannot be read")
	errMediaType  = errors.New("web: not a form")
)

// verifyForm holds the options of the verify form as typed, to show them
// again: the next certificate is usually checked with the same ones.
type verifyForm struct {
	Country, Region, Lang, At string
}

func verifyFormFrom(get func(string) string) verifyForm {
	return verifyForm{
		Country: strings.ToUpper(strings.TrimSpace(get("country"))),
		Region:  strings.TrimSpace(get("region")),
		Lang:    strings.TrimSpace(get("lang")),
		At:      strings.TrimSpace(get("at")),
	}
}

// verifyInput is one request: a photo (an upload or a camera frame) or a
// text, and the options.
type verifyInput struct {
	form  verifyForm
	image []byte // nil: none chosen
	text  string
}

// verifyPage is the page: the form, and the result or what went wrong.
type verifyPage struct {
	Options  []field // country of arrival, region
	NoRules  i18n.Text
	Lang     string
	At       field
	Problems []i18n.Text
	Notice   *verifyNotice
	Result   *resultView
	MaxMB    string // the photo's size limit, for the hint
}

// verifyNotice explains why nothing was verified. Technical is the
// reader's own detail (a decoder's exception), for operators.
type verifyNotice struct {
	Heading, Detail, Hint i18n.Text
	Technical             string
}

// resultView is the verifier's result in people's words. Holder and
// Certificate are filled only when the signature verified: before that the
// content is whatever anyone wrote.
type resultView struct {
	Class   string // valid, invalid, not-accepted: the colour
	Heading i18n.Text
	Reason  i18n.Text // from the verifier, in both languages
	// Technical is the reason's detail for operators, shown folded.
	Technical string
	Signer    i18n.Text // what the trust list holds, for an unknown signer
	Country   string    // of arrival, by name, when its rules were checked
	Failed    []ruleView
	Note      i18n.Text
	Holder    []kv
	Cert      []kv
	Checks    []checkView
	At        string // the validation time
}

type ruleView struct {
	ID, Country, Type, Result string
	Description               i18n.Text
}

type checkView struct {
	Name, Status i18n.Text
	Class        string
	Detail       string // technical
}

func (u *UI) verifyPage(w http.ResponseWriter, r *http.Request) {
	// The options may come in the query (a bookmark for a venue's
	// country); nothing personal ever does.
	f := verifyFormFrom(r.URL.Query().Get)
	_, problems := u.verifyOptions(f)
	u.renderVerify(w, r, http.StatusOK, f, problems, nil, nil)
}

// verifyPost verifies what the form or the script sent. The script's
// camera frames ask for JSON and learn only whether a code was read; the
// result itself is always this server-rendered page.
func (u *UI) verifyPost(w http.ResponseWriter, r *http.Request) {
	asJSON := wantsJSON(r)
	// Nothing changes here, but another site must not use its visitors'
	// browsers (and their addresses' rate limits) as a verifier.
	if u.cop.Check(r) != nil {
		if asJSON {
			writeFrameAnswer(w, http.StatusForbidden, frameAnswer{Message: u.vt.Refused.String()})
			return
		}
		u.forbiddenCSRF(w, r, u.session(r))
		return
	}
	m := u.vt
	if !u.limiter.allow(remoteIP(r)) {
		w.Header().Set("Retry-After", "1")
		u.verifyRefused(w, r, asJSON, http.StatusTooManyRequests, verifyForm{}, nil, &verifyNotice{Heading: m.TooMany, Detail: m.TooManyDetail})
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		// A photo may come: its body is held only within the places of the
		// image decoders.
		done, ok := u.c.API.AdmitImage()
		if !ok {
			u.decodersBusy(w, r, asJSON, verifyForm{})
			return
		}
		defer done()
	}
	in, err := u.readVerify(w, r)
	if err != nil {
		status, n := u.readFailure(err)
		u.verifyRefused(w, r, asJSON, status, in.form, nil, n)
		return
	}
	o, problems := u.verifyOptions(in.form)
	if len(problems) > 0 {
		u.verifyRefused(w, r, asJSON, http.StatusUnprocessableEntity, in.form, problems, nil)
		return
	}
	if in.image == nil && strings.TrimSpace(in.text) == "" {
		u.verifyRefused(w, r, asJSON, http.StatusUnprocessableEntity, in.form, nil, &verifyNotice{Heading: m.Nothing, Detail: m.NothingDetail})
		return
	}
	res, err := u.runVerify(r.Context(), in, o)
	var tl *server.ImageTooLargeError
	switch {
	case errors.As(err, &tl):
		u.verifyRefused(w, r, asJSON, http.StatusRequestEntityTooLarge, in.form, nil, &verifyNotice{Heading: m.PhotoTooLarge,
			Detail: m.PhotoPixelsDetail.With(tl.Width, tl.Height, tl.MaxPixels/1_000_000), Hint: m.SmallerPhoto})
		return
	case errors.Is(err, server.ErrImageBusy):
		u.decodersBusy(w, r, asJSON, in.form)
		return
	case err != nil: // the client left while waiting for a turn
		return
	}
	read := !failed(res, "qr")
	if asJSON {
		writeFrameAnswer(w, http.StatusOK, frameAnswer{Read: read})
		return
	}
	if !read {
		// Not INVALID: nothing was read, so nothing is known about the
		// certificate; the photo is what to improve.
		n := &verifyNotice{Heading: m.NoCode, Detail: res.Explanation.Text(), Hint: m.NoCodeHint}
		if res.Explanation != nil {
			n.Technical = res.Explanation.Technical
		}
		u.renderVerify(w, r, http.StatusUnprocessableEntity, in.form, nil, n, nil)
		return
	}
	u.renderVerify(w, r, http.StatusOK, in.form, nil, nil, u.resultView(res, o))
}

// decodersBusy answers a photo that found every place of the image
// decoders taken.
func (u *UI) decodersBusy(w http.ResponseWriter, r *http.Request, asJSON bool, f verifyForm) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int((u.c.API.ImageWait+time.Second-1)/time.Second))))
	m := u.vt
	u.verifyRefused(w, r, asJSON, http.StatusTooManyRequests, f, nil, &verifyNotice{Heading: m.Busy, Detail: m.BusyDetail})
}

// verifyRefused answers a request that verified nothing: the script gets
// the message, a person the form again with it.
func (u *UI) verifyRefused(w http.ResponseWriter, r *http.Request, asJSON bool, status int, f verifyForm, problems []i18n.Text, n *verifyNotice) {
	if asJSON {
		var parts []string
		for _, p := range problems {
			parts = append(parts, p.String())
		}
		msg := strings.Join(parts, " ")
		if n != nil {
			msg = n.Detail.String()
		}
		writeFrameAnswer(w, status, frameAnswer{Message: msg})
		return
	}
	u.renderVerify(w, r, status, f, problems, n, nil)
}

// readVerify reads the form: multipart (the photo form and the script's
// frames) or URL-encoded (the text). The body is bounded here too, for a
// UI mounted without the API's middleware.
func (u *UI) readVerify(w http.ResponseWriter, r *http.Request) (verifyInput, error) {
	var in verifyInput
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
		r.Body = http.MaxBytesReader(w, r.Body, u.c.API.MaxImageBytes+maxForm)
		err := u.readMultipart(r, &in)
		return in, err
	case "application/x-www-form-urlencoded":
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			return in, readError(err)
		}
		// PostForm, not Form: the URL's query never counts as the form.
		in.form = verifyFormFrom(r.PostForm.Get)
		in.text = r.PostForm.Get("hc1")
		return in, nil
	}
	return in, errMediaType
}

// readMultipart streams the parts into memory. ParseMultipartForm would
// write a large photo of someone's certificate to a temporary file.
func (u *UI) readMultipart(r *http.Request, in *verifyInput) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return fmt.Errorf("%w: %w", errUnreadable, err)
	}
	fields := map[string]string{}
	defer func() { in.form = verifyFormFrom(func(k string) string { return fields[k] }) }()
	for n := 0; ; n++ {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return readError(err)
		}
		if n == maxVerifyParts {
			return fmt.Errorf("%w: more than %d parts", errUnreadable, maxVerifyParts)
		}
		switch name := p.FormName(); name {
		case "photo":
			b, err := readAtMost(p, u.c.API.MaxImageBytes)
			if err != nil {
				return err
			}
			if len(b) > 0 { // a browser sends an empty part when no file is chosen
				in.image = b
			}
		case "hc1", "country", "region", "lang", "at":
			b, err := readAtMost(p, maxVerifyField)
			if err != nil {
				return err
			}
			fields[name] = string(b)
		default:
			if _, err := io.Copy(io.Discard, p); err != nil {
				return readError(err)
			}
		}
	}
	in.text = fields["hc1"]
	return nil
}

func readAtMost(r io.Reader, n int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, n+1))
	if err != nil {
		return nil, readError(err)
	}
	if int64(len(b)) > n {
		return nil, fmt.Errorf("%w: a part over %d bytes", errTooLarge, n)
	}
	return b, nil
}

func readError(err error) error {
	if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return fmt.Errorf("%w: over %d bytes", errTooLarge, mbe.Limit)
	}
	return fmt.Errorf("%w: %w", errUnreadable, err)
}

// readFailure explains a body that could not be read.
func (u *UI) readFailure(err error) (int, *verifyNotice) {
	m := u.vt
	switch {
	case errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge, &verifyNotice{Heading: m.FileTooLarge, Detail: m.FileTooLargeDetail.With(u.maxMB()), Hint: m.SmallerPhoto}
	case errors.Is(err, errMediaType):
		return http.StatusUnsupportedMediaType, &verifyNotice{Heading: m.Unreadable, Detail: m.SendThisForm}
	}
	return http.StatusBadRequest, &verifyNotice{Heading: m.Unreadable, Detail: m.UnreadableAgain}
}

func (u *UI) maxMB() string {
	return strconv.FormatFloat(float64(u.c.API.MaxImageBytes)/(1<<20), 'f', -1, 64)
}

// verifyOptions checks the options; problems are shown with the form.
func (u *UI) verifyOptions(f verifyForm) (verify.Options, []i18n.Text) {
	m := u.vt
	var problems []i18n.Text
	o := verify.Options{At: u.c.Now(), Country: f.Country, Region: f.Region, Lang: f.Lang}
	if o.Lang == "" {
		o.Lang = defaultVerifyLang
	}
	if o.Lang != "es" && o.Lang != "en" {
		problems = append(problems, m.BadLang)
	}
	if o.Country != "" && (len(o.Country) != 2 || strings.Trim(o.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		problems = append(problems, m.BadCountry)
	}
	if len(o.Region) > 16 || strings.Trim(o.Region, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		problems = append(problems, m.BadRegion)
	}
	if f.At != "" {
		at, ok := u.localTime(f.At)
		if !ok {
			problems = append(problems, m.BadAt)
		}
		o.At = at
	}
	return o, problems
}

// localTime reads a datetime-local value in the UI's location (RFC 3339
// too, for scripts and bookmarks).
func (u *UI) localTime(v string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, v, u.c.Location); err == nil {
			return t, true
		}
	}
	t, err := time.Parse(time.RFC3339, v)
	return t, err == nil
}

// runVerify verifies the photo or the text; a photo within the API's
// decoding bounds, which the API's own verification shares.
func (u *UI) runVerify(ctx context.Context, in verifyInput, o verify.Options) (verify.Result, error) {
	if in.image == nil {
		return u.c.Verifier.Text(ctx, in.text, o), nil
	}
	return u.c.API.VerifyImage(ctx, u.c.Verifier, in.image, o)
}

func failed(res verify.Result, check string) bool {
	for _, c := range res.Checks {
		if c.Name == check && c.Status == verify.Fail {
			return true
		}
	}
	return false
}

func passed(res verify.Result, check string) bool {
	for _, c := range res.Checks {
		if c.Name == check && c.Status == verify.Pass {
			return true
		}
	}
	return false
}

// resultView turns a result into the page's words. An unknown state is
// shown as INVALID: a verifier's page must never say more than it knows.
func (u *UI) resultView(res verify.Result, o verify.Options) *resultView {
	m := u.vt
	v := &resultView{Reason: res.Explanation.Text(), Signer: res.Note.Text(), At: u.when(o.At)}
	if res.Explanation != nil {
		v.Technical = res.Explanation.Technical
	}
	switch res.State {
	case verify.Valid:
		v.Class, v.Heading = "valid", m.Valid
	case verify.NotAccepted:
		v.Class, v.Heading = "not-accepted", m.NotAccepted
	default:
		v.Class, v.Heading = "invalid", m.Invalid
	}
	if res.Country != "" {
		v.Country = u.countryName(res.Country)
	}
	for _, rl := range res.Rules {
		if rl.Result != verify.Pass {
			d := i18n.Text{ES: rl.Description, EN: rl.Description}
			if rl.Descriptions != nil {
				d = rl.Descriptions.Text()
			}
			v.Failed = append(v.Failed, ruleView{ID: rl.Identifier, Country: rl.Country, Type: rl.Type,
				Result: u.statusLabel(rl.Result).String(), Description: d})
		}
	}
	for _, c := range res.Checks {
		v.Checks = append(v.Checks, checkView{Name: u.checkLabel(c.Name), Status: u.statusLabel(c.Status), Class: string(c.Status), Detail: c.Detail})
		if c.Name == "rules" && c.Status == verify.Skipped && o.Country != "" {
			v.Note = m.RulesNotChecked.With(u.countryName(o.Country))
		}
	}
	// Only a verified signature makes the content the issuer's word.
	if res.Holder == nil || !passed(res, "signature") {
		return v
	}
	h := res.Holder
	add := func(list *[]kv, key, value string) {
		if value != "" {
			*list = append(*list, kv{label(key), value})
		}
	}
	add(&v.Holder, "nam.fn", h.FamilyName)
	add(&v.Holder, "nam.gn", h.GivenName)
	add(&v.Holder, "nam.fnt", h.FamilyNameICAO)
	add(&v.Holder, "nam.gnt", h.GivenNameICAO)
	dob := h.DateOfBirth
	if dob == "" {
		dob = m.UnknownDOB.String() // Annex V: an empty dob is an unknown date of birth
	}
	add(&v.Holder, "dob", dob)
	if res.Type != "" {
		add(&v.Cert, "type", typeLabel(res.Type))
	}
	name := func(c *verify.Coded) string {
		if c == nil {
			return ""
		}
		return c.Text().String()
	}
	if e := res.Event; e != nil {
		switch res.Type {
		case dcc.Vaccination:
			if e.Dose > 0 {
				add(&v.Cert, "doses", m.DoseOf.With(e.Dose, e.Doses).String())
			}
			add(&v.Cert, "v.mp", name(e.Product))
			add(&v.Cert, "v.vp", name(e.Vaccine))
			add(&v.Cert, "v.ma", name(e.Manufacturer))
			add(&v.Cert, "v.dt", e.Date)
			add(&v.Cert, "v.co", name(e.Country))
		case dcc.Test:
			add(&v.Cert, "t.tt", name(e.TestType))
			add(&v.Cert, "t.tr", name(e.TestResult))
			add(&v.Cert, "t.sc", u.sampleShown(e.SampleTime))
			add(&v.Cert, "t.nm", e.TestName)
			add(&v.Cert, "t.ma", name(e.TestDevice))
			add(&v.Cert, "t.tc", e.Centre)
			add(&v.Cert, "t.co", name(e.Country))
		case dcc.Recovery:
			add(&v.Cert, "r.fr", e.FirstPositive)
			if e.ValidFrom != "" || e.ValidUntil != "" {
				v.Cert = append(v.Cert, kv{m.Validity.String(), m.ValidityRange.With(e.ValidFrom, e.ValidUntil).String()})
			}
			add(&v.Cert, "r.co", name(e.Country))
		}
	}
	v.Cert = append(v.Cert, kv{m.IssuedOn.String(), u.when(res.IssuedAt)}, kv{m.ExpiresOn.String(), u.when(res.Expires)})
	if res.Issuer != "" {
		v.Cert = append(v.Cert, kv{m.IssuingCountry.String(), u.countryName(res.Issuer)})
	}
	return v
}

// countryName is a country's name in both languages, with its code.
func (u *UI) countryName(code string) string {
	if _, ok := u.c.ValueSets.Country(code); ok {
		return u.c.ValueSets.Name(valueset.CountryCodes, code).String() + " (" + code + ")"
	}
	return code
}

func (u *UI) checkLabel(name string) i18n.Text {
	if l, ok := u.vt.Checks[name]; ok {
		return l
	}
	return i18n.Text{ES: name, EN: name}
}

func (u *UI) statusLabel(s verify.Status) i18n.Text {
	if l, ok := u.vt.Statuses[string(s)]; ok {
		return l
	}
	return i18n.Text{ES: string(s), EN: string(s)}
}

// ruleCountries are the countries of arrival the verifier has rules of;
// known is false where it does not say.
func (u *UI) ruleCountries() (countries []string, known bool) {
	rc, ok := u.c.Verifier.(interface{ RuleCountries() ([]string, bool) })
	if !ok {
		return nil, false
	}
	return rc.RuleCountries()
}

// arrivalOptions are the countries of arrival offered: those whose rules
// are loaded, or every country where the verifier does not say. A country
// chosen before (a bookmark) stays, so that the page can say its rules
// were not checked.
func (u *UI) arrivalOptions(chosen string) (opts []option, none bool) {
	countries, known := u.ruleCountries()
	all := u.options(setCountry, false)
	if !known {
		return all, false
	}
	for _, o := range all {
		if o.Value == chosen || slices.Contains(countries, o.Value) {
			opts = append(opts, o)
		}
	}
	return opts, len(countries) == 0
}

func (u *UI) renderVerify(w http.ResponseWriter, r *http.Request, status int, f verifyForm, problems []i18n.Text, n *verifyNotice, res *resultView) {
	lang := f.Lang
	if lang == "" {
		lang = defaultVerifyLang
	}
	zone, _ := u.c.Now().In(u.c.Location).Zone()
	m := u.vt
	arrival, none := u.arrivalOptions(f.Country)
	pg := verifyPage{Lang: lang}
	if none && f.Country == "" {
		pg.NoRules = m.NoRules
	} else {
		pg.Options = []field{
			{Name: "country", Label: "País de destino / Country of arrival", Kind: "select", Value: f.Country,
				Options: arrival, Empty: m.NoCountryRules.String(), Hint: m.CountryHint.String()},
			{Name: "region", Label: "Región (opcional) / Region (optional)", Value: f.Region,
				Hint: "Solo para reglas regionales, p. ej. AN. / Only for regional rules, e.g. AN."},
		}
	}
	pg = verifyPage{
		Options: pg.Options,
		NoRules: pg.NoRules,
		Lang:    lang,
		At: field{Name: "at", Label: "Fecha y hora de la verificación / Validation time", Kind: "datetime", Value: f.At, Step: "1",
			Hint: "Vacío: ahora. Hora de " + zone + ". / Empty: now. Time in " + zone + "."},
		Problems: problems,
		Notice:   n,
		Result:   res,
		MaxMB:    u.maxMB(),
	}
	u.render(w, r, u.session(r), status, "verify", "Verificar / Verify", pg)
}

// frameAnswer tells the script whether a camera frame held a readable
// code, and nothing of the certificate: the script then submits that
// frame with the form, and the result page shows the rest.
type frameAnswer struct {
	Read    bool   `json:"read"`
	Message string `json:"message,omitempty"`
}

func writeFrameAnswer(w http.ResponseWriter, status int, a frameAnswer) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(a)
}

// wantsJSON: the script asks for JSON; a browser's navigation never does.
func wantsJSON(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "application/json" {
			return true
		}
	}
	return false
}

// addressLimiter limits verifications per client address, as the API
// limits POST /api/v1/verify: the page asks for no credentials, and
// reading a photo costs the server far more than sending it costs anyone.
type addressLimiter struct {
	mu    sync.Mutex
	m     map[string]*rate.Limiter
	limit rate.Limit
	burst int
}

func newAddressLimiter(perSecond float64, burst int) *addressLimiter {
	if perSecond <= 0 {
		perSecond = 100
	}
	if burst < 1 {
		burst = max(1, int(perSecond))
	}
	return &addressLimiter{m: map[string]*rate.Limiter{}, limit: rate.Limit(perSecond), burst: burst}
}

func (l *addressLimiter) allow(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.m[addr]
	if !ok {
		if len(l.m) >= maxLimited {
			l.forgetIdle()
		}
		lim = rate.NewLimiter(l.limit, l.burst)
		l.m[addr] = lim
	}
	return lim.Allow()
}

// forgetIdle drops the addresses whose allowance is full again, which
// changes nothing for them; if every one is busy it starts afresh rather
// than grow without bound.
func (l *addressLimiter) forgetIdle() {
	for k, x := range l.m {
		if x.Tokens() >= float64(l.burst) {
			delete(l.m, k)
		}
	}
	if len(l.m) >= maxLimited {
		clear(l.m)
	}
}
