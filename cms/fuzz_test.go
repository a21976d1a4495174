package cms_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"dcc/cms"
)

// fuzzSeeds are the forms Parse meets: Sign's DER (embedded, detached, RSA,
// PSS), their BER with segments, and, where openssl is installed, its DER
// and -stream output.
func fuzzSeeds(f *testing.F) [][]byte {
	content := []byte(`{"country":"DE"}`)
	ec := validSigner(f, "P-256")
	rs := validSigner(f, "RSA-2048")
	var seeds [][]byte
	for _, opts := range []cms.SignOptions{{}, {Detached: true}, {AlgorithmProtection: true}} {
		der := mustSign(f, content, ec, opts)
		seeds = append(seeds, der, tparse(f, der).ber(5))
	}
	seeds = append(seeds, mustSign(f, content, rs, cms.SignOptions{PSS: true, AlgorithmProtection: true}))
	if p, err := exec.LookPath("openssl"); err == nil {
		dir := f.TempDir()
		data := filepath.Join(dir, "data")
		if err := os.WriteFile(data, bytes.Repeat(content, 300), 0o600); err != nil {
			f.Fatal(err)
		}
		cert, key := nowSigner(f, "P-256", 1).files(f, dir, "fuzz")
		for _, extra := range [][]string{{"-nodetach"}, {"-nodetach", "-stream"}, {}} {
			args := append([]string{"cms", "-sign", "-binary", "-outform", "DER", "-in", data, "-signer", cert, "-inkey", key}, extra...)
			out, err := exec.Command(p, args...).Output()
			if err != nil {
				f.Fatalf("openssl %v: %v", args, err)
			}
			seeds = append(seeds, out)
		}
	}
	return seeds
}

// FuzzParse: no input panics Parse or Verify, and Parse reads the DER
// that NormalizeBER makes of an input as it reads the input.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	content := []byte(`{"country":"DE"}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		sd, err := cms.Parse(b)
		if err != nil {
			if cms.ReasonOf(err) == "" {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		der, err := cms.NormalizeBER(b)
		if err != nil {
			t.Fatalf("Parse accepted what NormalizeBER refuses: %v", err)
		}
		if !bytes.Equal(sd.Raw, der) {
			t.Fatal("Raw is not NormalizeBER's output")
		}
		_, _ = sd.Verify(content)
		if len(sd.SignerInfos)*len(sd.Certificates) > 1 {
			// Verify stopped at the counts: check every pair (a few at most).
			for i := range sd.SignerInfos[:min(len(sd.SignerInfos), 3)] {
				for _, c := range sd.Certificates[:min(len(sd.Certificates), 3)] {
					_ = sd.SignerInfos[i].Verify(c, content)
				}
			}
		}
		again, err := cms.Parse(sd.Detach())
		if err != nil {
			t.Fatalf("Detach wrote what Parse refuses: %v", err)
		}
		if again.Content != nil || len(again.SignerInfos) != len(sd.SignerInfos) || len(again.Certificates) != len(sd.Certificates) {
			t.Fatal("Detach changed more than the content")
		}
	})
}

// FuzzNormalizeBER: no panic, and what comes out is DER that NormalizeBER
// keeps as it is.
func FuzzNormalizeBER(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	for _, s := range []string{"3080020105 0000", "2480040201020401030000", "2380030200ff030204f00000", "bf81008005000000"} {
		f.Add(unhex(f, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		der, err := cms.NormalizeBER(b)
		if err != nil {
			return
		}
		again, err := cms.NormalizeBER(der)
		if err != nil {
			t.Fatalf("output refused: %v", err)
		}
		if !bytes.Equal(again, der) {
			t.Fatal("output is not a fixed point")
		}
		if len(der) > 2*len(b)+8 {
			t.Fatalf("%d bytes grew to %d", len(b), len(der))
		}
	})
}
