package server

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"dcc/verify"
)

// Verifier checks certificates for people at borders and venues.
type Verifier interface {
	Text(ctx context.Context, text string, o verify.Options) verify.Result
	Image(ctx context.Context, img []byte, o verify.Options) verify.Result
}

// VerifyRequest is the JSON body of POST /api/v1/verify.
type VerifyRequest struct {
	HC1     string `json:"hc1"`
	Country string `json:"country,omitempty"`
	Region  string `json:"region,omitempty"`
	At      string `json:"at,omitempty"` // RFC 3339; default now
	Lang    string `json:"lang,omitempty"`
}

// verifyAPI verifies an HC1 string (JSON) or the QR code in an image
// (image/png or image/jpeg, options in the query). It needs no credentials:
// it is limited per address instead.
func (s *Server) verifyAPI(w http.ResponseWriter, r *http.Request) {
	if !s.allow("verify:" + remoteIP(r)) {
		w.Header().Set("Retry-After", "1")
		problem(w, http.StatusTooManyRequests, probRateLimited, "Too many requests", "Retry after a second.")
		return
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var req VerifyRequest
	var img []byte
	switch {
	case mt == "image/png" || mt == "image/jpeg":
		done, ok := s.AdmitImage()
		if !ok {
			s.imagesBusy(w)
			return
		}
		defer done()
		b, err := io.ReadAll(r.Body)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		img = b
		q := r.URL.Query()
		req = VerifyRequest{Country: q.Get("country"), Region: q.Get("region"), At: q.Get("at"), Lang: q.Get("lang")}
	default:
		body, ok := readJSON(w, r)
		if !ok {
			return
		}
		if err := strictDecode(body, &req); err != nil {
			writeProblem(w, Problem{Type: probInvalid, Title: "The request is invalid", Status: http.StatusUnprocessableEntity,
				Errors: []FieldProblem{{Field: "", Reason: err.Error() + ` (want {"hc1": "HC1:…", "country": "ES", "lang": "es"})`}}})
			return
		}
		if strings.TrimSpace(req.HC1) == "" {
			writeProblem(w, Problem{Type: probInvalid, Title: "The request is invalid", Status: http.StatusUnprocessableEntity,
				Errors: []FieldProblem{{Field: "hc1", Reason: "required: the HC1: string read from the QR code"}}})
			return
		}
	}
	opts, probs := verifyOptions(req, s.Now())
	if len(probs) > 0 {
		writeProblem(w, Problem{Type: probInvalid, Title: "The request is invalid", Status: http.StatusUnprocessableEntity, Errors: probs})
		return
	}
	var res verify.Result
	if img != nil {
		var err error
		res, err = s.VerifyImage(r.Context(), s.Verifier, img, opts)
		var tl *ImageTooLargeError
		switch {
		case errors.As(err, &tl):
			problem(w, http.StatusRequestEntityTooLarge, probTooLarge, "Image too large", tl.Error()+".")
			return
		case errors.Is(err, ErrImageBusy):
			s.imagesBusy(w)
			return
		case err != nil: // the client left
			return
		}
	} else {
		res = s.Verifier.Text(r.Context(), req.HC1, opts)
	}
	writeJSON(w, http.StatusOK, res)
}

// imagesBusy answers an image that found every decoding place taken.
func (s *Server) imagesBusy(w http.ResponseWriter) {
	w.Header().Set("Retry-After", retryAfter(s.ImageWait))
	problem(w, http.StatusTooManyRequests, probRateLimited, "The image decoders are busy",
		"Every image decoding slot is taken; retry after "+retryAfter(s.ImageWait)+" seconds, or send the HC1 text as JSON, which needs none.")
}

// VerifyOptions checks the options of a verification request.
func verifyOptions(req VerifyRequest, now time.Time) (verify.Options, []FieldProblem) {
	var probs []FieldProblem
	o := verify.Options{At: now, Country: strings.ToUpper(req.Country), Region: req.Region, Lang: req.Lang}
	if o.Lang == "" {
		o.Lang = "en"
	}
	if o.Lang != "es" && o.Lang != "en" {
		probs = append(probs, FieldProblem{Field: "lang", Reason: "want es or en"})
	}
	if o.Country != "" && (len(o.Country) != 2 || strings.Trim(o.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		probs = append(probs, FieldProblem{Field: "country", Reason: "want an ISO 3166-1 alpha-2 code, e.g. ES"})
	}
	if req.At != "" {
		at, err := time.Parse(time.RFC3339, req.At)
		if err != nil {
			probs = append(probs, FieldProblem{Field: "at", Reason: "want an RFC 3339 time, e.g. 2026-06-01T12:00:00Z"})
		}
		o.At = at
	}
	return o, probs
}
