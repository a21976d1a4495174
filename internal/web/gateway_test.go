package web_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dcc/internal/app"
	"dcc/internal/config"
	"dcc/internal/gatewayserver"
	"dcc/internal/web"
)

// A registry operator sees the synchronisation with the gateway on its own
// page, in both languages; others do not; without a gateway section there
// is no page.
func TestGatewayPage(t *testing.T) {
	gw, _, err := gatewayserver.OpenDemo(context.Background(), t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	es := gw.Countries[0]
	var a *app.App
	s := openSystem(t, systemOptions{
		config: func(c *config.Config) {
			c.Gateway = config.Gateway{
				URL:     "https://127.0.0.1:1", // nothing listens: the page must not need the gateway
				AuthKey: "file:" + filepath.Join(es.Dir, "auth", "key.pem"), AuthCertFile: filepath.Join(es.Dir, "auth", "cert.pem"),
				ServerCAFile: filepath.Join(gw.Dir, gatewayserver.DemoServerCert), TrustAnchorFile: filepath.Join(gw.Dir, gatewayserver.DemoAnchorCert),
				Interval: config.Duration(time.Hour), Timeout: config.Duration(time.Second),
				RetryBase: config.Duration(time.Second), RetryMax: config.Duration(time.Second),
			}
		},
		app: func(x *app.App) { a = x },
		web: func(wc *web.Config) { wc.Gateway = a.Gateway },
	})
	if a.Gateway == nil {
		t.Fatal("the gateway section did not make a syncer")
	}
	ctx := context.Background()
	now := time.Now()
	a.Store.GatewaySetStatus(ctx, "trustlist", now, 1234, nil)
	a.Store.GatewaySetStatus(ctx, "rules", now, 0, errString("gateway: GET /rules/FR: 503 Service Unavailable"))

	c := s.client(t)
	c.signIn(s.operatorToken())
	body := c.get("/registry/gateway").want(t, http.StatusOK).body
	for _, want := range []string{"Pasarela de la UE / EU DCC Gateway", "Lista de confianza / Trust list", "1234",
		"503 Service Unavailable", "Envíos pendientes / Uploads waiting", `href="/registry/gateway"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the gateway page lacks %q", want)
		}
	}
	lab := s.client(t)
	lab.signIn(s.labToken())
	lab.get("/registry/gateway").want(t, http.StatusForbidden)

	plain := newSystem(t, nil)
	op := plain.client(t)
	op.signIn(plain.operatorToken())
	if b := op.get("/registry").want(t, http.StatusOK).body; strings.Contains(b, "/registry/gateway") {
		t.Error("a link to the gateway page without a gateway")
	}
	op.get("/registry/gateway").want(t, http.StatusNotFound)
}

type errString string

func (e errString) Error() string { return string(e) }
