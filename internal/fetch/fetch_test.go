package fetch_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"dcc/internal/fetch"
)

var ctx = context.Background()

func TestETagCacheAndOffline(t *testing.T) {
	var full, notModified atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		full.Add(1)
		w.Header().Set("ETag", `"v1"`)
		w.Write([]byte("list v1"))
	}))
	f, err := fetch.New(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		got, err := f.Get(ctx, srv.URL)
		if err != nil || string(got) != "list v1" {
			t.Fatalf("Get = %q, %v", got, err)
		}
	}
	if full.Load() != 1 || notModified.Load() != 2 {
		t.Errorf("%d full answers, %d not-modified; want 1 and 2", full.Load(), notModified.Load())
	}
	srv.Close()
	if got, err := f.Get(ctx, srv.URL); err != nil || string(got) != "list v1" {
		t.Errorf("offline: %q, %v; want the cached copy", got, err)
	}
	// Without a cache an unreachable URL is an error.
	nocache, _ := fetch.New("", "")
	if _, err := nocache.Get(ctx, srv.URL); err == nil {
		t.Error("unreachable URL without a cache succeeded")
	}
}

func TestFilesAndPlainHTTP(t *testing.T) {
	f, _ := fetch.New("", "")
	p := filepath.Join(t.TempDir(), "x.json")
	os.WriteFile(p, []byte("{}"), 0o600)
	if got, err := f.Get(ctx, p); err != nil || string(got) != "{}" {
		t.Errorf("file: %q, %v", got, err)
	}
	if _, err := f.Get(ctx, "http://registry.example/api/v1/trustlist"); err == nil {
		t.Error("plain http to another host accepted")
	}
	f.MaxSize = 1
	if _, err := f.Get(ctx, p); err == nil {
		t.Error("oversized file accepted")
	}
}
