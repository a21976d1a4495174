package conformance

import (
	"bufio"
	"bytes"
	"crypto/x509"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"

	"dcc"
	"dcc/base45"
	"dcc/hc1"
	"dcc/hcert"
	"dcc/pki"
	"dcc/qr"
)

//go:embed excused.txt
var excusedList string

// Excused returns the vectors the project deliberately does not judge as
// their EXPECTEDRESULTS say: path (relative to a test-data root) → reason.
func Excused() (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(excusedList))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		path, reason, ok := strings.Cut(line, " ")
		if !ok || strings.TrimSpace(reason) == "" {
			return nil, fmt.Errorf("excused.txt:%d: want PATH REASON", n)
		}
		out[path] = strings.TrimSpace(reason)
	}
	return out, nil
}

// Vector is one test file.
type Vector struct {
	JSON       json.RawMessage `json:"JSON"`
	CBOR       string          `json:"CBOR"`
	COSE       string          `json:"COSE"`
	Compressed string          `json:"COMPRESSED"`
	Base45     string          `json:"BASE45"`
	Prefix     string          `json:"PREFIX"`
	Code2D     string          `json:"2DCODE"`
	Ctx        struct {
		Schema      string `json:"SCHEMA"`
		Certificate string `json:"CERTIFICATE"`
		Clock       string `json:"VALIDATIONCLOCK"`
		Description string `json:"DESCRIPTION"`
	} `json:"TESTCTX"`
	Expected map[string]bool `json:"EXPECTEDRESULTS"`
}

// Failure is one flag whose outcome differs from the expectation.
type Failure struct {
	File     string
	Flag     string
	Expected bool
	Reason   string // why the step succeeded or failed
}

func (f Failure) String() string {
	return fmt.Sprintf("%s: %s expected %v got %v: %s", f.File, f.Flag, f.Expected, !f.Expected, f.Reason)
}

// Counts are vectors (not flags) by outcome.
type Counts struct{ Passed, Failed, Excused int }

// Result summarises a run. Notes explain what was not checked and why
// vectors were excused; Warnings are what a reader should look at: rows of
// known_issues.csv that name no vector, and excused vectors that pass.
type Result struct {
	Counts
	ByCountry map[string]Counts // by the vector's top folder (BG, common)
	Failures  []Failure
	Warnings  []string
	Notes     []string
}

// Countries returns the keys of ByCountry, sorted.
func (r *Result) Countries() []string {
	out := make([]string, 0, len(r.ByCountry))
	for c := range r.ByCountry {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

func (r *Result) count(country string, add func(*Counts)) {
	if r.ByCountry == nil {
		r.ByCountry = map[string]Counts{}
	}
	c := r.ByCountry[country]
	add(&c)
	r.ByCountry[country] = c
	add(&r.Counts)
}

// Runner checks vectors. Its validator judges EXPECTEDSCHEMAVALIDATION by
// the official schema alone, as the member states' own harness does.
type Runner struct {
	v       *dcc.Validator
	excused map[string]string
}

// NewRunner builds a runner with the project's excuse list.
func NewRunner() (*Runner, error) {
	v, err := dcc.NewValidator(nil)
	if err != nil {
		return nil, err
	}
	ex, err := Excused()
	if err != nil {
		return nil, err
	}
	return &Runner{v: v, excused: ex}, nil
}

// Files returns every *.json under a 2DCode/raw folder below root, sorted.
// The folder's case is not checked: IE writes 2DCode/Raw.
func Files(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dir := strings.ToLower(filepath.ToSlash(filepath.Dir(path)))
		if !d.IsDir() && strings.HasSuffix(path, ".json") && (dir == "2dcode/raw" || strings.HasSuffix(dir, "/2dcode/raw")) {
			files = append(files, path)
		}
		return nil
	})
	slices.Sort(files)
	return files, err
}

