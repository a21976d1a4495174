package conformance

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// KnownIssuesFile is where a test-data folder lists the vectors its own
// maintainers know to be wrong, relative to the folder's root.
const KnownIssuesFile = "tests/known_issues.csv"

// KnownIssue is one row of a known_issues.csv: the upstream test that fails
// on the vectors of Country named TestSet, and why (usually the link to the
// upstream issue).
type KnownIssue struct {
	Test    string // the upstream test, e.g. test_cose_schema
	Country string // the vector's top folder (BG, common); compared ignoring case
	TestSet string // the vector's file name without .json; empty: every vector of the country
	Reason  string
	Line    int // line of the row in the file, for messages
}

func (k KnownIssue) String() string {
	set := k.TestSet
	if set == "" {
		set = "(every vector)"
	}
	return fmt.Sprintf("%s %s %s", k.Test, k.Country, set)
}

// Columns of the upstream file, by the names its header may give them
// (compared after lower-casing and turning spaces and hyphens into "_").
var knownIssueColumns = map[string][]string{
	"test":    {"test_name", "test", "testname", "name"},
	"country": {"country", "country_code", "cc"},
	"set":     {"test_set", "testset", "set", "test_file", "file"},
	"reason":  {"reason", "issue", "link", "url", "comment"},
}

// ReadKnownIssues parses a known_issues.csv as upstream writes it: a header
// "test_name,country,test_set,reason" and one row per known issue. It is
// lenient about how the file is written: a UTF-8 byte order mark, CRLF or
// CR line ends, quoted fields, spaces around fields, blank lines, "#"
// comments, columns in another order and extra columns (ignored; several
// reason-like columns are joined). A file whose first row names no known
// column is read in the upstream column order, that row included; a header
// that names columns but no country is an error.
func ReadKnownIssues(r io.Reader) ([]KnownIssue, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	// encoding/csv handles CRLF; a lone CR (old editors) becomes LF.
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = true
	cr.Comment = '#'

	cols := map[string][]int{}
	header := true
	var out []KnownIssue
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if blank(rec) {
			continue
		}
		if header {
			header = false
			cols = headerColumns(rec)
			if len(cols) > 0 {
				if len(cols["country"]) == 0 {
					return nil, fmt.Errorf("line %d: header %q names no country column (want test_name,country,test_set,reason)", line, strings.Join(rec, ","))
				}
				continue
			}
			// No header: the upstream order.
			cols = map[string][]int{"test": {0}, "country": {1}, "set": {2}, "reason": {3}}
		}
		field := func(name string) string {
			var vals []string
			for _, i := range cols[name] {
				if i < len(rec) && rec[i] != "" {
					vals = append(vals, rec[i])
				}
			}
			return strings.Join(vals, " ")
		}
		out = append(out, KnownIssue{
			Test:    field("test"),
			Country: field("country"),
			TestSet: field("set"),
			Reason:  field("reason"),
			Line:    line,
		})
	}
	return out, nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if f != "" {
			return false
		}
	}
	return true
}

// headerColumns maps the known columns a header row names to their
// indexes; empty when the row names none (it is data, not a header).
func headerColumns(rec []string) map[string][]int {
	cols := map[string][]int{}
	for i, f := range rec {
		name := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(f))
		for col, names := range knownIssueColumns {
			for _, n := range names {
				if name == n && (col == "reason" || len(cols[col]) == 0) {
					cols[col] = append(cols[col], i)
				}
			}
		}
	}
	return cols
}

// matches reports whether k names the vector at rel (slash-separated,
// relative to the test-data root) of country. TestSet names a file by its
// name without .json, as upstream does; so it names every file of that
// name below the country's folder (PT/1.0.0/2DCode/raw/1.json and
// PT/1.3.0/2DCode/raw/1.json are both PT 1). A TestSet with a path
// ("1.3.0/1", "1.3.0/2DCode/raw/1.json") names the one file.
func (k KnownIssue) matches(country, rel string) bool {
	if k.Country == "" || !strings.EqualFold(k.Country, country) {
		return false
	}
	if k.TestSet == "" {
		return true
	}
	set := trimJSON(strings.Trim(strings.ReplaceAll(k.TestSet, `\`, "/"), "/"))
	file := trimJSON(rel)
	if strings.EqualFold(set, path.Base(file)) {
		return true
	}
	// Candidates with a path: below the root and below the country folder,
	// each with and without the 2DCode/raw folders.
	inCountry := file
	if c, rest, ok := strings.Cut(file, "/"); ok && strings.EqualFold(c, country) {
		inCountry = rest
	}
	for _, cand := range []string{file, inCountry} {
		if strings.EqualFold(set, cand) || strings.EqualFold(set, dropRaw(cand)) {
			return true
		}
	}
	return false
}

func trimJSON(p string) string {
	if strings.HasSuffix(strings.ToLower(p), ".json") {
		return p[:len(p)-len(".json")]
	}
	return p
}

// dropRaw removes the 2DCode/raw folders from a vector's path.
func dropRaw(p string) string {
	parts := strings.Split(p, "/")
	var kept []string
	for i := 0; i < len(parts); i++ {
		if i+1 < len(parts) && strings.EqualFold(parts[i], "2DCode") && strings.EqualFold(parts[i+1], "raw") {
			i++
			continue
		}
		kept = append(kept, parts[i])
	}
	return strings.Join(kept, "/")
}

// Flags returns the EXPECTED* flags that the upstream test judges, so that
// a known issue excuses those flags only and any other flag the vector gets
// wrong still fails. The names are those of the data set's own test suite
// (tests/test_*.py of dgc-testdata): the schema tests judge both schema
// flags, the JSON comparisons both decoding flags. ok is false for a test
// this runner does not know: such a row excuses the whole vector, and the
// note says so.
func (k KnownIssue) Flags() (flags []string, ok bool) {
	switch strings.ToLower(strings.TrimSpace(k.Test)) {
	case "test_cose_schema", "test_json_schema", "test_schema":
		return []string{"EXPECTEDSCHEMAVALIDATION", "EXPECTEDVALIDOBJECT"}, true
	case "test_cose_json", "test_cbor_json", "test_json":
		return []string{"EXPECTEDDECODE", "EXPECTEDVALIDJSON", "EXPECTEDENCODE"}, true
	case "test_verification_check", "test_verify", "test_signature":
		return []string{"EXPECTEDVERIFY"}, true
	case "test_expiration_check", "test_expiration":
		return []string{"EXPECTEDEXPIRATIONCHECK"}, true
	case "test_expected_key_usage", "test_key_usage":
		return []string{"EXPECTEDKEYUSAGE"}, true
	case "test_pic_decode", "test_picture_decode", "test_2dcode":
		return []string{"EXPECTEDPICTUREDECODE"}, true
	case "test_unprefix", "test_prefix":
		return []string{"EXPECTEDUNPREFIX"}, true
	case "test_b45decode", "test_base45", "test_b45_decode":
		return []string{"EXPECTEDB45DECODE"}, true
	case "test_decompress", "test_compression", "test_zlib":
		return []string{"EXPECTEDCOMPRESSION"}, true
	}
	return nil, false
}
