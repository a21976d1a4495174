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

// Result summarises a run. Files count vectors, not flags.
type Result struct {
	Passed, Failed, Excused int
	Failures                []Failure
	Notes                   []string
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
func Files(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".json") && strings.HasSuffix(filepath.ToSlash(filepath.Dir(path)), "2DCode/raw") {
			files = append(files, path)
		}
		return nil
	})
	slices.Sort(files)
	return files, err
}

// Run checks every vector under each root.
func (r *Runner) Run(roots ...string) (*Result, error) {
	res := &Result{}
	for _, root := range roots {
		files, err := Files(root)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			rel, _ := filepath.Rel(root, f)
			rel = filepath.ToSlash(rel)
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			fails, notes, err := r.Check(rel, data)
			res.Notes = append(res.Notes, notes...)
			if reason, ok := r.excused[rel]; ok {
				res.Excused++
				res.Notes = append(res.Notes, fmt.Sprintf("%s: excused: %s", rel, reason))
				continue
			}
			if err != nil {
				fails = append(fails, Failure{File: rel, Flag: "FILE", Expected: true, Reason: err.Error()})
			}
			if len(fails) > 0 {
				res.Failed++
				res.Failures = append(res.Failures, fails...)
			} else {
				res.Passed++
			}
		}
	}
	return res, nil
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
		"EXPECTEDVERIFY":           func(v *Vector) error { return verifyStep(v, "signature") },
		"EXPECTEDEXPIRATIONCHECK":  func(v *Vector) error { return verifyStep(v, "expiry", "dsc-validity") },
		"EXPECTEDKEYUSAGE":         func(v *Vector) error { return verifyStep(v, "signature", "key-usage") },
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

// verifyStep verifies the COSE field against TESTCTX.CERTIFICATE at
// TESTCTX.VALIDATIONCLOCK (now when absent) and requires the named checks
// to pass.
func verifyStep(v *Vector, checks ...string) error {
	cose, err := hexField("COSE", v.COSE)
	if err != nil {
		return err
	}
	if v.Ctx.Certificate == "" {
		return errMissing("TESTCTX.CERTIFICATE")
	}
	der, err := base64.StdEncoding.DecodeString(v.Ctx.Certificate)
	if err != nil {
		return fmt.Errorf("TESTCTX.CERTIFICATE is not base64: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("TESTCTX.CERTIFICATE: %w", err)
	}
	at := time.Now()
	if v.Ctx.Clock != "" {
		if at, err = parseClock(v.Ctx.Clock); err != nil {
			return err
		}
	}
	u, err := hcert.Parse(cose)
	if err != nil {
		return err
	}
	_, rep := u.Verify(single{cert}, hcert.Options{At: at})
	for _, name := range checks {
		found := false
		for _, c := range rep.Checks {
			if c.Name != name {
				continue
			}
			found = true
			if c.Status != hcert.Pass {
				return fmt.Errorf("%s: %s", c.Name, c.Reason)
			}
		}
		if !found {
			return fmt.Errorf("verification has no %q check", name)
		}
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
