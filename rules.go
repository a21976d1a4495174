package dcc

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dcc/i18n"
	"dcc/uvci"
	"dcc/valueset"
)

// Codes fixed by Annex II.
const (
	covid19      = "840539006"  // Annex II §1, SNOMED CT
	testNAAT     = "LP6464-4"   // Annex II §7, nucleic acid amplification
	testRAT      = "LP217198-3" // Annex II §7, rapid immunoassay
	atcCOVID19   = "J07BX03"    // Annex II §2 allows the ATC code instead of SNOMED CT
	maxText      = 80           // Annex V: names, issuer, test centre
	ratGraceTime = 72 * time.Hour
)

// checker applies the Annex V rules that the JSON schema cannot express.
type checker struct {
	mode     Mode
	schemas  *schemaSet // reads "ver"
	pre13    bool       // the payload declares a schema before 1.3.0, which did not yet require t/ma
	vs       *valueset.Store
	now      time.Time     // when the payload is judged: issuance or verification
	skew     time.Duration // how far ahead of now an event may lie
	born     time.Time     // the first day the date of birth denotes, when bornOK
	bornOK   bool
	typ      Type
	problems []Problem
}

func (c *checker) add(path string, reason i18n.Text, sev Severity) {
	c.problems = append(c.problems, Problem{Path: path, Reason: reason.EN, Text: reason, Severity: sev})
}

// structure and date findings are errors in both modes.
func (c *checker) structure(path string, reason i18n.Text) { c.add(path, reason, Error) }

// content findings are errors on issuance and warnings on verification.
func (c *checker) content(path string, reason i18n.Text) {
	if c.mode == Strict {
		c.add(path, reason, Error)
	} else {
		c.add(path, reason, Warning)
	}
}

func (c *checker) warn(path string, reason i18n.Text) { c.add(path, reason, Warning) }

// required reports a field that Annex V (as amended in 2021, schema 1.3)
// requires but older schemas left optional: a verifier reading a payload of
// such an older schema only warns.
func (c *checker) required(path string, reason i18n.Text) {
	if c.mode == Lenient && c.pre13 {
		c.warn(path, msg.OptionalBefore13.With(reason))
		return
	}
	c.structure(path, reason)
}

func (c *checker) reported(path string) bool {
	return slices.ContainsFunc(c.problems, func(p Problem) bool { return p.Path == path })
}

func (c *checker) hasError(path string) bool {
	return slices.ContainsFunc(c.problems, func(p Problem) bool { return p.Path == path && p.Severity == Error })
}

// sorted orders problems by path in payload order, stable within a path.
func (c *checker) sorted() []Problem {
	order := []string{"", "ver", "nam", "dob", "v", "t", "r"}
	rank := func(p string) int {
		head, _, _ := strings.Cut(p, ".")
		head, _, _ = strings.Cut(head, "[")
		if i := slices.Index(order, head); i >= 0 {
			return i
		}
		return len(order)
	}
	out := slices.Clone(c.problems)
	slices.SortStableFunc(out, func(a, b Problem) int {
		if d := rank(a.Path) - rank(b.Path); d != 0 {
			return d
		}
		return strings.Compare(a.Path, b.Path)
	})
	return out
}

// str reads an optional string field: present reports the key exists, ok
// that it holds a string (the schema reports other types).
func str(m map[string]any, key string) (s string, present, ok bool) {
	v, present := m[key]
	if !present {
		return "", false, false
	}
	s, ok = v.(string)
	return s, true, ok
}

