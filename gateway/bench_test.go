package gateway_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"testing"
	"time"

	"dcc/gateway"
	"dcc/trustlist"
)

// benchList is a trust list of 27 countries with their AUTHENTICATION,
// UPLOAD and CSCA entries and 3,000 DSCs among them.
func benchList(b *testing.B) (*party, []trustlist.Entry, []*country) {
	ta := newParty(b, certOpts{country: "EU", cn: "DCCG_TA", ca: true}, nil)
	var cs []*country
	for i := range 27 {
		n := 3000 / 27
		if i < 3000%27 {
			n++
		}
		cs = append(cs, newCountry(b, fmt.Sprintf("%c%c", 'A'+i/26, 'A'+i%26), n))
	}
	es := entries(b, ta, cs...)
	return ta, es, cs
}

func BenchmarkCheckTrustList3000(b *testing.B) {
	ta, es, _ := benchList(b)
	anchors := []*x509.Certificate{ta.Cert}
	now := time.Now()
	b.ResetTimer()
	for b.Loop() {
		l := gateway.CheckTrustList(es, anchors, now)
		if len(l.Entries) != len(es) {
			b.Fatalf("%d entries, refused %v", len(l.Entries), l.Refused[:1])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/3000, "µs/DSC")
}

// The same over TLS from the test gateway: download, parse and check.
func BenchmarkTrustListDownload3000(b *testing.B) {
	ta, _, cs := benchList(b)
	_, cfg, _ := testGateway(b, ta, cs...)
	c := newClient(b, cfg)
	b.ResetTimer()
	for b.Loop() {
		l, err := c.TrustList(context.Background(), gateway.Query{})
		if err != nil || len(l.Refused) != 0 || len(l.Of(gateway.TypeDSC, "")) != 3000 {
			b.Fatalf("%v, %v", l, err)
		}
	}
}
