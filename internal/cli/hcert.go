package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"dcc"
	"dcc/hc1"
	"dcc/hcert"
	"dcc/internal/config"
	"dcc/keystore"
	"dcc/pki"
	"dcc/qr"
)

// readCode returns the HC1 string given as an argument or read from an
// image file (PNG/JPEG) of its QR code.
func (e *env) readCode(arg string) (string, error) {
	if strings.HasPrefix(arg, "HC1:") || !fileExists(arg) {
		return strings.TrimSpace(arg), nil
	}
	data, err := os.ReadFile(arg)
	if err != nil {
		return "", err
	}
	if text := strings.TrimSpace(string(data)); strings.HasPrefix(text, "HC1:") {
		return text, nil // a text file holding the string
	}
	text, err := qr.Decode(data)
	if err != nil {
		return "", fmt.Errorf("%s: %w", arg, err)
	}
	return text, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func parseValidity(s string) (time.Duration, error) {
	d, err := config.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--validity %q: want days (365d) or a Go duration (720h)", s)
	}
	return d, nil
}

// sign: validate strictly, then sign, then print the HC1 string.
func (e *env) sign(args []string) int {
	fs := e.flags("sign")
	keyURI := fs.String("key", "", "key `URI` of the DSC's private key (file:PATH or pkcs11:...)")
	certPath := fs.String("cert", "", "the DSC certificate `FILE` (PEM or DER)")
	iss := fs.String("iss", "", "issuing country `CC` for the iss claim (default: the DSC's country)")
	validity := fs.String("validity", "365d", "how long the certificate is valid (exp - iat), a `DURATION`: days (365d) or a Go duration (720h)")
	qrOut := fs.String("qr", "", "also write the QR code to `FILE`.png or FILE.svg")
	rest, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(rest) != 1 {
		return e.usageError("sign", "want exactly one PAYLOAD.json")
	}
	if *keyURI == "" || *certPath == "" {
		return e.usageError("sign", "--key and --cert are required")
	}
	valid, err := parseValidity(*validity)
	if err != nil {
		return e.usageError("sign", "%v", err)
	}
	if *qrOut != "" && !strings.HasSuffix(*qrOut, ".png") && !strings.HasSuffix(*qrOut, ".svg") {
		return e.usageError("sign", "--qr %q: the file name must end in .png or .svg", *qrOut)
	}
	certs, err := pki.ReadCertificates(*certPath)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc sign: %v\n", err)
		return exitUsage
	}
	if len(certs) != 1 {
		return e.usageError("sign", "--cert %s holds %d certificates, want one DSC", *certPath, len(certs))
	}
	dsc := certs[0]
	country := *iss
	if country == "" {
		if len(dsc.Subject.Country) != 1 {
			return e.usageError("sign", "the DSC names no single country: give --iss")
		}
		country = dsc.Subject.Country[0]
	}

	data, err := e.readInput(rest[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc sign: %v\n", err)
		return exitUsage
	}
	v, err := dcc.NewValidator(nil)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc sign: %v\n", err)
		return exitUsage
	}
	var p dcc.Payload
	if err := p.UnmarshalJSON(data); err != nil {
		var se *dcc.SyntaxError
		if errors.As(err, &se) {
			fmt.Fprintf(e.stderr, "dcc sign: %s:%d:%d: invalid JSON: %s\n", displayName(rest[0]), se.Line, se.Column, se.Msg)
		} else {
			fmt.Fprintf(e.stderr, "dcc sign: %s: %v\n", displayName(rest[0]), err)
		}
		return exitInvalid
	}
	corrected := map[string]bool{}
	for _, w := range dcc.PrepareForIssuance(&p) {
		corrected[w.Path] = true
		fmt.Fprintf(e.stderr, "dcc sign: %s: %s\n", displayName(rest[0]), w)
	}
	// Validate the bytes as given and the prepared payload: nothing invalid
	// is signed. The prepared payload stands in only where every error was
	// in a field the preparation corrected: the typed model also reads
	// "dn": 2.0 as 2, which issuance refuses.
	rep, err := v.ValidateJSON(data, dcc.Strict)
	if err == nil && !rep.Valid() && !slices.ContainsFunc(rep.Errors(), func(pr dcc.Problem) bool { return !corrected[pr.Path] }) {
		if again := v.Validate(&p, dcc.Strict); again.Valid() {
			rep = again // only the truncated tc was wrong
		}
	}
	if err != nil || !rep.Valid() {
		if err != nil {
			fmt.Fprintf(e.stderr, "dcc sign: %s: %v\n", displayName(rest[0]), err)
		}
		if rep != nil {
			for _, pr := range rep.Errors() {
				fmt.Fprintf(e.stderr, "dcc sign: %s: %s\n", displayName(rest[0]), pr)
			}
		}
		fmt.Fprintf(e.stderr, "dcc sign: refusing to sign an invalid payload: nothing was signed\n")
		return exitInvalid
	}
	payload, err := p.MarshalCBOR()
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc sign: %v\n", err)
		return exitUsage
	}

	key, err := keystore.Open(*keyURI)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc sign: %v\n", err)
		return exitUsage
	}
	defer key.Close()
	now := time.Now().Truncate(time.Second)
	cose, err := hcert.Sign(key, dsc, hcert.Claims{Issuer: country, IssuedAt: now, Expires: now.Add(valid)}, payload)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc sign: %v\n", err)
		return exitUsage
	}
	text, err := hc1.Encode(cose)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc sign: %v\n", err)
		return exitUsage
	}
	if *qrOut != "" {
		if err := writeQR(*qrOut, text); err != nil {
			fmt.Fprintf(e.stderr, "dcc sign: %v\n", err)
			return exitUsage
		}
	}
	fmt.Fprintln(e.stdout, text)
	return exitOK
}