// readKnownIssues reads root's known_issues.csv; a root without one has
// no known issues.
func readKnownIssues(root string) (string, []KnownIssue, error) {
	name := filepath.Join(root, filepath.FromSlash(KnownIssuesFile))
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return name, nil, nil
	}
	if err != nil {
		return name, nil, err
	}
	defer f.Close()
	issues, err := ReadKnownIssues(f)
	if err != nil {
		return name, nil, fmt.Errorf("%s: %w", name, err)
	}
	return name, issues, nil
}

// country is the vector's top folder below root. A root that is itself a
// country's folder (or its 2DCode or 2DCode/raw folder) names the country.
func country(root, rel string) string {
	parts := strings.Split(rel, "/")
	if i := slices.IndexFunc(parts, func(p string) bool { return strings.EqualFold(p, "2DCode") }); i >= 1 {
		return parts[0]
	}
	dir, err := filepath.Abs(root)
	if err != nil {
		dir = filepath.Clean(root)
	}
	for _, sub := range []string{"raw", "2DCode"} {
		if strings.EqualFold(filepath.Base(dir), sub) {
			dir = filepath.Dir(dir)
		}
	}
	return filepath.Base(dir)
}

// Run checks every vector under each root. A vector fails when one of its
// flags comes out otherwise than expected, unless the project excuses it
// (excused.txt) or the root's tests/known_issues.csv names it: upstream
// then knows the vector to be wrong, and the failing flags that the named
// upstream test judges count as excused (any other failing flag fails). An excused vector that passes every flag counts as passed, with
// a warning: the excuse is stale.
func (r *Runner) Run(roots ...string) (*Result, error) {
	res := &Result{ByCountry: map[string]Counts{}}
	for _, root := range roots {
		csvName, issues, err := readKnownIssues(root)
		if err != nil {
			return nil, err
		}
		used := make([]bool, len(issues))
		files, err := Files(root)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			rel, _ := filepath.Rel(root, f)
			rel = filepath.ToSlash(rel)
			cc := country(root, rel)
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			fails, notes, err := r.Check(rel, data)
			res.Notes = append(res.Notes, notes...)
			if err != nil {
				fails = append(fails, Failure{File: rel, Flag: "FILE", Expected: true, Reason: err.Error()})
			}
			var known []KnownIssue
			for i, k := range issues {
				if k.matches(cc, rel) {
					used[i] = true
					known = append(known, k)
				}
			}
			reason, own := r.excused[rel]
			if own && len(known) > 0 {
				res.Warnings = append(res.Warnings, fmt.Sprintf("%s: in excused.txt and in %s:%d: keep only the upstream entry", rel, csvName, known[0].Line))
			}
			// A known issue excuses the flags its upstream test judges;
			// the vector's other failures still count.
			var excusedFails []Failure
			if !own && len(known) > 0 {
				fails, excusedFails = splitKnown(fails, known)
			}
			switch {
			case len(fails) == 0 && len(excusedFails) > 0:
				res.count(cc, func(c *Counts) { c.Excused++ })
				for _, k := range known {
					scope := "its flags"
					if _, ok := k.Flags(); !ok {
						scope = "an upstream test this runner does not know: every flag"
					}
					res.Notes = append(res.Notes, fmt.Sprintf("%s: excused: upstream known issue %s:%d (%s, %s): %s; fails %s", rel, csvName, k.Line, k.Test, scope, k.Reason, flagList(excusedFails)))
				}
			case len(fails) == 0:
				res.count(cc, func(c *Counts) { c.Passed++ })
				if own {
					res.Warnings = append(res.Warnings, fmt.Sprintf("%s: in excused.txt but passes every flag: counted as passed", rel))
				}
				for _, k := range known {
					res.Warnings = append(res.Warnings, fmt.Sprintf("%s: known issue in %s:%d (%s: %s) but passes every flag: counted as passed", rel, csvName, k.Line, k.Test, k.Reason))
				}
			case own:
				res.count(cc, func(c *Counts) { c.Excused++ })
				res.Notes = append(res.Notes, fmt.Sprintf("%s: excused (excused.txt): %s; fails %s", rel, reason, flagList(fails)))
			default:
				res.count(cc, func(c *Counts) { c.Failed++ })
				res.Failures = append(res.Failures, fails...)
			}
		}
		for i, k := range issues {
			if !used[i] {
				res.Warnings = append(res.Warnings, fmt.Sprintf("%s:%d: known issue %s matches no vector under %s", csvName, k.Line, k, root))
			}
		}
	}
	return res, nil
}

