package server

import (
	_ "embed"
	"net/http"
)

// openAPIDoc is the API's OpenAPI 3 document; a test keeps it true to the
// routes and the responses.
//
//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the OpenAPI document.
func OpenAPI() []byte { return openAPIDoc }

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "max-age=300")
	_, _ = w.Write(openAPIDoc)
}
