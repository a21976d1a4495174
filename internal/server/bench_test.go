package server_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"dcc/internal/config"
)

// BenchmarkIssueHTTP is one issuance over loopback HTTP with keep-alive,
// from parallel clients: the API's whole path (authentication, rate
// limit, decoding, the pipeline, the SQLite write, the JSON response).
func BenchmarkIssueHTTP(b *testing.B) {
	s := newStack(b, func(c *config.Config) { c.HTTP.RatePerSecond, c.HTTP.Burst = 1e9, 1e9 })
	body := []byte(testBody())
	tok := s.token("lab")
	url := s.srv.URL + "/api/v1/certificates/test"
	s.srv.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	b.ReportAllocs()
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		c := s.srv.Client()
		for pb.Next() {
			req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			res, err := c.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 201 {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
	})
}