// splitKnown separates the failures that the known issues excuse (those of
// the flags their upstream tests judge, or all for an unknown test) from
// the rest.
func splitKnown(fails []Failure, known []KnownIssue) (rest, excused []Failure) {
	scope := map[string]bool{}
	for _, k := range known {
		flags, ok := k.Flags()
		if !ok {
			return nil, fails
		}
		for _, f := range flags {
			scope[f] = true
		}
	}
	for _, f := range fails {
		if scope[f.Flag] {
			excused = append(excused, f)
		} else {
			rest = append(rest, f)
		}
	}
	return rest, excused
}

func flagList(fails []Failure) string {
	names := make([]string, len(fails))
	for i, f := range fails {
		names[i] = f.Flag
	}
	return strings.Join(names, ", ")
}

// Check runs every EXPECTED* flag of one vector and returns the flags whose
// outcome differs. An error means the file is not a vector at all.
func (r *Runner) Check(name string, data []byte) (fails []Failure, notes []string, err error) {
	var v Vector
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, nil, fmt.Errorf("not a test vector: %w", err)
	}
	flags := make([]string, 0, len(v.Expected))
	for f := range v.Expected {
		flags = append(flags, f)
	}
	slices.Sort(flags)
	for _, flag := range flags {
		want := v.Expected[flag]
		step, known := r.steps()[flag]
		if !known {
			// Misspelt or undefined flags (EXPTECTEDEXPIRED, a nested
			// EXPECTEDRESULTS) define no step: say so, check the rest.
			notes = append(notes, fmt.Sprintf("%s: %s is not a flag of the format: not checked", name, flag))
			continue
		}
		err := step(&v)
		var missing errMissing
		if errors.As(err, &missing) {
			// A flag without the data it needs cannot be checked; the
			// README says such steps are skipped.
			continue
		}
		got := err == nil
		if got != want {
			reason := "the step succeeded"
			if err != nil {
				reason = err.Error()
			}
			fails = append(fails, Failure{File: name, Flag: flag, Expected: want, Reason: reason})
		}
	}
	return fails, notes, nil
}

type errMissing string

func (e errMissing) Error() string { return "vector lacks " + string(e) }

func (r *Runner) steps() map[string]func(*Vector) error {
	return map[string]func(*Vector) error{
		"EXPECTEDPICTUREDECODE":    pictureDecode,
		"EXPECTEDUNPREFIX":         unprefix,
		"EXPECTEDB45DECODE":        b45Decode,
		"EXPECTEDCOMPRESSION":      compression,
		"EXPECTEDDECODE":           decode,
		"EXPECTEDVALIDJSON":        validJSON,
		"EXPECTEDSCHEMAVALIDATION": r.schemaValidation,
		"EXPECTEDVALIDOBJECT":      r.validObject,
		"EXPECTEDENCODE":           encode,
		"EXPECTEDVERIFY":           verifySignature,
		"EXPECTEDEXPIRATIONCHECK":  expirationCheck,
		"EXPECTEDKEYUSAGE":         keyUsage,
	}
}

func hexField(name, s string) ([]byte, error) {
	if s == "" {
		return nil, errMissing(name)
	}
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%s is not hex: %w", name, err)
	}
	return b, nil
}

func pictureDecode(v *Vector) error {
	if v.Code2D == "" {
		return errMissing("2DCODE")
	}
	png, err := base64.StdEncoding.DecodeString(v.Code2D)
	if err != nil {
		return fmt.Errorf("2DCODE is not base64: %w", err)
	}
	text, err := qr.Decode(png)
	if err != nil {
		return err
	}
	if v.Prefix != "" && text != v.Prefix {
		return fmt.Errorf("QR code holds %.20q…, PREFIX is %.20q…", text, v.Prefix)
	}
	return nil
}

