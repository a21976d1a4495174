package dcc

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The cross-check of the compiled 1.3.x schema against the library: on
// every payload at hand, both must give the same findings, path, English
// and Spanish text alike (the order aside: the library's follows Go's map
// order).

var versions13 = []string{"1.3.0", "1.3.1", "1.3.2", "1.3.3"}

func schemaSetT(t testing.TB) *schemaSet {
	t.Helper()
	s, err := compileSchemas()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sortedProblems(ps []Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = fmt.Sprintf("%s\t%s\t%s", p.Path, p.Reason, p.Text.ES)
		if p.Text.EN != p.Reason || p.Severity != Error {
			out[i] += "\t(Text.EN differs from Reason, or not an error)"
		}
	}
	slices.Sort(out)
	return out
}

// agree checks tree against schema ver both ways and fails on any
// difference; it returns the compiled validator's findings.
func agree(t testing.TB, s *schemaSet, ver, what string, tree any) []Problem {
	t.Helper()
	c := s.compiled[ver]
	if c == nil {
		t.Fatalf("schema %s has no compiled validator", ver)
	}
	got := c.check(tree)
	want := s.checkLibrary(s.byVersion[ver], ver, tree)
	if g, w := sortedProblems(got), sortedProblems(want); !slices.Equal(g, w) {
		t.Errorf("%s, schema %s: compiled and library disagree\ncompiled: %q\nlibrary:  %q", what, ver, g, w)
	}
	return got
}

func readTreeFile(t testing.TB, file string) any {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := decodeJSON(data)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return tree
}

func TestCompiledSchemaCoversEvery13(t *testing.T) {
	s := schemaSetT(t)
	var have []string
	for v := range s.compiled {
		have = append(have, v)
	}
	slices.Sort(have)
	if !slices.Equal(have, versions13) {
		t.Fatalf("compiled schemas for %v, want %v: an embedded 1.3.x file changed or was added; "+
			"review schema13.go against it and update compiled13", have, versions13)
	}
	for _, ver := range versions13 {
		if s.byVersion[ver] == nil {
			t.Errorf("schema %s: no library schema to cross-check with", ver)
		}
	}
}

