package deployment

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"dcc"
	"dcc/i18n"
	"dcc/uvci"
)

// Role is what a principal is.
type Role string

const (
	RoleAuthority Role = "authority" // staff of an issuing authority
	RoleLab       Role = "lab"       // a laboratory issuing test certificates
	RoleOperator  Role = "operator"  // an operator of the national registry
)

// Principal is an authenticated caller.
type Principal struct {
	Role Role
	ID   string // the authority, laboratory or operator id
	// Authority is the issuing authority the principal acts for: itself for
	// an authority, its region for a laboratory, empty for an operator.
	Authority string
	Name      string // display name
}

// Actor names the principal in the audit log: "lab:LAB1".
func (p Principal) Actor() string { return string(p.Role) + ":" + p.ID }

// Authority is an issuing authority.
type Authority struct {
	ID         string
	Name       string     // written as "is" in its certificates
	UVCIPrefix string     // issuer part of its UVCIs; unique in the country
	Types      []dcc.Type // certificate types it may issue
}

// Lab is a laboratory registered under a region.
type Lab struct {
	ID        string
	Name      string // written as "tc" in its certificates
	Authority string // the region that enables it and signs for it
}

// Operator is an operator of the national registry.
type Operator struct {
	ID   string
	Name string
}

// Deployment is the model of a country's system. Build it with New; it is
// immutable and safe for concurrent use.
type Deployment struct {
	country     string
	authorities map[string]*Authority
	labs        map[string]*Lab
	operators   map[string]*Operator
	byToken     map[[32]byte]Principal
	order       []string // authority ids in configuration order
}

// Credential is a secret token that authenticates a principal.
type Credential struct {
	Role  Role
	ID    string
	Token string
}

// MinTokenLength is the shortest token accepted: 32 characters of a random
// token carry well over 128 bits.
const MinTokenLength = 32

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// New checks a model and its credentials and builds the deployment. Every
// problem is reported at once.
func New(country string, auths []Authority, labs []Lab, ops []Operator, creds []Credential) (*Deployment, error) {
	d := &Deployment{
		country:     country,
		authorities: map[string]*Authority{},
		labs:        map[string]*Lab{},
		operators:   map[string]*Operator{},
		byToken:     map[[32]byte]Principal{},
	}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if len(country) != 2 || strings.ToUpper(country) != country || !isLetters(country) {
		bad("country %q: want an ISO 3166-1 alpha-2 code in upper case, e.g. ES", country)
	}
	// checkEntry checks an id (unique among taken) and a name written into
	// certificates as field.
	checkEntry := func(where, id string, taken bool, name, field string) {
		if !idPattern.MatchString(id) {
			bad("%s.id %q: use 1–64 letters, digits, '.', '_' or '-'", where, id)
		} else if taken {
			bad("%s.id %q: used twice", where, id)
		}
		if field == "" {
			return
		}
		if strings.TrimSpace(name) == "" {
			bad("%s.name: empty; it is written as %s of its certificates", where, field)
		} else if len([]rune(name)) > 80 {
			bad("%s.name: longer than 80 characters, the limit of %s", where, field)
		}
	}
	prefixes := map[string]string{}
	for i, a := range auths {
		where := fmt.Sprintf("authorities[%d]", i)
		checkEntry(where, a.ID, d.authorities[a.ID] != nil, a.Name, `the issuer ("is")`)
		if _, err := uvci.NewGenerator(orES(country), a.UVCIPrefix, nil); err != nil {
			bad("%s.uvciPrefix %q: %v", where, a.UVCIPrefix, err)
		} else if other, dup := prefixes[a.UVCIPrefix]; dup {
			bad("%s.uvciPrefix %q: already the prefix of authority %q; identifiers of two authorities must never collide", where, a.UVCIPrefix, other)
		}
		prefixes[a.UVCIPrefix] = a.ID
		if len(a.Types) == 0 {
			bad("%s.types: empty; list the certificate types it issues (v, t, r)", where)
		}
		for _, t := range a.Types {
			if t != dcc.Vaccination && t != dcc.Test && t != dcc.Recovery {
				bad("%s.types: %q is not a certificate type (v, t, r)", where, t)
			}
		}
		a := a
		a.Types = slices.Clone(a.Types)
		d.authorities[a.ID] = &a
		d.order = append(d.order, a.ID)
	}
	for i, l := range labs {
		where := fmt.Sprintf("labs[%d]", i)
		checkEntry(where, l.ID, d.labs[l.ID] != nil, l.Name, `the test centre ("tc")`)
		a := d.authorities[l.Authority]
		switch {
		case a == nil:
			bad("%s.authority %q: no such authority", where, l.Authority)
		case !slices.Contains(a.Types, dcc.Test):
			bad("%s.authority %q: that authority does not issue test certificates, so it cannot enable a laboratory", where, l.Authority)
		}
		l := l
		d.labs[l.ID] = &l
	}
	for i, o := range ops {
		checkEntry(fmt.Sprintf("operators[%d]", i), o.ID, d.operators[o.ID] != nil, "", "")
		o := o
		d.operators[o.ID] = &o
	}
	for i, c := range creds {
		p, ok := d.principal(c.Role, c.ID)
		where := fmt.Sprintf("credential %d (%s %q)", i, c.Role, c.ID)
		if !ok {
			bad("%s: no such %s", where, c.Role)
			continue
		}
		if len(c.Token) < MinTokenLength {
			bad("%s: token shorter than %d characters", where, MinTokenLength)
			continue
		}
		h := sha256.Sum256([]byte(c.Token))
		if _, dup := d.byToken[h]; dup {
			bad("%s: token already used by another principal", where)
			continue
		}
		d.byToken[h] = p
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("deployment: %w", errors.Join(errs...))
	}
	return d, nil
}

