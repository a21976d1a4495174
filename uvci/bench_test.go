package uvci_test

import (
	"testing"

	"dcc/uvci"
)

func BenchmarkNew(b *testing.B) {
	g, err := uvci.NewGenerator("ES", "MD", nil) // crypto/rand, as in production
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.New(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	const s = "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B"
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := uvci.Parse(s, uvci.Strict); err != nil {
			b.Fatal(err)
		}
	}
}