// TestCompiledSchemaOfficial: the repository's payloads, the official
// examples and test cases, and the member-state vectors, each against
// every 1.3.x schema.
func TestCompiledSchemaOfficial(t *testing.T) {
	s := schemaSetT(t)
	var trees []struct {
		name string
		tree any
	}
	add := func(name string, tree any) {
		trees = append(trees, struct {
			name string
			tree any
		}{name, tree})
	}
	local, _ := filepath.Glob("testdata/*.json")
	for _, f := range local {
		add(f, readTreeFile(t, f))
	}
	const repo = "../shared/specs/eu-dcc-schema"
	_, repoErr := os.Stat(repo)
	if err := repoErr; err != nil {
		t.Logf("official schema repository not found at %s (%v): its examples are not cross-checked", repo, err)
	} else {
		for _, pattern := range []string{"examples/*/*.json", "test/valid/*.json", "test/invalid/*.json"} {
			m, _ := filepath.Glob(filepath.Join(repo, pattern))
			if len(m) == 0 {
				t.Errorf("no official file matches %s", pattern)
			}
			for _, f := range m {
				add(f, readTreeFile(t, f))
			}
		}
	}
	const vectors = "../shared/testdata/dgc-testdata"
	if _, err := os.Stat(vectors); err != nil {
		t.Logf("member-state test vectors not found at %s (%v): they are not cross-checked", vectors, err)
	} else {
		n := 0
		filepath.WalkDir(vectors, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var vec struct{ JSON json.RawMessage }
			if json.Unmarshal(data, &vec) != nil || len(vec.JSON) == 0 {
				return nil
			}
			tree, err := decodeJSON(vec.JSON)
			if err != nil {
				return nil // not a payload the validator would see
			}
			add(path, tree)
			n++
			return nil
		})
		if n < 50 {
			t.Errorf("only %d member-state vectors with a JSON payload", n)
		}
	}
	// The examples the schemas give for their fields, in each payload.
	for _, ver := range versions13 {
		data, err := schemaFiles.ReadFile("schemas/" + ver + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Properties map[string]struct{ Examples []any }
			Defs       struct {
				PersonName struct {
					Properties map[string]struct{ Examples []any }
				} `json:"person_name"`
			} `json:"$defs"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		n := len(trees)
		for _, base := range trees[:len(local)] {
			for field, p := range doc.Properties {
				for _, ex := range p.Examples {
					add(fmt.Sprintf("%s with %s example %s = %v", base.name, ver, field, ex), with(base.tree, field, ex))
				}
			}
			for field, p := range doc.Defs.PersonName.Properties {
				for _, ex := range p.Examples {
					add(fmt.Sprintf("%s with %s example nam.%s = %v", base.name, ver, field, ex), with(base.tree, "nam."+field, ex))
				}
			}
		}
		if len(trees) == n {
			t.Errorf("schema %s: no field examples found", ver)
		}
	}
	invalid := 0
	for _, tr := range trees {
		for _, ver := range versions13 {
			if len(agree(t, s, ver, tr.name, tr.tree)) > 0 {
				invalid++
			}
		}
	}
	// The official invalid cases must fail: otherwise the comparison
	// would have compared nothing.
	if invalid == 0 && repoErr == nil {
		t.Error("no payload failed either schema")
	}
	t.Logf("%d payloads × %d schemas cross-checked, %d findings sets non-empty", len(trees), len(versions13), invalid)
}

// deepCopy copies a tree; set and remove change a copy at a path of
// tokens ("v", 0, "dn").
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

type removed struct{}

func setAt(tree any, path []any, value any) any {
	if len(path) == 0 {
		return value
	}
	switch x := tree.(type) {
	case map[string]any:
		k, ok := path[0].(string)
		if !ok {
			return tree
		}
		if len(path) == 1 {
			if _, del := value.(removed); del {
				delete(x, k)
			} else {
				x[k] = value
			}
			return x
		}
		if e, ok := x[k]; ok {
			x[k] = setAt(e, path[1:], value)
		}
	case []any:
		i, ok := path[0].(int)
		if !ok || i >= len(x) {
			return tree
		}
		if len(path) == 1 {
			if _, del := value.(removed); del {
				return slices.Delete(x, i, i+1)
			}
			x[i] = value
			return x
		}
		x[i] = setAt(x[i], path[1:], value)
	}
	return tree
}

func with(tree any, path string, value any) any {
	var toks []any
	for _, p := range strings.Split(path, ".") {
		if p == "" {
			continue
		}
		if len(p) == 1 && p[0] >= '0' && p[0] <= '9' {
			toks = append(toks, int(p[0]-'0'))
		} else {
			toks = append(toks, p)
		}
	}
	return setAt(deepCopy(tree), toks, value)
}

// TestCompiledSchemaNegative: every keyword of the 1.3.x schemas broken at
// every field that has it, in each group; each case must be refused where
// expected (so that the cases bite) and the two validators must agree.
func TestCompiledSchemaNegative(t *testing.T) {
	s := schemaSetT(t)
	bases := map[string]any{
		"v": readTreeFile(t, "testdata/vaccination.json"),
		"t": readTreeFile(t, "testdata/test-rat.json"),
		"r": readTreeFile(t, "testdata/recovery.json"),
	}
	fields := map[string][]string{
		"v": {"tg", "vp", "mp", "ma", "dn", "sd", "dt", "co", "is", "ci"},
		"t": {"tg", "tt", "nm", "ma", "sc", "tr", "tc", "co", "is", "ci"},
		"r": {"tg", "fr", "co", "is", "df", "du", "ci"},
	}
	optional := map[string]bool{"t.nm": true, "t.ma": true, "t.tc": true}
	long := strings.Repeat("A", 81)
	longRunes := strings.Repeat("Č", 81)
	fits := strings.Repeat("Č", 80) // 160 bytes, 80 characters: allowed
	wrongTypes := []any{json.Number("1"), json.Number("1.5"), true, false, nil, []any{}, map[string]any{}, "1"}
	goValues := []any{1, 2.5, math.NaN(), math.Inf(1), float32(1), uint8(3), map[string]string{}, []string{"x"}, struct{}{}}

	type tc struct {
		path  string
		value any
		fails string // a path that must have a finding; "-" none at all
	}
	type gcase struct {
		group string // the payload it applies to; "" all
		tc
	}
	var cases []gcase
	common := func(c ...tc) {
		for _, c := range c {
			cases = append(cases, gcase{"", c})
		}
	}
	for g, base := range bases {
		add := func(c ...tc) {
			for _, c := range c {
				cases = append(cases, gcase{g, c})
			}
		}
		e := g + ".0."
		for _, f := range fields[g] {
			p := e + f
			for _, w := range wrongTypes {
				want := p
				if f == "dn" || f == "sd" {
					if w == json.Number("1") {
						want = "-"
					}
				} else if _, isStr := w.(string); isStr {
					want = "" // a string may still break the pattern
				}
				add(tc{p, w, want})
			}
			for _, w := range goValues {
				add(tc{p, w, ""})
			}
			miss := g + "[0]"
			if optional[g+"."+f] {
				miss = "-"
			}
			add(tc{p, removed{}, miss})
			if f != "dn" && f != "sd" {
				add(tc{p, long, ""}, tc{p, longRunes, ""}, tc{p, fits, ""}, tc{p, "", ""})
			}
		}
		for _, lit := range []string{"0", "-0", "-1", "1.5", "2.0", "2e0", "20e-1", "1e400", "1e-400", "1e1000001", "0e1000001",
			"-1e400", "1180591620717411303424", "-9223372036854775809", "2.0000000000000000001", "0x10", "+1", "01", "1/2", "abc", "", "-"} {
			if g == "v" {
				add(tc{"v.0.dn", json.Number(lit), ""}, tc{"v.0.sd", json.Number(lit), ""})
			}
		}
		for _, co := range []string{"es", "E", "ES", "XXXXXXXXXXXX", "1", "é", "ñA", "\xffA", "\xff"} {
			add(tc{e + "co", co, ""})
		}
		add(
			tc{g, []any{}, g},
			tc{g, append(slices.Clone(base.(map[string]any)[g].([]any)), base.(map[string]any)[g].([]any)[0]), g},
			tc{g, []any{"x", nil, json.Number("1")}, g + "[0]"},
			tc{g, "x", g}, tc{g, map[string]any{}, g}, tc{g, nil, g},
			tc{e + "extra", "allowed: no additionalProperties", "-"},
			tc{"extra", []any{1, 2}, "-"},
			tc{g + ".0", []any{}, g + "[0]"},
			tc{g + ".0", map[string]any{}, g + "[0]"},
		)
	}
	for _, p := range []string{"ver", "dob", "nam", "nam.fn", "nam.fnt", "nam.gn", "nam.gnt"} {
		for _, w := range wrongTypes {
			want := p
			if _, isStr := w.(string); isStr {
				want = ""
			}
			common(tc{p, w, want})
		}
		for _, w := range goValues {
			common(tc{p, w, ""})
		}
		common(tc{p, removed{}, ""}, tc{p, long, ""}, tc{p, longRunes, ""}, tc{p, "", ""})
	}
	for _, ver := range []string{"1.3.0", "1.3", "1.3.0.0", "a.b.c", "1x3x0", "1\n3.0", "12345", "1234", "1.3.", ".3.0", "1.3.0\n", "1..30",
		"10.20.30", "1.3.0-rc1", "١.٣.٠", "1\xff3\xff0", "1é3é0", "123x4", "1x234", "12x34", "1x2x", "x1x2x3"} {
		common(tc{"ver", ver, ""})
	}
	for _, dob := range []string{"1979-04-14", "1979-04", "1979", "", "1800-01-01", "2100", "19790414", "1979-4-14", "1979-04-14T00:00:00",
		"1979-04-14\n", "20xx", "1979--04", "٢٠٢١", "1979-04-14-01"} {
		common(tc{"dob", dob, ""})
	}
	for _, n := range []string{"ÁLVAREZ", "alvarez", "A B", "A<B", "<", "", "A\xff"} {
		common(tc{"nam.fnt", n, ""}, tc{"nam.gnt", n, ""})
	}
	common(
		tc{"nam", map[string]any{}, "nam"},
		tc{"nam", map[string]any{"gnt": "X"}, ""},
		tc{"nam", map[string]any{"fnt": "X"}, "-"},
		tc{"nam", map[string]any{"fn": "x", "gn": "y"}, "nam"},
		tc{"", []any{}, ""}, tc{"", "x", ""}, tc{"", nil, ""}, tc{"", json.Number("1"), ""},
		tc{"", map[string]any{}, ""}, tc{"", map[string]string{}, ""}, tc{"", math.NaN(), ""},
	)
	checked := 0
	for g, base := range bases {
		for _, c := range cases {
			if c.group != "" && c.group != g {
				continue
			}
			tree := with(base, c.path, c.value)
			for _, ver := range versions13 {
				what := fmt.Sprintf("%s with %s = %#v", g, c.path, c.value)
				got := agree(t, s, ver, what, tree)
				checked++
				switch {
				case c.fails == "-":
					if len(got) > 0 {
						t.Errorf("%s, schema %s: want no finding, got %v", what, ver, got)
					}
				case c.fails != "":
					at := pointerPath(strings.Split(c.fails, "."))
					if !slices.ContainsFunc(got, func(p Problem) bool { return p.Path == at }) {
						t.Errorf("%s, schema %s: want a finding at %q, got %v", what, ver, at, got)
					}
				}
			}
		}
		// Two groups, and no group.
		both := with(base, "v", bases["v"].(map[string]any)["v"])
		both = with(both, "t", bases["t"].(map[string]any)["t"])
		none := with(with(with(base, "v", removed{}), "t", removed{}), "r", removed{})
		bare := with(with(with(none, "ver", removed{}), "nam", removed{}), "dob", removed{})
		for _, ver := range versions13 {
			for what, tree := range map[string]any{"two groups": both, "no group": none, "nothing": bare} {
				if got := agree(t, s, ver, g+": "+what, tree); len(got) == 0 {
					t.Errorf("%s: %s, schema %s: valid", g, what, ver)
				}
			}
		}
	}
	t.Logf("%d cases cross-checked", checked)
}

// The hand-written matchers against the schema's regular expressions.
func TestCompiledSchemaPatterns(t *testing.T) {
	inputs := []string{"", "1", "12", "1.2", "1.2.3", "10.20.30", "1.3.0\n", "\n1.3.0", "1\n2.3", "12345", "1234", "1x2x3", "1xx2x3",
		"1.2.3.4", "a1.2.3", "1.2.3a", "1\xff2\xff3", "1é2é3", "١.٢.٣", "1.23", "12.3", "123.4", "1.234", "11.2", "1.22", "1979-04-14",
		"1979-04", "1979", "2000", "2099-12-31", "1899", "2100", "19790414", "1979-0414", "1979-04-1", "A", "ABC<D", "a", "A B", "Á",
		"<", "ES", "es", "Es", "1", "\xffA", "A\xff", "12x345", "123x45", "1234x5", "x1234", "1234x"}
	for _, c := range []struct {
		re string
		fn func(string) bool
	}{{verPattern, matchVer}, {dobPattern, matchDob}, {icaoPattern, matchICAO}, {countryPattern, matchCountry}} {
		re := regexp.MustCompile(c.re)
		for _, in := range inputs {
			if got, want := c.fn(in), re.MatchString(in); got != want {
				t.Errorf("%s on %q: %v, the regexp says %v", c.re, in, got, want)
			}
		}
	}
}

func FuzzCompiledSchemaPatterns(f *testing.F) {
	for _, s := range []string{"1.3.0", "1979-04-14", "ABC<", "ES", "1x2x3", "\xff"} {
		f.Add(s)
	}
	res := []*regexp.Regexp{regexp.MustCompile(verPattern), regexp.MustCompile(dobPattern), regexp.MustCompile(icaoPattern), regexp.MustCompile(countryPattern)}
	fns := []func(string) bool{matchVer, matchDob, matchICAO, matchCountry}
	f.Fuzz(func(t *testing.T, s string) {
		for i, re := range res {
			if got, want := fns[i](s), re.MatchString(s); got != want {
				t.Fatalf("%s on %q: %v, the regexp says %v", re, s, got, want)
			}
		}
	})
}

// nodes lists the paths of every value in a tree, the root first.
func nodes(tree any, prefix []any, out *[][]any) {
	*out = append(*out, slices.Clone(prefix))
	switch x := tree.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			nodes(x[k], append(prefix, k), out)
		}
	case []any:
		for i, e := range x {
			nodes(e, append(prefix, i), out)
		}
	}
}

// FuzzCompiledSchema mutates payload trees, or reads arbitrary JSON, and
// requires the compiled schema and the library to give the same findings.
// ops is read in pairs: which node (by index among all nodes) and what to
// do to it; text is the string, number or key the operations use.
func FuzzCompiledSchema(f *testing.F) {
	s := schemaSetT(f)
	var bases []any
	for _, file := range []string{"testdata/vaccination.json", "testdata/test-rat.json", "testdata/recovery.json"} {
		bases = append(bases, readTreeFile(f, file))
	}
	f.Add(uint8(0), []byte{}, "")
	f.Add(uint8(1), []byte{5, 1}, "1.3")
	f.Add(uint8(2), []byte{9, 2, 3, 0}, "0")
	f.Add(uint8(0), []byte{12, 3, 12, 4}, "1e400")
	f.Add(uint8(1), []byte{3, 5, 7, 6, 8, 7}, "XX")
	f.Add(uint8(2), []byte{0, 8, 1, 9, 2, 10}, "é")
	f.Add(uint8(3), []byte{}, `{"ver":"1.3.0","nam":{"gnt":"A"},"dob":"","r":[{}],"v":[]}`)
	f.Add(uint8(7), []byte{}, `[{"v":null}]`)
	edges := []any{nil, true, json.Number("0"), json.Number("-1"), json.Number("2.0"), json.Number("1.5"), json.Number("1e400"),
		[]any{}, map[string]any{}, strings.Repeat("Ž", 81), "", 1.0, math.NaN()}
	f.Fuzz(func(t *testing.T, base uint8, ops []byte, text string) {
		if len(text) > 4096 {
			return
		}
		var tree any
		if base%4 == 3 {
			var err error
			if tree, err = decodeJSON([]byte(text)); err != nil {
				return
			}
		} else {
			tree = deepCopy(bases[int(base%4)%len(bases)])
		}
		for i := 0; i+1 < len(ops) && i < 64; i += 2 {
			var all [][]any
			nodes(tree, nil, &all)
			if len(all) > 256 { // copies of copies grow the tree exponentially
				break
			}
			at := all[int(ops[i])%len(all)]
			var v any
			switch op := ops[i+1] % 16; op {
			case 0:
				v = removed{}
			case 1:
				v = text
			case 2:
				v = json.Number(text)
			case 3: // long, but not so long that the messages quoting it fill the memory
				v = strings.Repeat(text[:min(len(text), 16)], 1+int(ops[i])%100)
			case 4: // a new property named text
				if m, ok := getAt(tree, at).(map[string]any); ok {
					m[text] = text
				}
				continue
			case 5: // the node twice in an array
				cur := getAt(tree, at)
				v = []any{cur, deepCopy(cur)}
			case 6: // the node inside an array
				v = []any{getAt(tree, at)}
			case 7: // the version
				if m, ok := tree.(map[string]any); ok {
					m["ver"] = versions13[int(ops[i])%len(versions13)]
				}
				continue
			default:
				v = deepCopy(edges[int(op-8+ops[i])%len(edges)]) // not shared between runs
			}
			tree = setAt(tree, at, v)
		}
		ver, _ := asObject(tree)["ver"].(string)
		_, used, _ := s.pick(ver)
		if s.compiled[used] == nil {
			used = versions13[int(base)%len(versions13)]
		}
		if agree(t, s, used, "the fuzzed tree", tree); t.Failed() {
			t.Logf("the fuzzed tree: %#v", tree)
		}
	})
}

func getAt(tree any, path []any) any {
	for _, p := range path {
		switch x := tree.(type) {
		case map[string]any:
			tree = x[p.(string)]
		case []any:
			tree = x[p.(int)]
		}
	}
	return tree
}
