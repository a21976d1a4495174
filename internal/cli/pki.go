package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"dcc/keystore"
	"dcc/pki"
)

// openOrGenerate opens the key at uri, generating it there when it does not
// exist yet; with no uri it generates a new file key DIR/key.pem.
func (e *env) openOrGenerate(cmd, uri, dir string, alg keystore.Alg) (keystore.Signer, error) {
	if uri == "" {
		path := filepath.Join(dir, "key.pem")
		k, err := keystore.Generate("file:"+path, alg)
		if err == nil {
			fmt.Fprintf(e.stderr, "dcc %s: new %v key in %s (mode 0600)\n", cmd, alg, path)
		}
		return k, err
	}
	k, err := keystore.Open(uri)
	if errors.Is(err, keystore.ErrNotFound) {
		if k, err = keystore.Generate(uri, alg); err == nil {
			fmt.Fprintf(e.stderr, "dcc %s: new %v key generated at %s\n", cmd, alg, uri)
		}
	}
	return k, err
}

func prepareOut(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range []string{"cert.pem", "key.pem"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return fmt.Errorf("%s already holds %s: choose a new --out directory", dir, f)
		}
	}
	return nil
}

func (e *env) pkiCSCA(args []string) int {
	fs := e.flags("pki csca")
	country := fs.String("country", "", "ISO 3166-1 alpha-2 country code `CC`, e.g. ES")
	out := fs.String("out", "", "`DIR` to write cert.pem (and key.pem for a new file key)")
	keyURI := fs.String("key", "", "key `URI` (file:… or pkcs11:…); generated there if absent; default a new DIR/key.pem")
	algName := fs.String("alg", "ES256", "`ALG`, the algorithm of a new key: ES256 or PS256")
	validity := fs.String("validity", "1460d", "validity of the CSCA, a `DURATION`: days (1460d) or a Go duration (720h)")
	rest, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(rest) > 0 || *country == "" || *out == "" {
		return e.usageError("pki csca", "want --country CC --out DIR")
	}
	alg, err := keystore.ParseAlg(*algName)
	if err != nil {
		return e.usageError("pki csca", "%v", err)
	}
	valid, err := parseValidity(*validity)
	if err != nil {
		return e.usageError("pki csca", "%v", err)
	}
	if err := prepareOut(*out); err != nil {
		fmt.Fprintf(e.stderr, "dcc pki csca: %v\n", err)
		return exitUsage
	}
	key, err := e.openOrGenerate("pki csca", *keyURI, *out, alg)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc pki csca: %v\n", err)
		return exitUsage
	}
	defer key.Close()
	cert, err := pki.NewCSCA(key, pki.CSCAOptions{Country: *country, Validity: valid})
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc pki csca: %v\n", err)
		return exitUsage
	}
	if err := pki.WritePEM(filepath.Join(*out, "cert.pem"), cert); err != nil {
		fmt.Fprintf(e.stderr, "dcc pki csca: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(e.stdout, "CSCA %q written to %s (valid until %s)\n", cert.Subject.CommonName, filepath.Join(*out, "cert.pem"), cert.NotAfter.Format("2006-01-02"))
	return exitOK
}

func (e *env) pkiDSC(args []string) int {
	fs := e.flags("pki dsc")
	cscaDir := fs.String("csca", "", "`DIR` of the CSCA (cert.pem, and key.pem unless --csca-key)")
	cscaKeyURI := fs.String("csca-key", "", "key `URI` of the CSCA (default file:CSCA/key.pem)")
	out := fs.String("out", "", "`DIR` to write cert.pem (and key.pem for a new file key)")
	keyURI := fs.String("key", "", "key `URI` of the DSC; generated there if absent; default a new DIR/key.pem")
	algName := fs.String("alg", "ES256", "`ALG`, the algorithm of a new key: ES256 or PS256")
	types := fs.String("types", "", "certificate `TYPES` the DSC may sign: v,t,r (default: all, no key usage extension)")
	validity := fs.String("validity", "730d", "validity of the DSC (never beyond the CSCA), a `DURATION`: days (730d) or a Go duration (720h)")
	rest, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(rest) > 0 || *cscaDir == "" || *out == "" {
		return e.usageError("pki dsc", "want --csca DIR --out DIR")
	}
	alg, err := keystore.ParseAlg(*algName)
	if err != nil {
		return e.usageError("pki dsc", "%v", err)
	}
	tt, err := pki.ParseTypes(*types)
	if err != nil {
		return e.usageError("pki dsc", "%v", err)
	}
	valid, err := parseValidity(*validity)
	if err != nil {
		return e.usageError("pki dsc", "%v", err)
	}
	certs, err := pki.ReadCertificates(filepath.Join(*cscaDir, "cert.pem"))
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc pki dsc: %v\n", err)
		return exitUsage
	}
	csca := certs[0]
	if *cscaKeyURI == "" {
		*cscaKeyURI = "file:" + filepath.Join(*cscaDir, "key.pem")
	}
	cscaKey, err := keystore.Open(*cscaKeyURI)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc pki dsc: CSCA key: %v\n", err)
		return exitUsage
	}
	defer cscaKey.Close()
	if err := prepareOut(*out); err != nil {
		fmt.Fprintf(e.stderr, "dcc pki dsc: %v\n", err)
		return exitUsage
	}
	key, err := e.openOrGenerate("pki dsc", *keyURI, *out, alg)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc pki dsc: %v\n", err)
		return exitUsage
	}
	defer key.Close()
	country := ""
	if len(csca.Subject.Country) == 1 {
		country = csca.Subject.Country[0]
	}
	dsc, err := pki.NewDSC(csca, cscaKey, key.Public(), pki.DSCOptions{Country: country, Types: tt, Validity: valid})
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc pki dsc: %v\n", err)
		return exitUsage
	}
	if err := pki.WritePEM(filepath.Join(*out, "cert.pem"), dsc); err != nil {
		fmt.Fprintf(e.stderr, "dcc pki dsc: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(e.stdout, "DSC %q written to %s (kid %x, valid until %s)\n", dsc.Subject.CommonName, filepath.Join(*out, "cert.pem"), pki.KID(dsc), dsc.NotAfter.Format("2006-01-02"))
	return exitOK
}