func writeQR(path, text string) error {
	code, err := qr.Encode(text)
	if err != nil {
		return err
	}
	var out []byte
	if filepath.Ext(path) == ".svg" {
		out = code.SVG(0)
	} else if out, err = code.PNG(0); err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}

// decode prints what a code says, clearly unverified.
func (e *env) decode(args []string) int {
	fs := e.flags("decode")
	asJSON := fs.Bool("json", false, "print one JSON object")
	rest, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(rest) != 1 {
		return e.usageError("decode", "want one HC1-STRING or IMAGE-FILE")
	}
	text, err := e.readCode(rest[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc decode: %v\n", err)
		return exitInvalid
	}
	cose, err := hc1.Decode(text)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc decode: %v\n", err)
		return exitInvalid
	}
	u, err := hcert.Parse(cose)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc decode: COSE: %v\n", err)
		return exitInvalid
	}
	tree, err := dcc.DecodeCBOR(u.Payload)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc decode: payload: %v\n", err)
		return exitInvalid
	}
	if *asJSON {
		out := map[string]any{
			"verified": false,
			"header":   map[string]any{"alg": u.Alg, "kid": u.KID},
			"claims": map[string]any{
				"iss": u.Claims.Issuer,
				"iat": u.Claims.IssuedAt.UTC().Format(time.RFC3339),
				"exp": u.Claims.Expires.UTC().Format(time.RFC3339),
			},
			"payload": tree,
		}
		writeJSON(e.stdout, out)
		return exitOK
	}
	fmt.Fprintln(e.stdout, "UNVERIFIED: the signature has not been checked (use dcc verify)")
	fmt.Fprintf(e.stdout, "alg: %s\nkid: %x\n", algName(u.Alg), u.KID)
	fmt.Fprintf(e.stdout, "iss: %s\niat: %s\nexp: %s\n", u.Claims.Issuer, u.Claims.IssuedAt.UTC().Format(time.RFC3339), u.Claims.Expires.UTC().Format(time.RFC3339))
	fmt.Fprint(e.stdout, "payload: ")
	writeJSON(e.stdout, tree)
	return exitOK
}

func algName(alg int) string {
	switch alg {
	case -7:
		return "ES256 (-7)"
	case -37:
		return "PS256 (-37)"
	}
	return strconv.Itoa(alg)
}

// writeJSON prints v indented, with '<' left as it is ("SMITH<JONES").
func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