func unprefix(v *Vector) error {
	if v.Prefix == "" {
		return errMissing("PREFIX")
	}
	rest, ok := strings.CutPrefix(v.Prefix, hc1.Prefix)
	if !ok {
		return fmt.Errorf("PREFIX does not start with %q", hc1.Prefix)
	}
	if v.Base45 != "" && rest != v.Base45 {
		return errors.New("PREFIX without its prefix differs from BASE45")
	}
	if v.Base45 == "" {
		if _, err := hc1.Decode(v.Prefix); err != nil {
			return err
		}
	}
	return nil
}

func b45Decode(v *Vector) error {
	if v.Base45 == "" {
		return errMissing("BASE45")
	}
	got, err := base45.Decode(v.Base45)
	if err != nil {
		return err
	}
	if v.Compressed != "" {
		want, err := hexField("COMPRESSED", v.Compressed)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			return errors.New("decoded BASE45 differs from COMPRESSED")
		}
		return nil
	}
	cose, err := hc1.Decode(hc1.Prefix + v.Base45)
	if err != nil {
		return err
	}
	return sameCOSE(v, cose)
}

func sameCOSE(v *Vector, cose []byte) error {
	if v.COSE == "" {
		return nil
	}
	want, err := hexField("COSE", v.COSE)
	if err != nil {
		return err
	}
	if !bytes.Equal(cose, want) {
		return errors.New("decompressed data differs from COSE")
	}
	return nil
}

func compression(v *Vector) error {
	compressed, err := hexField("COMPRESSED", v.Compressed)
	if err != nil {
		return err
	}
	// hc1 owns the bounded inflate; feed it the compressed bytes.
	cose, err := hc1.Decode(hc1.Prefix + base45.Encode(compressed))
	if err != nil {
		return err
	}
	return sameCOSE(v, cose)
}

// payloadFromCOSE parses the COSE field (unverified) and returns the DCC
// payload's tree.
func payloadFromCOSE(v *Vector) (any, error) {
	cose, err := hexField("COSE", v.COSE)
	if err != nil {
		return nil, err
	}
	u, err := hcert.Parse(cose)
	if err != nil {
		return nil, err
	}
	return dcc.DecodeCBOR(u.Payload)
}

func decode(v *Vector) error {
	want, err := hexField("CBOR", v.CBOR)
	if err != nil {
		return err
	}
	got, err := payloadFromCOSE(v)
	if err != nil {
		return err
	}
	wantTree, err := cborPayload(want)
	if err != nil {
		return fmt.Errorf("CBOR field: %w", err)
	}
	if !sameTree(got, wantTree) {
		return errors.New("payload in COSE differs from CBOR")
	}
	return nil
}

func validJSON(v *Vector) error {
	if len(v.JSON) == 0 {
		return errMissing("JSON")
	}
	var cose []byte
	var err error
	switch {
	case v.Prefix != "":
		cose, err = hc1.Decode(v.Prefix)
	case v.Code2D != "":
		var png []byte
		if png, err = base64.StdEncoding.DecodeString(v.Code2D); err == nil {
			var text string
			if text, err = qr.Decode(png); err == nil {
				cose, err = hc1.Decode(text)
			}
		}
	case v.COSE != "":
		cose, err = hexField("COSE", v.COSE)
	default:
		return errMissing("PREFIX, 2DCODE or COSE")
	}
	if err != nil {
		return err
	}
	u, err := hcert.Parse(cose)
	if err != nil {
		return err
	}
	got, err := dcc.DecodeCBOR(u.Payload)
	if err != nil {
		return err
	}
	want, err := dcc.DecodeJSON(v.JSON)
	if err != nil {
		return fmt.Errorf("JSON field: %w", err)
	}
	if !sameTree(got, want) {
		return errors.New("payload differs from JSON")
	}
	return nil
}

