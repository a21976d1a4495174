package cms_test

import (
	"testing"

	"dcc/cms"
)

// BenchmarkVerifyDetached is one trust-list entry's check: the base64
// signature decoded, parsed and verified over the certificate's DER, as
// for each of some 3,000 DSC entries. The BER case is the form the
// reference gateway sends.
func BenchmarkVerifyDetached(b *testing.B) {
	for _, c := range []struct {
		name, kind string
		ber        bool
	}{
		{"P-256", "P-256", false},
		{"P-256-BER", "P-256", true},
		{"RSA-3072", "RSA-3072", false},
	} {
		b.Run(c.name, func(b *testing.B) {
			upload := validSigner(b, c.kind)
			dsc := validSigner(b, "P-256").cert.Raw
			der := mustSign(b, dsc, upload, cms.SignOptions{Detached: true, AlgorithmProtection: true})
			if c.ber {
				der = tparse(b, der).ber(64)
			}
			sig := cms.EncodeBase64(der)
			b.ReportAllocs()
			for b.Loop() {
				sd, err := cms.ParseBase64(sig)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := sd.Verify(dsc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
