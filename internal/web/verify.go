package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"dcc"
	"dcc/internal/server"
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
	Lang     string
	At       field
	Problems []string
	Notice   *verifyNotice
	Result   *resultView
	MaxMB    string // the photo's size limit, for the hint
}

// verifyNotice explains why nothing was verified.
type verifyNotice struct {
	Heading, Detail, Hint string
}

// resultView is the verifier's result in people's words. Holder and
// Certificate are filled only when the signature verified: before that the
// content is whatever anyone wrote.
type resultView struct {
	Class   string // valid, invalid, not-accepted: the colour
	Heading string
	Reason  string // in the language chosen, from the verifier
	Country string // of arrival, by name, when its rules were checked
	Failed  []ruleView
	Note    string
	Holder  []kv
	Cert    []kv
	Checks  []checkView
	At      string // the validation time
}

type ruleView struct {
	ID, Country, Type, Result, Description string
}

type checkView struct {
	Name, Status, Class, Detail string
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
			writeFrameAnswer(w, http.StatusForbidden, frameAnswer{Message: "Solicitud rechazada. / Request refused."})
			return
		}
		u.forbiddenCSRF(w, r, u.session(r))
		return
	}
	if !u.limiter.allow(remoteIP(r)) {
		w.Header().Set("Retry-After", "1")
		u.verifyRefused(w, r, asJSON, http.StatusTooManyRequests, verifyForm{}, nil, &verifyNotice{
			Heading: "Demasiadas verificaciones / Too many verifications",
			Detail: "Se han enviado demasiadas verificaciones desde esta dirección; espere un momento y vuelva a intentarlo. / " +
				"Too many verifications were sent from this address; wait a moment and try again."})
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
		u.verifyRefused(w, r, asJSON, http.StatusUnprocessableEntity, in.form, nil, &verifyNotice{
			Heading: "Nada que verificar / Nothing to verify",
			Detail:  "Elija una foto del código QR o pegue el texto del código. / Choose a photo of the QR code or paste the code's text."})
		return
	}
	res, err := u.runVerify(r.Context(), in, o)
	var tl *server.ImageTooLargeError
	switch {
	case errors.As(err, &tl):
		u.verifyRefused(w, r, asJSON, http.StatusRequestEntityTooLarge, in.form, nil, &verifyNotice{
			Heading: "Foto demasiado grande / Photo too large",
			Detail: fmt.Sprintf("La foto tiene %d×%d píxeles; el límite es de %d megapíxeles. / The photo has %d×%d pixels; the limit is %d megapixels.",
				tl.Width, tl.Height, tl.MaxPixels/1_000_000, tl.Width, tl.Height, tl.MaxPixels/1_000_000),
			Hint: "Una foto del código recortada o de menor resolución basta. / A cropped or smaller photo of the code is enough."})
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
		u.renderVerify(w, r, http.StatusUnprocessableEntity, in.form, nil, &verifyNotice{
			Heading: "No se ha encontrado ningún código QR / No QR code found",
			Detail:  res.Reason,
			Hint: "Use una foto PNG o JPEG nítida, con el código entero, de frente y sin reflejos. / " +
				"Use a sharp PNG or JPEG photo showing the whole code, straight on and without glare.",
		}, nil)
		return
	}
	u.renderVerify(w, r, http.StatusOK, in.form, nil, nil, u.resultView(res, o))
}

// decodersBusy answers a photo that found every place of the image
// decoders taken.
func (u *UI) decodersBusy(w http.ResponseWriter, r *http.Request, asJSON bool, f verifyForm) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int((u.c.API.ImageWait+time.Second-1)/time.Second))))
	u.verifyRefused(w, r, asJSON, http.StatusTooManyRequests, f, nil, &verifyNotice{
		Heading: "Servicio ocupado / Service busy",
		Detail: "Se están leyendo muchas fotos en este momento; vuelva a intentarlo en unos segundos o pegue el texto del código. / " +
			"Many photos are being read right now; try again in a few seconds, or paste the code's text."})
}