// payloadTree is the payload the vector is about: its JSON, else the
// payload of its COSE.
func payloadTree(v *Vector) (any, error) {
	if len(v.JSON) > 0 {
		return dcc.DecodeJSON(v.JSON)
	}
	if v.CBOR != "" {
		b, err := hexField("CBOR", v.CBOR)
		if err != nil {
			return nil, err
		}
		return cborPayload(b)
	}
	if v.COSE != "" {
		return payloadFromCOSE(v)
	}
	return nil, errMissing("JSON, CBOR or COSE")
}

func (r *Runner) schemaValidation(v *Vector) error {
	tree, err := payloadTree(v)
	if err != nil {
		return err
	}
	rep := r.v.CheckSchema(tree)
	if errs := rep.Errors(); len(errs) > 0 {
		return fmt.Errorf("schema %s: %v", rep.Schema, errs[0])
	}
	return nil
}

func (r *Runner) validObject(v *Vector) error {
	if len(v.JSON) == 0 {
		return errMissing("JSON")
	}
	return r.schemaValidation(v)
}

func encode(v *Vector) error {
	if len(v.JSON) == 0 {
		return errMissing("JSON")
	}
	want, err := hexField("CBOR", v.CBOR)
	if err != nil {
		return err
	}
	tree, err := dcc.DecodeJSON(v.JSON)
	if err != nil {
		return err
	}
	ours, err := dcc.EncodeCBOR(tree)
	if err != nil {
		return err
	}
	a, err := dcc.DecodeCBOR(ours)
	if err != nil {
		return err
	}
	b, err := cborPayload(want)
	if err != nil {
		return fmt.Errorf("CBOR field: %w", err)
	}
	if !sameTree(a, b) {
		return errors.New("CBOR encoded from JSON differs from CBOR")
	}
	return nil
}

