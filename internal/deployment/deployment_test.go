package deployment_test

import (
	"errors"
	"strings"
	"testing"

	"dcc"
	"dcc/internal/deployment"
)

const (
	tokRegion = "region-token-region-token-region-token"
	tokHealth = "health-token-health-token-health-token"
	tokLab    = "lab-token-lab-token-lab-token-lab-token"
	tokOp     = "operator-token-operator-token-operator"
)

func spain(t *testing.T) *deployment.Deployment {
	t.Helper()
	d, err := deployment.New("ES",
		[]deployment.Authority{
			{ID: "AN", Name: "Servicio Andaluz de Salud", UVCIPrefix: "AN", Types: []dcc.Type{"v", "t", "r"}},
			{ID: "MS", Name: "Ministerio de Sanidad", UVCIPrefix: "MS", Types: []dcc.Type{"v", "r"}},
		},
		[]deployment.Lab{{ID: "LAB1", Name: "Laboratorio", Authority: "AN"}},
		[]deployment.Operator{{ID: "op"}},
		[]deployment.Credential{
			{Role: deployment.RoleAuthority, ID: "AN", Token: tokRegion},
			{Role: deployment.RoleAuthority, ID: "MS", Token: tokHealth},
			{Role: deployment.RoleLab, ID: "LAB1", Token: tokLab},
			{Role: deployment.RoleOperator, ID: "op", Token: tokOp},
		})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func auth(t *testing.T, d *deployment.Deployment, tok string) deployment.Principal {
	t.Helper()
	p, ok := d.Authenticate(tok)
	if !ok {
		t.Fatalf("token %q not accepted", tok)
	}
	return p
}

func TestAuthenticate(t *testing.T) {
	d := spain(t)
	lab := auth(t, d, tokLab)
	if lab.Role != deployment.RoleLab || lab.ID != "LAB1" || lab.Authority != "AN" || lab.Actor() != "lab:LAB1" {
		t.Errorf("lab = %+v", lab)
	}
	for _, bad := range []string{"", tokLab + "x", strings.ToUpper(tokLab), tokLab[:len(tokLab)-1]} {
		if _, ok := d.Authenticate(bad); ok {
			t.Errorf("token %q accepted", bad)
		}
	}
}

// The permission matrix of seed 000: laboratories test only, the Ministry
// of Health never tests, operators nothing.
func TestCanIssue(t *testing.T) {
	d := spain(t)
	region, health, lab, op := auth(t, d, tokRegion), auth(t, d, tokHealth), auth(t, d, tokLab), auth(t, d, tokOp)
	for _, tt := range []struct {
		p    deployment.Principal
		typ  dcc.Type
		want bool
	}{
		{region, "v", true}, {region, "t", true}, {region, "r", true},
		{health, "v", true}, {health, "t", false}, {health, "r", true},
		{lab, "v", false}, {lab, "t", true}, {lab, "r", false},
		{op, "v", false}, {op, "t", false}, {op, "r", false},
		{deployment.Principal{Role: "admin", ID: "x", Authority: "AN"}, "v", false},
		{deployment.Principal{Role: deployment.RoleAuthority, ID: "XX", Authority: "XX"}, "v", false},
	} {
		err := d.CanIssue(tt.p, tt.typ)
		var fe *deployment.ForbiddenError
		if got := err == nil; got != tt.want || (err != nil && (!errors.As(err, &fe) || fe.Reason == "")) {
			t.Errorf("CanIssue(%s, %s) = %v, want allowed=%v", tt.p.Actor(), tt.typ, err, tt.want)
		}
	}
	if got := d.Types(lab); len(got) != 1 || got[0] != "t" {
		t.Errorf("Types(lab) = %v", got)
	}
	if got := d.Types(health); len(got) != 2 {
		t.Errorf("Types(health) = %v", got)
	}
}

func TestScope(t *testing.T) {
	d := spain(t)
	for _, tt := range []struct {
		tok  string
		want deployment.Scope
	}{
		{tokRegion, deployment.Scope{Authority: "AN"}},
		{tokLab, deployment.Scope{Authority: "AN", Lab: "LAB1"}},
		{tokOp, deployment.Scope{}},
	} {
		if got, err := d.Scope(auth(t, d, tt.tok)); err != nil || got != tt.want {
			t.Errorf("Scope = %+v, %v; want %+v", got, err, tt.want)
		}
	}
	if err := d.CanSearch(auth(t, d, tokOp)); err != nil {
		t.Error(err)
	}
	for _, tok := range []string{tokRegion, tokLab} {
		if err := d.CanSearch(auth(t, d, tok)); err == nil {
			t.Errorf("%s may search the national registry", tok[:5])
		}
	}
}

// Every model error is reported at once, naming the entry.
func TestNewReportsEveryProblem(t *testing.T) {
	_, err := deployment.New("es",
		[]deployment.Authority{
			{ID: "AN", Name: "A", UVCIPrefix: "AN", Types: []dcc.Type{"v", "t"}},
			{ID: "AN", Name: "", UVCIPrefix: "AN", Types: nil},
			{ID: "bad id!", Name: strings.Repeat("x", 81), UVCIPrefix: "a/", Types: []dcc.Type{"x"}},
			{ID: "MS", Name: "M", UVCIPrefix: "MS", Types: []dcc.Type{"v"}},
		},
		[]deployment.Lab{{ID: "L", Name: "Lab", Authority: "MS"}, {ID: "L2", Name: "Lab", Authority: "ZZ"}},
		nil,
		[]deployment.Credential{
			{Role: deployment.RoleAuthority, ID: "AN", Token: "short"},
			{Role: deployment.RoleLab, ID: "nobody", Token: tokLab},
			{Role: deployment.RoleAuthority, ID: "MS", Token: tokRegion},
			{Role: deployment.RoleLab, ID: "L", Token: tokRegion},
		})
	if err == nil {
		t.Fatal("an invalid model was accepted")
	}
	for _, want := range []string{
		`country "es"`, `authorities[1].id "AN": used twice`, `authorities[1].name: empty`, `authorities[1].uvciPrefix "AN"`,
		`authorities[1].types: empty`, `authorities[2].id "bad id!"`, `authorities[2].name: longer than 80`,
		`authorities[2].uvciPrefix "a/"`, `authorities[2].types: "x"`,
		`labs[0].authority "MS": that authority does not issue test certificates`, `labs[1].authority "ZZ": no such authority`,
		`token shorter than 32`, `no such lab`, `token already used`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
