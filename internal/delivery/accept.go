package delivery

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"dcc"
	"dcc/internal/deployment"
	"dcc/registry"
	"dcc/uvci"
)

// RefusedError is a delivered record the registry does not take, and why.
// Delivering it again would be refused the same way: the authority parks it
// for its operators instead of retrying.
type RefusedError struct {
	Field  string // the record field at fault ("uvci", "type", …)
	Reason string
}

func (e *RefusedError) Error() string { return e.Field + ": " + e.Reason }

func refused(field, format string, a ...any) error {
	return &RefusedError{Field: field, Reason: fmt.Sprintf(format, a...)}
}

// Accept checks a record delivered by authority (the common name of its
// verified client certificate) and converts it for the registry. An
// authority delivers only what it may issue: identifiers of its own issuer
// prefix (Annex III §3, with a valid check character), types it issues,
// test certificates of its own laboratories, and a payload that matches its
// hash and is the certificate the record describes. Anything else is a
// *RefusedError naming the field, so that no authority can claim another's
// identifiers.
func (r Record) Accept(dep *deployment.Deployment, authority string) (registry.Record, error) {
	a, ok := dep.Authority(authority)
	if !ok {
		return registry.Record{}, refused("authority", "%q is not an issuing authority of this deployment", authority)
	}
	if r.Authority != a.ID {
		return registry.Record{}, refused("authority", "record of authority %q delivered by %q: an authority delivers only its own records", r.Authority, a.ID)
	}
	u, _, err := uvci.Parse(r.UVCI, uvci.Strict)
	if err != nil {
		return registry.Record{}, refused("uvci", "%v", strings.TrimPrefix(err.Error(), "uvci: "))
	}
	switch {
	case !u.Prefixed || u.Check == 0:
		return registry.Record{}, refused("uvci", "want the form this country issues, %s01:%s:%s/…#<check character>", uvci.Prefix, dep.Country(), a.UVCIPrefix)
	case u.Country != dep.Country():
		return registry.Record{}, refused("uvci", "country %q: this registry keeps the certificates of %s", u.Country, dep.Country())
	case !strings.HasPrefix(u.National, a.UVCIPrefix+"/"):
		return registry.Record{}, refused("uvci", "issuer prefix is not %q, the prefix of authority %s", a.UVCIPrefix, a.ID)
	}
	t := dcc.Type(r.Type)
	if !slices.Contains(a.Types, t) {
		return registry.Record{}, refused("type", "%q: authority %s does not issue %s certificates", r.Type, a.ID, typeWord(t))
	}
	if r.Lab != "" {
		lab, ok := dep.Lab(r.Lab)
		switch {
		case !ok:
			return registry.Record{}, refused("lab", "%q is not a laboratory of this deployment", r.Lab)
		case lab.Authority != a.ID:
			return registry.Record{}, refused("lab", "laboratory %s is enabled by authority %s, not %s", lab.ID, lab.Authority, a.ID)
		case t != dcc.Test:
			return registry.Record{}, refused("lab", "laboratory %s issues test certificates only, not %s", lab.ID, typeWord(t))
		}
	}
	out, err := r.ToRegistry()
	if err != nil {
		var re *RefusedError
		if errors.As(err, &re) {
			return registry.Record{}, err
		}
		return registry.Record{}, refused("record", "%v", err)
	}
	if err := payloadMatches(r.Payload, t, r.UVCI); err != nil {
		return registry.Record{}, err
	}
	return out, nil
}

// payloadMatches checks that the payload is a certificate of type t whose
// identifier is the record's: a record cannot file one certificate under
// another's UVCI.
func payloadMatches(payload []byte, t dcc.Type, id string) error {
	tree, err := dcc.DecodeJSON(payload)
	if err != nil {
		return refused("payload", "not a JSON payload: %v", err)
	}
	m, ok := tree.(map[string]any)
	if !ok {
		return refused("payload", "not a JSON object")
	}
	for _, g := range []dcc.Type{dcc.Vaccination, dcc.Test, dcc.Recovery} {
		if _, has := m[string(g)]; has != (g == t) {
			return refused("payload", "the record is a %s certificate; its payload must hold exactly one %q group", typeWord(t), string(t))
		}
	}
	es, _ := m[string(t)].([]any)
	if len(es) != 1 {
		return refused("payload", "%q must hold exactly one entry", string(t))
	}
	e, _ := es[0].(map[string]any)
	if ci, _ := e["ci"].(string); ci != id {
		return refused("payload", "%s[0].ci is not the record's uvci", string(t))
	}
	return nil
}

func typeWord(t dcc.Type) string {
	switch t {
	case dcc.Vaccination, dcc.Test, dcc.Recovery:
		return deployment.TypeName(t)
	}
	return fmt.Sprintf("%q", string(t))
}