func (c *checker) payload(tree any) {
	root, ok := tree.(map[string]any)
	if !ok {
		c.structure("", msg.NotObject)
		return
	}
	var missing []string
	for _, k := range []string{"ver", "nam", "dob"} {
		if _, ok := root[k]; !ok {
			missing = append(missing, k)
		}
	}
	var groups []string
	for _, k := range []string{"v", "t", "r"} {
		if _, ok := root[k]; ok {
			groups = append(groups, k)
		}
	}
	if len(missing) > 0 {
		c.structure("", msg.MissingFields.With(strings.Join(missing, ", ")))
	}
	switch len(groups) {
	case 0:
		c.structure("", msg.NoGroup)
	case 1:
		c.typ = Type(groups[0])
	default:
		c.structure("", msg.ManyGroups.With(i18n.Text{ES: strings.Join(groups, " y "), EN: strings.Join(groups, " and ")}))
	}
	c.unknown(root, at{index: -1}, []string{"ver", "nam", "dob", "v", "t", "r"})

	if ver, present, ok := str(root, "ver"); present && ok {
		if v, ok := c.schemas.semver(ver); ok && v.less(semver{1, 3, 0}) {
			c.pre13 = true
		}
		c.version(ver)
	}
	if nam, ok := root["nam"].(map[string]any); ok {
		c.name(nam)
	}
	if dob, present, ok := str(root, "dob"); present && ok {
		c.dob(dob)
	}
	for _, g := range groups {
		a, ok := root[g].([]any)
		if !ok {
			continue // the schema says it must be an array
		}
		if len(a) != 1 {
			c.structure(g, msg.OneEntry.With(len(a)))
		}
		for i, e := range a {
			m, ok := e.(map[string]any)
			if !ok {
				continue
			}
			e := at{group: g, index: i}
			switch g {
			case "v":
				c.vaccination(m, e)
			case "t":
				c.test(m, e)
			case "r":
				c.recovery(m, e)
			}
		}
	}
}