// certificate reads TESTCTX.CERTIFICATE, the vector's DSC.
func certificate(v *Vector) (*x509.Certificate, error) {
	if v.Ctx.Certificate == "" {
		return nil, errMissing("TESTCTX.CERTIFICATE")
	}
	der, err := base64.StdEncoding.DecodeString(v.Ctx.Certificate)
	if err != nil {
		return nil, fmt.Errorf("TESTCTX.CERTIFICATE is not base64: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("TESTCTX.CERTIFICATE: %w", err)
	}
	return cert, nil
}

// parsedCOSE parses the COSE field without verifying it.
func parsedCOSE(v *Vector) (*hcert.Unverified, error) {
	cose, err := hexField("COSE", v.COSE)
	if err != nil {
		return nil, err
	}
	return hcert.Parse(cose)
}

// verifySignature judges EXPECTEDVERIFY: the COSE message verifies with
// TESTCTX.CERTIFICATE (under its kid, with a key that fits the algorithm).
// Only the signature is judged here; expiry and key usage have flags of
// their own.
func verifySignature(v *Vector) error {
	if v.COSE == "" {
		return errMissing("COSE")
	}
	cert, err := certificate(v)
	if err != nil {
		return err
	}
	u, err := parsedCOSE(v)
	if err != nil {
		return err
	}
	// No clock: the checks up to the signature do not depend on time.
	_, rep := u.Verify(single{cert}, hcert.Options{})
	if rep.Status(hcert.CheckSignature) == hcert.Pass {
		return nil
	}
	for _, c := range rep.Checks {
		if c.Status == hcert.Fail {
			return fmt.Errorf("%s: %s", c.Name, c.Reason)
		}
	}
	return errors.New("signature not verified")
}

// expirationCheck judges EXPECTEDEXPIRATIONCHECK from the CWT claims,
// whether or not the signature verifies (EXPECTEDVERIFY judges that): iat ≤
// VALIDATIONCLOCK ≤ exp and, with TESTCTX.CERTIFICATE, DSC notBefore ≤ iat
// and exp ≤ DSC notAfter. These are the comparisons hcert.Verify makes in
// its expiry and dsc-validity checks, which it runs only after a valid
// signature.
func expirationCheck(v *Vector) error {
	if v.COSE == "" {
		return errMissing("COSE")
	}
	if v.Ctx.Clock == "" {
		return errMissing("TESTCTX.VALIDATIONCLOCK")
	}
	at, err := parseClock(v.Ctx.Clock)
	if err != nil {
		return err
	}
	u, err := parsedCOSE(v)
	if err != nil {
		return err
	}
	c := u.Claims
	if at.Before(c.IssuedAt) {
		return fmt.Errorf("issued at %s, after VALIDATIONCLOCK %s", stamp(c.IssuedAt), stamp(at))
	}
	if at.After(c.Expires) {
		return fmt.Errorf("expired at %s, before VALIDATIONCLOCK %s", stamp(c.Expires), stamp(at))
	}
	if v.Ctx.Certificate == "" {
		return nil
	}
	dsc, err := certificate(v)
	if err != nil {
		return err
	}
	if c.IssuedAt.Before(dsc.NotBefore) {
		return fmt.Errorf("issued at %s, before TESTCTX.CERTIFICATE is valid (%s)", stamp(c.IssuedAt), stamp(dsc.NotBefore))
	}
	if c.Expires.After(dsc.NotAfter) {
		return fmt.Errorf("expires at %s, after TESTCTX.CERTIFICATE (%s)", stamp(c.Expires), stamp(dsc.NotAfter))
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// keyUsage judges EXPECTEDKEYUSAGE: TESTCTX.CERTIFICATE's extended key
// usage allows the type of the payload in COSE (pki.Allows), whether or
// not the signature verifies.
func keyUsage(v *Vector) error {
	if v.COSE == "" {
		return errMissing("COSE")
	}
	dsc, err := certificate(v)
	if err != nil {
		return err
	}
	u, err := parsedCOSE(v)
	if err != nil {
		return err
	}
	typ, err := u.Type()
	if err != nil {
		return err
	}
	if !pki.Allows(dsc, typ) {
		return fmt.Errorf("TESTCTX.CERTIFICATE's extended key usage does not allow %s certificates", typ)
	}
	return nil
}

// single is the trust list of a vector: its one certificate, under its kid.
type single struct{ cert *x509.Certificate }

func (s single) DSCs(kid []byte) []*x509.Certificate {
	if bytes.Equal(kid, pki.KID(s.cert)) {
		return []*x509.Certificate{s.cert}
	}
	return nil
}

func parseClock(s string) (time.Time, error) {
	// Some vectors give no zone: read those as UTC.
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("TESTCTX.VALIDATIONCLOCK %q is not an ISO 8601 time", s)
}

// cborPayload reads a vector's CBOR field: the DCC payload, or in some
// vectors the whole CWT, whose claim -260/1 holds the payload.
func cborPayload(b []byte) (any, error) {
	tree, err := dcc.DecodeCBOR(b)
	if err == nil {
		return tree, nil
	}
	var cwt map[int]cbor.RawMessage
	if cbor.Unmarshal(b, &cwt) == nil {
		var hc map[int]cbor.RawMessage
		if raw, ok := cwt[-260]; ok && cbor.Unmarshal(raw, &hc) == nil {
			if p, ok := hc[1]; ok {
				return dcc.DecodeCBOR(p)
			}
		}
	}
	return nil, err
}

// sameTree compares payload trees, numbers by value (1 and 1.0 are equal)
// and times by instant: a CBOR tag 0 time is read back as RFC 3339 text,
// which may spell the zone differently ("Z" for "+00:00").
func sameTree(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		ta, errA := time.Parse(time.RFC3339Nano, x)
		tb, errB := time.Parse(time.RFC3339Nano, y)
		return errA == nil && errB == nil && ta.Equal(tb)
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		ra, ok1 := new(big.Rat).SetString(string(x))
		rb, ok2 := new(big.Rat).SetString(string(y))
		return ok1 && ok2 && ra.Cmp(rb) == 0
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, va := range x {
			vb, ok := y[k]
			if !ok || !sameTree(va, vb) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameTree(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}
