package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"dcc/internal/server"
)

func loadDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(server.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is not valid OpenAPI 3: %v", err)
	}
	return doc
}

// recorder is a Mux that records the patterns registered.
type recorder struct{ patterns []string }

func (r *recorder) Handle(p string, _ http.Handler) { r.patterns = append(r.patterns, p) }
func (r *recorder) HandleFunc(p string, _ func(http.ResponseWriter, *http.Request)) {
	r.patterns = append(r.patterns, p)
}

// Every route the server registers (in every role) is in the document, and
// every operation of the document is a route.
func TestOpenAPICoversRoutes(t *testing.T) {
	doc := loadDoc(t)
	s := newStack(t, nil)
	var rec recorder
	server.New(server.Config{Deployment: s.app.Deployment, Issuance: s.app.Issuance, Records: s.app.Records,
		Registry: s.app.Store, TrustList: s.app.TrustList, Revoked: s.app.Store, Verifier: s.app.Verification,
		Metrics: s.app.Metrics, Outbox: s.app.Store, Gateway: newSyncer(t, s.app.Store)}).Routes(&rec)
	routes := rec.patterns
	var ops []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, method+" "+path)
		}
	}
	slices.Sort(routes)
	slices.Sort(ops)
	if !slices.Equal(routes, ops) {
		t.Errorf("routes and OpenAPI operations differ:\nroutes: %q\nopenapi: %q", routes, ops)
	}
}

// checkOpenAPI has every request and response of s checked against the
// document; the map it returns collects "METHOD path status" of each.
func checkOpenAPI(t *testing.T, s *stack) map[string]bool {
	t.Helper()
	doc := loadDoc(t)
	// The document's server is relative ("/"); match any host.
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	checked := map[string]bool{}
	s.check = func(req *http.Request, body []byte, res *http.Response, resBody []byte) {
		t.Helper()
		// The router matches the raw (escaped) path, as the server does.
		r := req.Clone(context.Background())
		r.URL.Path = r.URL.EscapedPath()
		r.URL.RawPath = ""
		route, params, err := router.FindRoute(r)
		if err != nil {
			t.Errorf("%s %s: not in the document: %v", req.Method, req.URL.Path, err)
			return
		}
		in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		if res.StatusCode < 400 {
			r.Body = io.NopCloser(bytes.NewReader(body))
			if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
				t.Errorf("%s %s: request does not match the document: %v", req.Method, route.Path, err)
			}
		}
		out := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
			Body:    io.NopCloser(bytes.NewReader(resBody)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: !strings.Contains(res.Header.Get("Content-Type"), "json")},
		}
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("%s %s → %d: response does not match the document: %v", req.Method, route.Path, res.StatusCode, err)
		}
		checked[fmt.Sprintf("%s %s %d", req.Method, route.Path, res.StatusCode)] = true
	}
	return checked
}