func orES(country string) string {
	if len(country) == 2 && isLetters(country) && strings.ToUpper(country) == country {
		return country
	}
	return "ES" // the country error is reported on its own
}

func isLetters(s string) bool {
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

func (d *Deployment) principal(r Role, id string) (Principal, bool) {
	switch r {
	case RoleAuthority:
		if a := d.authorities[id]; a != nil {
			return Principal{Role: r, ID: id, Authority: id, Name: a.Name}, true
		}
	case RoleLab:
		if l := d.labs[id]; l != nil {
			return Principal{Role: r, ID: id, Authority: l.Authority, Name: l.Name}, true
		}
	case RoleOperator:
		if o := d.operators[id]; o != nil {
			name := o.Name
			if name == "" {
				name = o.ID
			}
			return Principal{Role: r, ID: id, Name: name}, true
		}
	}
	return Principal{}, false
}

// Country is the deployment's ISO 3166-1 alpha-2 code.
func (d *Deployment) Country() string { return d.country }

// Authority returns an authority by id.
func (d *Deployment) Authority(id string) (Authority, bool) {
	a := d.authorities[id]
	if a == nil {
		return Authority{}, false
	}
	c := *a
	c.Types = slices.Clone(a.Types)
	return c, true
}

// Authorities returns every authority, in configuration order.
func (d *Deployment) Authorities() []Authority {
	out := make([]Authority, 0, len(d.order))
	for _, id := range d.order {
		a, _ := d.Authority(id)
		out = append(out, a)
	}
	return out
}

// Lab returns a laboratory by id.
func (d *Deployment) Lab(id string) (Lab, bool) {
	l := d.labs[id]
	if l == nil {
		return Lab{}, false
	}
	return *l, true
}

// Authenticate returns the principal a token belongs to. Tokens are held
// and looked up by their SHA-256 only: the lookup compares hashes, which
// reveals nothing about the token through timing, and memory holds no token.
func (d *Deployment) Authenticate(token string) (Principal, bool) {
	if token == "" {
		return Principal{}, false
	}
	p, ok := d.byToken[sha256.Sum256([]byte(token))]
	return p, ok
}

// ForbiddenError is an action the model does not allow. Reason is meant for
// the caller, in English; Text is the same in both languages, for people.
type ForbiddenError struct {
	Reason string
	Text   i18n.Text
}

func (e *ForbiddenError) Error() string { return "forbidden: " + e.Reason }

func forbidden(f i18n.Format, a ...any) error {
	t := f.With(a...)
	return &ForbiddenError{Reason: t.EN, Text: t}
}

// Types returns the certificate types p may issue.
func (d *Deployment) Types(p Principal) []dcc.Type {
	switch p.Role {
	case RoleLab:
		return []dcc.Type{dcc.Test}
	case RoleAuthority:
		if a := d.authorities[p.ID]; a != nil {
			return slices.Clone(a.Types)
		}
	}
	return nil
}

// CanIssue says whether p may issue a certificate of type t: an authority
// its configured types, a laboratory test certificates (and only while its
// region issues them), an operator nothing.
func (d *Deployment) CanIssue(p Principal, t dcc.Type) error {
	switch p.Role {
	case RoleOperator:
		return forbidden(msg.OperatorsDoNotIssue)
	case RoleLab:
		if t != dcc.Test {
			return forbidden(msg.LabTestsOnly, p.ID)
		}
	case RoleAuthority:
	default:
		return forbidden(msg.UnknownRole, p.Role)
	}
	a := d.authorities[p.Authority]
	if a == nil {
		return forbidden(msg.UnknownAuthority, p.Authority)
	}
	if !slices.Contains(a.Types, t) {
		return forbidden(msg.TypeNotIssued, a.Name, TypeText(t), typeList(a.Types))
	}
	return nil
}

// Scope is the part of the registry a principal may read and revoke in.
type Scope struct {
	Authority string // "" for every authority
	Lab       string // "" for every laboratory (and none)
}

// Scope returns what p may read and revoke: an authority its own
// certificates, a laboratory those it issued itself, an operator every
// certificate.
func (d *Deployment) Scope(p Principal) (Scope, error) {
	switch p.Role {
	case RoleOperator:
		return Scope{}, nil
	case RoleAuthority:
		return Scope{Authority: p.Authority}, nil
	case RoleLab:
		return Scope{Authority: p.Authority, Lab: p.ID}, nil
	}
	return Scope{}, forbidden(msg.UnknownRole, p.Role)
}

// CanSearch says whether p may search the national registry and read its
// statistics: operators only.
func (d *Deployment) CanSearch(p Principal) error {
	if p.Role != RoleOperator {
		return forbidden(msg.OperatorsOnlySearch)
	}
	return nil
}

// TypeName is the English name of a certificate type.
func TypeName(t dcc.Type) string {
	switch t {
	case dcc.Vaccination:
		return "vaccination"
	case dcc.Test:
		return "test"
	case dcc.Recovery:
		return "recovery"
	}
	return string(t)
}

// ParseType reads "vaccination", "test", "recovery" or v, t, r.
func ParseType(s string) (dcc.Type, bool) {
	switch s {
	case "vaccination", "v":
		return dcc.Vaccination, true
	case "test", "t":
		return dcc.Test, true
	case "recovery", "r":
		return dcc.Recovery, true
	}
	return "", false
}

func typeList(ts []dcc.Type) i18n.Text {
	var es, en []string
	for _, t := range ts {
		es = append(es, TypeText(t).ES)
		en = append(en, TypeText(t).EN)
	}
	return i18n.Text{ES: strings.Join(es, ", "), EN: strings.Join(en, ", ")}
}

// TypeText is a certificate type's name in both languages, as a noun
// complement ("certificados de vacunación", "vaccination certificates").
func TypeText(t dcc.Type) i18n.Text {
	switch t {
	case dcc.Vaccination:
		return msg.Vaccination
	case dcc.Test:
		return msg.Test
	case dcc.Recovery:
		return msg.Recovery
	}
	return i18n.Text{ES: string(t), EN: string(t)}
}