// verifyRefused answers a request that verified nothing: the script gets
// the message, a person the form again with it.
func (u *UI) verifyRefused(w http.ResponseWriter, r *http.Request, asJSON bool, status int, f verifyForm, problems []string, n *verifyNotice) {
	if asJSON {
		msg := strings.Join(problems, " ")
		if n != nil {
			msg = n.Detail
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
	switch {
	case errors.Is(err, errTooLarge):
		mb := u.maxMB()
		return http.StatusRequestEntityTooLarge, &verifyNotice{Heading: "Archivo demasiado grande / File too large",
			Detail: "La foto no puede superar " + mb + " MB. / The photo must not exceed " + mb + " MB.",
			Hint:   "Una foto del código recortada o de menor resolución basta. / A cropped or smaller photo of the code is enough."}
	case errors.Is(err, errMediaType):
		return http.StatusUnsupportedMediaType, &verifyNotice{Heading: "Formulario ilegible / Form not readable",
			Detail: "Envíe el formulario de esta página. / Send this page's form."}
	}
	return http.StatusBadRequest, &verifyNotice{Heading: "Formulario ilegible / Form not readable",
		Detail: "El formulario enviado no se pudo leer; vuelva a intentarlo. / The form sent could not be read; try again."}
}

func (u *UI) maxMB() string {
	return strconv.FormatFloat(float64(u.c.API.MaxImageBytes)/(1<<20), 'f', -1, 64)
}

// verifyOptions checks the options; problems are shown with the form.
func (u *UI) verifyOptions(f verifyForm) (verify.Options, []string) {
	var problems []string
	o := verify.Options{At: u.c.Now(), Country: f.Country, Region: f.Region, Lang: f.Lang}
	if o.Lang == "" {
		o.Lang = defaultVerifyLang
	}
	if o.Lang != "es" && o.Lang != "en" {
		problems = append(problems, "Idioma: elija español o inglés. / Language: choose Spanish or English.")
	}
	if o.Country != "" && (len(o.Country) != 2 || strings.Trim(o.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		problems = append(problems, "País de destino: elija un país de la lista. / Country of arrival: choose a country of the list.")
	}
	if len(o.Region) > 16 || strings.Trim(o.Region, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		problems = append(problems, "Región: un código de letras y cifras, p. ej. AN. / Region: a code of letters and digits, e.g. AN.")
	}
	if f.At != "" {
		at, ok := u.localTime(f.At)
		if !ok {
			problems = append(problems, "Fecha y hora de la verificación: no es una fecha y hora válidas. / Validation time: not a valid date and time.")
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
	v := &resultView{Reason: res.Reason, At: u.when(o.At)}
	switch res.State {
	case verify.Valid:
		v.Class, v.Heading = "valid", "VÁLIDO / VALID"
	case verify.NotAccepted:
		v.Class, v.Heading = "not-accepted", "NO ACEPTADO / NOT ACCEPTED"
	default:
		v.Class, v.Heading = "invalid", "NO VÁLIDO / INVALID"
	}
	if res.Country != "" {
		v.Country = u.countryName(res.Country)
	}
	for _, rl := range res.Rules {
		if rl.Result != verify.Pass {
			v.Failed = append(v.Failed, ruleView{ID: rl.Identifier, Country: rl.Country, Type: rl.Type,
				Result: statusLabel(rl.Result), Description: rl.Description})
		}
	}
	for _, c := range res.Checks {
		v.Checks = append(v.Checks, checkView{Name: checkLabel(c.Name), Status: statusLabel(c.Status), Class: string(c.Status), Detail: c.Detail})
		if c.Name == "rules" && c.Status == verify.Skipped && o.Country != "" {
			name := u.countryName(o.Country)
			v.Note = "No se han comprobado las reglas de " + name + ": no hay reglas configuradas. / " +
				"The rules of " + name + " were not checked: none are configured."
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
		dob = "desconocida / unknown" // Annex V: an empty dob is an unknown date of birth
	}
	add(&v.Holder, "dob", dob)
	if res.Type != "" {
		add(&v.Cert, "type", typeLabel(res.Type))
	}
	switch res.Type {
	case dcc.Vaccination:
		add(&v.Cert, "v.dt", res.EventDate)
	case dcc.Test:
		add(&v.Cert, "t.sc", u.sampleShown(res.EventDate))
	case dcc.Recovery:
		add(&v.Cert, "r.fr", res.EventDate)
	}
	v.Cert = append(v.Cert, kv{"Emitido el / Issued on", u.when(res.IssuedAt)}, kv{"Caduca el / Expires on", u.when(res.Expires)})
	if res.Issuer != "" {
		v.Cert = append(v.Cert, kv{"País emisor / Issuing country", u.countryName(res.Issuer)})
	}
	return v
}

// countryName is a country's name in the value set, with its code.
func (u *UI) countryName(code string) string {
	if name, ok := u.c.ValueSets.Country(code); ok && name != "" {
		return name + " (" + code + ")"
	}
	return code
}

// checkLabels name the verifier's checks (verify.Result.Checks).
var checkLabels = map[string]string{
	"qr":           "Lectura del código QR / QR code read",
	"decode":       "Descodificación / Decoding",
	"kid":          "Firmante conocido / Known signer",
	"alg":          "Algoritmo de firma / Signature algorithm",
	"signature":    "Firma / Signature",
	"expiry":       "Vigencia / Validity period",
	"dsc-validity": "Validez del certificado del firmante / Signer's certificate validity",
	"key-usage":    "Uso permitido de la clave / Permitted key usage",
	"chain":        "Cadena de confianza / Chain of trust",
	"schema":       "Contenido / Content",
	"revocation":   "Revocación / Revocation",
	"rules":        "Reglas del país de destino / Rules of the country of arrival",
}

func checkLabel(name string) string {
	if l, ok := checkLabels[name]; ok {
		return l
	}
	return name
}

func statusLabel(s verify.Status) string {
	switch s {
	case verify.Pass:
		return "Correcto / Passed"
	case verify.Fail:
		return "Fallido / Failed"
	case verify.Open:
		return "Sin decidir / Undecided"
	case verify.Skipped:
		return "No aplicado / Skipped"
	}
	return string(s)
}

func (u *UI) renderVerify(w http.ResponseWriter, r *http.Request, status int, f verifyForm, problems []string, n *verifyNotice, res *resultView) {
	lang := f.Lang
	if lang == "" {
		lang = defaultVerifyLang
	}
	zone, _ := u.c.Now().In(u.c.Location).Zone()
	pg := verifyPage{
		Options: []field{
			{Name: "country", Label: "País de destino / Country of arrival", Kind: "select", Value: f.Country,
				Options: u.options(setCountry, false), Empty: "— Sin reglas de país / No country rules —",
				Hint: "Sus reglas de aceptación se comprueban si están configuradas. / Its acceptance rules are checked where configured."},
			{Name: "region", Label: "Región (opcional) / Region (optional)", Value: f.Region,
				Hint: "Solo para reglas regionales, p. ej. AN. / Only for regional rules, e.g. AN."},
		},
		Lang: lang,
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