// Every response of a realistic session, errors included, is what the
// document says it is.
func TestResponsesMatchOpenAPI(t *testing.T) {
	s := newStack(t, nil)
	checked := checkOpenAPI(t, s)

	lab, an, ms, op := s.token("lab"), s.token("AN"), s.token("MS"), s.token("operator")
	var c server.Certificate
	s.do("POST", "/api/v1/certificates/test", lab, testBody(), "Idempotency-Key: k1").json(t, &c)
	s.do("POST", "/api/v1/certificates/test", lab, testBody(), "Idempotency-Key: k1")
	s.do("POST", "/api/v1/certificates/test", lab, testBody()+" ", "Idempotency-Key: k1")
	s.do("POST", "/api/v1/certificates/vaccination", lab, vaccinationBody())
	s.do("POST", "/api/v1/certificates/test", ms, testBody())
	s.do("POST", "/api/v1/certificates/test", "", testBody())
	s.do("POST", "/api/v1/certificates/vaccination", an, `{"nam": {}}`)
	s.do("POST", "/api/v1/certificates/vaccination", an, `{}`, "Content-Type: text/plain")
	var v server.Certificate
	s.do("POST", "/api/v1/certificates/vaccination", an, vaccinationBody()).json(t, &v)
	p := server.CertificatePath(c.UVCI)
	s.do("GET", p, lab, nil)
	s.do("GET", p, an, nil)
	s.do("GET", p+"/qr.png", lab, nil)
	s.do("GET", p+"/qr.svg", lab, nil)
	s.do("GET", p+"/pdf", lab, nil)
	s.do("GET", p+"/pdf", ms, nil)
	s.do("GET", p+"/pdf?layout=a6", lab, nil)
	s.do("GET", p+"/pdf?layout=letter", lab, nil)
	s.do("GET", p, ms, nil)
	s.do("POST", server.CertificatePath(v.UVCI)+"/reissue", an, `{"reason": "re-encoding"}`)
	s.do("POST", server.CertificatePath(v.UVCI)+"/reissue", an, `{}`)
	s.do("POST", p+"/revoke", lab, `{"reason": "wrong person"}`)
	s.do("POST", p+"/revoke", lab, `{"reason": "again"}`)
	s.do("POST", p+"/revoke", lab, `{"reason": ""}`)
	s.do("GET", p+"/qr.png", lab, nil)
	s.do("GET", p+"/qr.svg", lab, nil)
	s.do("GET", p+"/pdf", lab, nil)
	s.do("GET", "/api/v1/registry/certificates?type=test&limit=10", op, nil)
	s.do("GET", "/api/v1/registry/certificates?type=x", op, nil)
	s.do("GET", "/api/v1/registry/certificates", lab, nil)
	s.do("POST", "/api/v1/registry/certificates/search", op, `{"surname": "Musterfrau-Gößinger", "dob": "1998-02-26"}`)
	s.do("POST", "/api/v1/registry/certificates/search", op, `{"surname": "Musterfrau-Gößinger"}`)
	s.do("GET", "/api/v1/registry/stats?from=2020-01-01", op, nil)
	s.do("GET", "/api/v1/openapi.json", "", nil)
	tl := s.do("GET", "/api/v1/trustlist", "", nil)
	s.do("GET", "/api/v1/trustlist", "", nil, "If-None-Match: "+tl.header.Get("ETag"))
	s.do("GET", "/api/v1/revocations", "", nil)
	s.do("POST", "/api/v1/verify", "", map[string]string{"hc1": c.HC1, "lang": "es"})
	s.do("POST", "/api/v1/verify", "", map[string]string{"hc1": "HC1:garbage"})
	s.do("POST", "/api/v1/verify", "", map[string]string{"hc1": c.HC1, "lang": "fr"})
	s.do("GET", "/healthz", "", nil)
	s.do("GET", "/metrics", "", nil)

	for _, want := range []string{
		"POST /api/v1/certificates/test 201", "POST /api/v1/certificates/test 403", "POST /api/v1/certificates/test 401",
		"POST /api/v1/certificates/test 409", "POST /api/v1/certificates/vaccination 415", "POST /api/v1/certificates/vaccination 422",
		"POST /api/v1/certificates/vaccination 403",
		"GET /api/v1/certificates/{uvci} 200", "GET /api/v1/certificates/{uvci} 404", "GET /api/v1/certificates/{uvci}/pdf 200",
		"POST /api/v1/certificates/{uvci}/reissue 201", "POST /api/v1/certificates/{uvci}/reissue 409",
		"POST /api/v1/certificates/{uvci}/revoke 200", "POST /api/v1/certificates/{uvci}/revoke 409",
		"POST /api/v1/certificates/{uvci}/revoke 422", "GET /api/v1/registry/certificates 200",
		"GET /api/v1/registry/certificates 422", "GET /api/v1/registry/certificates 403", "GET /api/v1/registry/stats 200",
		"GET /api/v1/trustlist 200", "GET /api/v1/trustlist 304", "GET /api/v1/revocations 200",
		"POST /api/v1/verify 200", "POST /api/v1/verify 422", "GET /metrics 200",
		"POST /api/v1/registry/certificates/search 200", "POST /api/v1/registry/certificates/search 422",
		"GET /api/v1/certificates/{uvci}/pdf 422", "GET /api/v1/certificates/{uvci}/pdf 410",
		"GET /api/v1/certificates/{uvci}/qr.png 410", "GET /api/v1/certificates/{uvci}/qr.svg 410",
	} {
		if !checked[want] {
			t.Errorf("the session did not exercise %s", want)
		}
	}
}