// unknown reports fields the schema does not define: kept on decode, but a
// certificate this system signs carries only what Annex V defines.
func (c *checker) unknown(m map[string]any, parent at, known []string) {
	var extra []string
	for k := range m {
		if !slices.Contains(known, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		c.content(parent.field(k).String(), msg.UnknownField)
	}
}

func (c *checker) version(ver string) {
	if c.mode != Strict || c.reported("ver") {
		return
	}
	if v, ok := c.schemas.semver(ver); ok && (v.major != 1 || v.minor != 3) {
		c.structure("ver", msg.IssueVersion.With(ver))
	}
}

func (c *checker) name(nam map[string]any) {
	keys := [4]string{"fn", "fnt", "gn", "gnt"}
	c.unknown(nam, at{group: "nam", index: -1}, keys[:])
	var present [4]bool // by keys
	for i, k := range keys {
		s, p, ok := str(nam, k)
		present[i] = p
		if !p || !ok {
			continue
		}
		f := at{group: "nam", index: -1, key: k}
		if strings.TrimSpace(s) == "" {
			c.content(f.String(), msg.EmptyName)
			continue
		}
		if n := utf8.RuneCountInString(s); n > maxText {
			c.structure(f.String(), msg.TooLong.With(n, maxText))
		}
		if k == "fnt" || k == "gnt" {
			c.icao(f, s)
		}
	}
	if !present[1] && !present[3] {
		c.structure("nam", msg.FntOrGnt)
	}
	for _, pair := range [2][2]int{{0, 1}, {2, 3}} { // fn and fnt, gn and gnt
		a, b := pair[0], pair[1]
		switch {
		case present[a] && !present[b]:
			c.content("nam."+keys[b], msg.NeedsT.With(keys[a]))
		case present[b] && !present[a]:
			c.content("nam."+keys[a], msg.NeedsPlain.With(keys[b]))
		}
	}
}

// icao checks a transliterated name: only A–Z and '<' (ICAO 9303 Part 3).
func (c *checker) icao(f at, s string) {
	for i, r := range s {
		if (r < 'A' || r > 'Z') && r != '<' {
			c.structure(f.String(), msg.IcaoChar.With(r, i+1))
			return
		}
	}
	if strings.HasPrefix(s, "<") || strings.HasSuffix(s, "<") || strings.Contains(s, "<<") {
		c.content(f.String(), msg.IcaoFiller)
	}
}

func (c *checker) dob(s string) {
	if s == "" {
		return // unknown date of birth (Annex V §3.2)
	}
	d, err := parsePartialDate(s)
	if err != nil {
		c.structure("dob", msg.NotDate.With(s))
		return
	}
	if d.Year() < 1900 || d.Year() > 2099 {
		c.structure("dob", msg.DobRange.With(s))
	}
	if c.future(d) {
		c.structure("dob", msg.DobFuture.With(s, c.today().Format(time.DateOnly)))
		return
	}
	c.born, c.bornOK = d, true
}

// utcPlus14 is the zone furthest ahead of UTC (Line Islands).
var utcPlus14 = time.FixedZone("UTC+14", 14*60*60)

// today is the latest calendar date anywhere on Earth at now+skew, as
// midnight UTC like the dates parsed. A date without a time is in the
// future only once no time zone has reached it yet: the issuer's day may be
// ahead of UTC by up to 14 hours (UTC+14).
func (c *checker) today() time.Time {
	y, m, d := c.now.Add(c.skew).In(utcPlus14).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// future reports that a date (midnight UTC, as parsed) has not begun
// anywhere yet.
func (c *checker) future(d time.Time) bool { return d.After(c.today()) }

// event checks the date of an event (vaccination, sample, first positive
// test): not in the future, not before the holder was born. A partial date
// of birth is its first day: an event in 1964-03 is not before "1964". A
// sample time is compared by its own calendar date.
func (c *checker) event(f at, what i18n.Text, day time.Time, s string) {
	if c.future(day) {
		c.structure(f.String(), msg.EventFuture.With(s, what, c.today().Format(time.DateOnly)))
		return
	}
	// Before birth: an issuer's typing error in a genuinely signed
	// certificate (member-state test vectors have them), so a verifier
	// warns; the future is an error in both modes, as the signature cannot
	// predate what was checked (iat ≤ the verification clock).
	if c.bornOK && day.Before(c.born) {
		c.content(f.String(), msg.BeforeBirth.With(s, c.born.Format(time.DateOnly), what))
	}
}

// at is where a finding is: a field of the payload, of nam or of an entry
// (v[0].dn), or an entry itself. Its path is written only for a finding,
// not for every field checked.
type at struct {
	group string // "", "nam", or an entry's group ("v", "t", "r")
	index int    // the entry's index; -1: not an entry
	key   string // the field; "": the group or entry itself
}

// field is the field k of a.
func (a at) field(k string) at {
	a.key = k
	return a
}

func (a at) String() string {
	p := a.group
	if a.index >= 0 {
		p = indexPath(p, a.index)
	}
	if a.key == "" {
		return p
	}
	return fieldPath(p, a.key)
}

// common checks the fields every entry has: tg, co, is, ci.
func (c *checker) common(m map[string]any, e at) {
	if tg, p, ok := str(m, "tg"); p && ok && tg != covid19 {
		c.content(e.field("tg").String(), msg.Disease.With(tg, covid19))
	}
	if co, p, ok := str(m, "co"); p && ok {
		if _, known := c.vs.Country(co); !known {
			c.content(e.field("co").String(), msg.Country.With(co))
		}
	}
	if is, p, ok := str(m, "is"); p && ok {
		if strings.TrimSpace(is) == "" {
			c.content(e.field("is").String(), msg.EmptyIssuer)
		} else if n := utf8.RuneCountInString(is); n > maxText {
			c.structure(e.field("is").String(), msg.TooLongIssuer.With(n, maxText))
		}
	}
	if ci, p, ok := str(m, "ci"); p && ok {
		mode := uvci.Strict
		if c.mode == Lenient {
			mode = uvci.Lenient
		}
		_, warnings, err := uvci.Parse(ci, mode)
		if err != nil {
			c.content(e.field("ci").String(), msg.BadUVCI.With(uvciText(err)))
		}
		for _, w := range warnings {
			c.warn(e.field("ci").String(), uvciWarning(w))
		}
	}
}

// code checks a coded field against its value set.
func (c *checker) code(m map[string]any, e at, key, set string) (string, bool) {
	s, p, ok := str(m, key)
	if !p || !ok {
		return "", false
	}
	v, found := c.vs.Lookup(set, s)
	switch {
	case !found:
		c.content(e.field(key).String(), msg.NotInSet.With(s, set))
		return s, false
	case !v.Active && c.mode == Strict && !(key == "vp" && s == atcCOVID19):
		c.content(e.field(key).String(), msg.Inactive.With(s, v.Display, set))
	}
	return s, true
}

func (c *checker) vaccination(m map[string]any, e at) {
	c.unknown(m, e, []string{"tg", "vp", "mp", "ma", "dn", "sd", "dt", "co", "is", "ci"})
	c.common(m, e)
	vp, _ := c.code(m, e, "vp", valueset.VaccineProphylaxis)
	mp, mpOK := c.code(m, e, "mp", valueset.VaccineProduct)
	ma, _ := c.code(m, e, "ma", valueset.VaccineMAH)

	// Annex II §3–4 and the encoding instructions: a listed product has one
	// marketing authorisation holder and a few admissible vaccine types.
	if mpOK {
		if enc, ok := c.vs.Encoding(mp); ok {
			if ma != "" && ma != enc.Manufacturer {
				c.content(e.field("ma").String(), msg.MAMismatch.With(ma, mp, enc.Name, enc.Manufacturer))
			}
			if vp != "" && vp != atcCOVID19 && !slices.Contains(enc.SCTCodes, vp) {
				c.content(e.field("vp").String(), msg.VPMismatch.With(vp, mp, enc.Name, strings.Join(enc.SCTCodes, ", "), atcCOVID19))
			}
		}
	}

	dn, dnOK := c.dose(m, e, "dn")
	sd, sdOK := c.dose(m, e, "sd")
	if dnOK && sdOK && dn > sd {
		if c.mode == Strict {
			c.structure(e.field("dn").String(), msg.DoseOverTotal.With(dn, sd))
		} else {
			c.warn(e.field("dn").String(), msg.DoseOverTotalOld.With(dn, sd))
		}
	}
	if dt, p, ok := str(m, "dt"); p && ok {
		if d, ok := c.fullDate(e.field("dt"), dt); ok {
			c.event(e.field("dt"), msg.AVaccination, d, dt)
		}
	}
}

// dose reads dn or sd: a positive integer, written as one. JSON Schema's
// "integer" also admits 2.0 and 2e0; a certificate this system signs carries
// the integer, and a verifier reads the value with a warning.
func (c *checker) dose(m map[string]any, e at, key string) (int64, bool) {
	v, present := m[key]
	if !present {
		return 0, false
	}
	w, isNum := readWhole(v)
	if !isNum {
		return 0, false // the schema reports the type
	}
	f := e.field(key)
	switch {
	case !w.integral || w.negative || (w.fits && w.n < 1):
		c.structure(f.String(), msg.DosePositive.With(v))
		return 0, false
	case !w.fits:
		c.structure(f.String(), msg.DoseRange.With(v, MaxDose))
		return 0, false
	case !w.plain:
		c.content(f.String(), msg.DoseInteger.With(w.n, v))
	}
	if w.n > MaxDose {
		c.content(f.String(), msg.DoseImplausible.With(w.n, MaxDose))
	}
	return w.n, true
}

func (c *checker) fullDate(f at, s string) (time.Time, bool) {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != 10 {
		c.structure(f.String(), msg.FullDate.With(s))
		return time.Time{}, false
	}
	return d, true
}

func (c *checker) test(m map[string]any, e at) {
	c.unknown(m, e, []string{"tg", "tt", "nm", "ma", "sc", "tr", "tc", "co", "is", "ci"})
	c.common(m, e)
	tt, _ := c.code(m, e, "tt", valueset.TestType)
	c.code(m, e, "tr", valueset.TestResult)

	var sc time.Time
	scOK := false
	if s, p, ok := str(m, "sc"); p && ok {
		sc, scOK = c.sampleTime(e.field("sc"), s)
		if scOK {
			c.sampleEvent(e.field("sc"), sc, s)
		}
	}
	_, nmPresent, _ := str(m, "nm")
	_, maPresent, _ := str(m, "ma")
	_, tcPresent, _ := str(m, "tc")
	for _, k := range []string{"nm", "ma", "tc"} {
		if s, p, ok := str(m, k); p && ok && strings.TrimSpace(s) == "" {
			c.content(e.field(k).String(), msg.EmptyOptional)
		}
	}
	switch tt {
	case testNAAT:
		if maPresent {
			c.content(e.field("ma").String(), msg.MANotForNAAT.With(testNAAT))
		}
		if !tcPresent {
			c.structure(e.field("tc").String(), msg.TCForNAAT.With(testNAAT))
		}
	case testRAT:
		if nmPresent {
			c.content(e.field("nm").String(), msg.NMNotForRAT.With(testRAT))
		}
		if !maPresent {
			c.required(e.field("ma").String(), msg.MAForRAT.With(testRAT))
		} else if ma, _, ok := str(m, "ma"); ok && ma != "" {
			c.ratDevice(e.field("ma"), ma, sc, scOK)
		}
	}
	if s, p, ok := str(m, "tc"); p && ok {
		if n := utf8.RuneCountInString(s); n > maxText {
			c.structure(e.field("tc").String(), msg.TCTooLong.With(n, maxText))
		}
	}
}

// ratDevice applies Annex V t/ma: issuers use only the current value set;
// verifiers accept a removed device for 72 hours after its removal.
func (c *checker) ratDevice(f at, ma string, sc time.Time, scOK bool) {
	at := sc
	if !scOK {
		at = c.now
	}
	status, removed := c.vs.RATDevice(ma, at)
	if c.mode == Strict {
		switch status {
		case valueset.DeviceListed:
		case valueset.DeviceUnknown:
			c.structure(f.String(), msg.DeviceUnknownIssuer.With(ma, valueset.TestManf))
		default:
			c.structure(f.String(), msg.DeviceRemovedIssuer.With(ma, valueset.TestManf, removed.UTC().Format(time.RFC3339)))
		}
		return
	}
	switch status {
	case valueset.DeviceListed:
	case valueset.DeviceUnknown:
		c.warn(f.String(), msg.DeviceUnknown.With(ma, valueset.TestManf))
	case valueset.DeviceGrace:
		when := msg.GraceWithin
		if at.Before(removed) {
			when = msg.GraceAfter
		}
		c.warn(f.String(), msg.DeviceGrace.With(ma, valueset.TestManf, removed.UTC().Format(time.RFC3339), when))
	case valueset.DeviceRemoved:
		c.structure(f.String(), msg.DeviceRemoved.With(ma, valueset.TestManf, removed.UTC().Format(time.RFC3339)))
	}
}

// sampleTime checks t/sc: one of the four ISO 8601 forms with a zone that
// Annex V allows. Lenient mode also reads the RFC 3339 forms with fractional
// seconds that schema releases before 1.3 allowed, with a warning.
func (c *checker) sampleTime(f at, s string) (time.Time, bool) {
	t, exact, err := parseSampleTime(s)
	if err != nil {
		c.structure(f.String(), msg.NotSampleTime.With(s))
		return time.Time{}, false
	}
	if !exact {
		if c.mode == Strict {
			c.structure(f.String(), msg.FractionalIssuer.With(s))
			return time.Time{}, false
		}
		c.warn(f.String(), msg.Fractional.With(s))
	}
	return t, true
}

// sampleEvent checks t/sc against the clock to the second (beyond the
// skew), and against the date of birth by the sample's own calendar date.
func (c *checker) sampleEvent(f at, sc time.Time, s string) {
	if latest := c.now.Add(c.skew); sc.After(latest) {
		c.structure(f.String(), msg.SampleFuture.With(s, latest.UTC().Format(time.RFC3339), c.skew))
		return
	}
	y, mo, d := sc.Date()
	c.event(f, msg.ATest, time.Date(y, mo, d, 0, 0, 0, 0, time.UTC), s)
}

func (c *checker) recovery(m map[string]any, e at) {
	c.unknown(m, e, []string{"tg", "fr", "df", "du", "co", "is", "ci"})
	c.common(m, e)
	var fr, df, du time.Time
	var frOK, dfOK, duOK bool
	if s, p, ok := str(m, "fr"); p && ok {
		if fr, frOK = c.fullDate(e.field("fr"), s); frOK {
			// df and du may well lie ahead: the certificate's validity.
			c.event(e.field("fr"), msg.AFirstPositive, fr, s)
		}
	}
	if s, p, ok := str(m, "df"); p && ok {
		df, dfOK = c.fullDate(e.field("df"), s)
	}
	if s, p, ok := str(m, "du"); p && ok {
		du, duOK = c.fullDate(e.field("du"), s)
	}
	// The 11 and 180 days bound what an issuer may assert; a verifier reads
	// df and du as issued (countries applied other validity periods), so
	// lenient mode warns.
	if frOK && dfOK && df.Before(fr.AddDate(0, 0, 11)) {
		c.content(e.field("df").String(), msg.DFEarly.With(df.Format(time.DateOnly), fr.AddDate(0, 0, 11).Format(time.DateOnly)))
	}
	if frOK && duOK && du.After(fr.AddDate(0, 0, 180)) {
		c.content(e.field("du").String(), msg.DULate.With(du.Format(time.DateOnly), fr.AddDate(0, 0, 180).Format(time.DateOnly)))
	}
	if dfOK && duOK && du.Before(df) {
		c.structure(e.field("du").String(), msg.DUBeforeDF.With(du.Format(time.DateOnly), df.Format(time.DateOnly)))
	}
}

// uvciText is a UVCI error in both languages: the Spanish says what is
// wrong, by the error's kind and place; the English is the error itself.
func uvciText(err error) i18n.Text {
	var ue *uvci.Error
	if !errors.As(err, &ue) {
		return i18n.Text{ES: err.Error(), EN: err.Error()}
	}
	es, ok := msg.UVCI[strings.TrimPrefix(ue.Err.Error(), "uvci: ")]
	if !ok {
		es = msg.UVCI["syntax"]
	}
	if ue.Pos > 0 {
		return i18n.Text{ES: fmt.Sprintf("%s (posición %d)", es.ES, ue.Pos), EN: err.Error()}
	}
	return i18n.Text{ES: es.ES, EN: err.Error()}
}

var firstNumber = regexp.MustCompile(`\d+`)
var firstQuoted = regexp.MustCompile(`"[^"]*"`)

// uvciWarning is one of uvci.Parse's warnings in both languages.
func uvciWarning(w string) i18n.Text {
	var t i18n.Text
	switch {
	case strings.HasPrefix(w, "lower-case letters"):
		n, _ := strconv.Atoi(firstNumber.FindString(w))
		t = msg.UVCILower.With(n)
	case strings.HasPrefix(w, "country code"):
		cc, _ := strconv.Unquote(firstQuoted.FindString(w))
		t = msg.UVCILongCountry.With(cc)
	default:
		t = msg.UVCIOther.With(w)
	}
	t.EN = w
	return t
}
