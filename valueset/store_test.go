package valueset_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"dcc/valueset"
)

func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// devices builds a test-manf version from code → version ("" for an
// active entry, anything else makes the entry inactive with that version).
func devices(setDate string, entries map[string]string) *valueset.Set {
	set := &valueset.Set{ID: "covid-19-lab-test-manufacturer-and-name", Date: setDate, Values: map[string]valueset.Value{}}
	for code, version := range entries {
		set.Values[code] = valueset.Value{
			Display: "Device " + code, Lang: "en", System: "https://covid-19-diagnostics.jrc.ec.europa.eu/devices",
			Version: version, Active: version == "",
		}
	}
	return set
}

func TestEmbeddedStore(t *testing.T) {
	s, err := valueset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		set, code, display string
		active, ok         bool
	}{
		{valueset.VaccineProduct, "EU/1/20/1528", "Comirnaty", true, true},
		{"vaccines-covid-19-names", "EU/1/20/1528", "Comirnaty", true, true},
		{valueset.VaccineProduct, "VLA2001", "VLA2001 (deprecated)", false, true},
		{valueset.VaccineMAH, "ORG-100030215", "Biontech Manufacturing GmbH", true, true},
		{valueset.VaccineProphylaxis, "J07BX03", "covid-19 vaccines (deprecated)", false, true},
		{valueset.VaccineProphylaxis, "1119349007", "SARS-CoV-2 mRNA vaccine", true, true},
		{valueset.DiseaseAgentTargeted, "840539006", "COVID-19", true, true},
		{valueset.TestType, "LP6464-4", "Nucleic acid amplification with probe detection", true, true},
		{valueset.TestType, "LP217198-3", "Rapid immunoassay", true, true},
		{"covid-19-lab-result", "260415000", "Not detected", true, true},
		{valueset.TestResult, "260373001", "Detected", true, true},
		// Annex V t/ma example: "ma": "344" (SD BIOSENSOR Inc, STANDARD F COVID-19 Ag FIA).
		{valueset.TestManf, "344", "SD BIOSENSOR Inc, STANDARD F COVID-19 Ag FIA", true, true},
		{valueset.TestManf, "1065", "Becton Dickinson, BD Veritor™ System for Rapid Detection of SARS CoV 2", false, true},
		{valueset.CountryCodes, "CZ", "Czechia", true, true},
		{valueset.CountryCodes, "cz", "cz", false, false},
		{valueset.VaccineProduct, "Comirnaty", "Comirnaty", false, false},
		{"no-such-set", "CZ", "CZ", false, false},
	}
	for _, tt := range tests {
		v, ok := s.Lookup(tt.set, tt.code)
		if ok != tt.ok || (ok && (v.Display != tt.display || v.Active != tt.active || v.Code != tt.code)) {
			t.Errorf("Lookup(%q, %q) = %+v, %v; want display %q active %v, %v", tt.set, tt.code, v, ok, tt.display, tt.active, tt.ok)
		}
		if got := s.Display(tt.set, tt.code); got != tt.display {
			t.Errorf("Display(%q, %q) = %q, want %q", tt.set, tt.code, got, tt.display)
		}
	}

	// Set returns a copy: changing it does not change the store.
	set, ok := s.Set(valueset.CountryCodes)
	if !ok {
		t.Fatal("Set(country-2-codes) missing")
	}
	delete(set.Values, "CZ")
	if _, ok := s.Lookup(valueset.CountryCodes, "CZ"); !ok {
		t.Error("modifying the result of Set changed the store")
	}
	if _, ok := s.Set("covid-19"); ok {
		t.Error("Set accepted an unknown name")
	}
	if r, ok := s.Refreshed(valueset.TestManf); !ok || !r.IsZero() {
		t.Errorf("Refreshed(test-manf) = %v, %v; want zero (never refreshed)", r, ok)
	}
}

func TestCountry(t *testing.T) {
	s, err := valueset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		code, display string
		ok            bool
	}{
		{"CZ", "Czechia", true}, // Annex V example "co": "CZ"
		{"ES", "Spain", true},
		{"UNHCR", "United Nations High Commissioner for Refugees", true}, // schema test V-dates1
		{"WHO", "World Health Organization", true},
		{"ACNUR", "", false}, // the Spanish translation of the example, not a code
		{"OMS", "", false},
		{"unhcr", "", false},
		{"es", "", false},
		{"XX", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got, ok := s.Country(tt.code); got != tt.display || ok != tt.ok {
			t.Errorf("Country(%q) = %q, %v; want %q, %v", tt.code, got, ok, tt.display, tt.ok)
		}
	}
}

// TestEmbeddedRATDevice uses the two inactive entries of
// test-manf-example.json (1065 and 1242, "version": "2021-05-11").
func TestEmbeddedRATDevice(t *testing.T) {
	s, err := valueset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	removed := date(t, "2021-05-11T00:00:00Z")
	tests := []struct {
		code, at      string
		want          valueset.DeviceStatus
		wantRemovedAt time.Time
	}{
		{"1232", "2021-07-01T00:00:00Z", valueset.DeviceListed, time.Time{}},
		{"1065", "2021-05-10T12:00:00Z", valueset.DeviceGrace, removed},
		{"1065", "2021-05-13T23:59:00Z", valueset.DeviceGrace, removed},
		{"1065", "2021-05-14T00:00:00Z", valueset.DeviceGrace, removed},
		{"1065", "2021-05-14T00:01:00Z", valueset.DeviceRemoved, removed},
		{"1242", "2021-07-01T00:00:00Z", valueset.DeviceRemoved, removed},
		{"9999", "2021-07-01T00:00:00Z", valueset.DeviceUnknown, time.Time{}},
		{"", "2021-07-01T00:00:00Z", valueset.DeviceUnknown, time.Time{}},
	}
	for _, tt := range tests {
		got, at := s.RATDevice(tt.code, date(t, tt.at))
		if got != tt.want || !at.Equal(tt.wantRemovedAt) {
			t.Errorf("RATDevice(%q, %s) = %v, %v; want %v, %v", tt.code, tt.at, got, at, tt.want, tt.wantRemovedAt)
		}
	}
}

func TestUpdateHistory(t *testing.T) {
	var s valueset.Store // the zero Store starts empty
	t0 := date(t, "2024-03-01T06:00:00Z")
	t1 := t0.Add(24 * time.Hour)
	t2 := t1.Add(24 * time.Hour)
	t3 := t2.Add(200 * time.Hour)

	mustUpdate := func(set *valueset.Set, at time.Time, wantChanged bool) {
		t.Helper()
		changed, err := s.Update(set, at)
		if err != nil {
			t.Fatal(err)
		}
		if changed != wantChanged {
			t.Errorf("Update at %v: changed = %v, want %v", at, changed, wantChanged)
		}
	}
	check := func(code string, at time.Time, want valueset.DeviceStatus, wantRemovedAt time.Time) {
		t.Helper()
		got, removedAt := s.RATDevice(code, at)
		if got != want || !removedAt.Equal(wantRemovedAt) {
			t.Errorf("RATDevice(%q, %v) = %v, %v; want %v, %v", code, at, got, removedAt, want, wantRemovedAt)
		}
	}

	if got, _ := s.RATDevice("A", t0); got != valueset.DeviceUnknown {
		t.Errorf("empty store: RATDevice = %v, want unknown", got)
	}
	mustUpdate(devices("2024-03-01", map[string]string{"A": "", "B": "", "C": "", "D": "2024-02-01"}), t0, true)
	check("A", t0, valueset.DeviceListed, time.Time{})
	check("D", t0, valueset.DeviceRemoved, date(t, "2024-02-01T00:00:00Z"))

	// B removed in the version fetched at t1; D, already inactive, dropped.
	mustUpdate(devices("2024-03-02", map[string]string{"A": "", "C": ""}), t1, true)
	for _, tt := range []struct {
		after time.Duration
		want  valueset.DeviceStatus
	}{
		{0, valueset.DeviceGrace},
		{71*time.Hour + 59*time.Minute, valueset.DeviceGrace},
		{72 * time.Hour, valueset.DeviceGrace},
		{72*time.Hour + time.Minute, valueset.DeviceRemoved},
	} {
		check("B", t1.Add(tt.after), tt.want, t1)
	}
	check("D", t1, valueset.DeviceRemoved, date(t, "2024-02-01T00:00:00Z"))
	check("A", t1, valueset.DeviceListed, time.Time{})
	check("Z", t1, valueset.DeviceUnknown, time.Time{})

	// The same content again, reformatted by a round trip: only the refresh time moves.
	same := devices("2024-03-02", map[string]string{"A": "", "C": ""})
	mustUpdate(same, t2, false)
	if r, _ := s.Refreshed(valueset.TestManf); !r.Equal(t2) {
		t.Errorf("refresh time after an unchanged update = %v, want %v", r, t2)
	}
	check("B", t2, valueset.DeviceGrace, t1) // removal time unchanged

	// An older fetch is refused.
	if _, err := s.Update(devices("2024-03-01", map[string]string{"A": ""}), t1); !errors.Is(err, valueset.ErrOutOfOrder) {
		t.Errorf("Update with an older time: err = %v, want ErrOutOfOrder", err)
	}

	// B listed again; C deactivated with an RFC 3339 version, A with a non-date version.
	mustUpdate(devices("2024-03-10", map[string]string{"A": "1.0", "B": "", "C": "2024-03-09T12:00:00Z"}), t3, true)
	check("B", t3, valueset.DeviceListed, time.Time{})
	c := date(t, "2024-03-09T12:00:00Z")
	check("C", c.Add(72*time.Hour-time.Minute), valueset.DeviceGrace, c)
	check("C", c.Add(72*time.Hour+time.Minute), valueset.DeviceRemoved, c)
	a := date(t, "2024-03-10T00:00:00Z") // valueSetDate
	check("A", a.Add(71*time.Hour+59*time.Minute), valueset.DeviceGrace, a)
	check("A", a.Add(72*time.Hour+time.Minute), valueset.DeviceRemoved, a)
	check("D", t3, valueset.DeviceRemoved, date(t, "2024-02-01T00:00:00Z"))
}

func TestUpdateErrors(t *testing.T) {
	s, err := valueset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	at := date(t, "2024-03-01T00:00:00Z")
	ok := devices("2024-03-01", map[string]string{"A": ""})
	tests := []struct {
		name    string
		set     *valueset.Set
		wantErr string
	}{
		{"nil", nil, "nil set"},
		{"unknown id", &valueset.Set{ID: "nope", Date: "2024-03-01", Values: ok.Values}, `"nope"`},
		{"name and id disagree", &valueset.Set{Name: valueset.CountryCodes, ID: ok.ID, Date: "2024-03-01", Values: ok.Values}, "does not match"},
		{"bad date", &valueset.Set{ID: ok.ID, Date: "2024-3-1", Values: ok.Values}, "valueSetDate"},
		{"empty", &valueset.Set{ID: ok.ID, Date: "2024-03-01"}, "empty"},
		{"code mismatch", &valueset.Set{ID: ok.ID, Date: "2024-03-01", Values: map[string]valueset.Value{"A": {Code: "B"}}}, "has Code"},
	}
	for _, tt := range tests {
		if _, err := s.Update(tt.set, at); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: Update error = %v, want one mentioning %q", tt.name, err, tt.wantErr)
		}
	}
	// By canonical name only, and the caller's set is copied.
	set := &valueset.Set{Name: valueset.TestManf, Date: "2024-03-01", Values: ok.Values}
	if changed, err := s.Update(set, at); err != nil || !changed {
		t.Fatalf("Update by Name = %v, %v", changed, err)
	}
	set.Values["B"] = valueset.Value{Display: "sneaked in", Active: true}
	if got, _ := s.RATDevice("B", at); got != valueset.DeviceUnknown {
		t.Errorf("modifying the set after Update changed the store: B is %v", got)
	}
	// The 88 devices of the embedded example were removed at this update.
	if got, removedAt := s.RATDevice("1232", at.Add(time.Hour)); got != valueset.DeviceGrace || !removedAt.Equal(at) {
		t.Errorf("RATDevice(1232) after update = %v, %v; want grace, %v", got, removedAt, at)
	}
}

func TestStale(t *testing.T) {
	s, err := valueset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	now := date(t, "2024-03-01T00:00:00Z")
	if got := s.Stale(now); !slices.Equal(got, valueset.Names()) {
		t.Errorf("embedded: Stale = %q, want every set (never refreshed)", got)
	}
	for _, name := range valueset.Names() {
		set, _ := s.Set(name)
		if _, err := s.Update(set, now); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		after time.Duration
		stale bool
	}{
		{0, false},
		{23*time.Hour + 59*time.Minute, false},
		{24 * time.Hour, false},
		{24*time.Hour + time.Second, true},
	}
	for _, tt := range tests {
		got := s.Stale(now.Add(tt.after))
		if want := tt.stale; (len(got) == len(valueset.Names())) != want || (!want && len(got) != 0) {
			t.Errorf("Stale(now+%v) = %q, want stale=%v for all", tt.after, got, want)
		}
	}
	// Refreshing one set leaves the others stale.
	later := now.Add(30 * time.Hour)
	set, _ := s.Set(valueset.TestManf)
	if changed, err := s.Update(set, later); err != nil || changed {
		t.Fatalf("Update(same test-manf) = %v, %v; want unchanged", changed, err)
	}
	got := s.Stale(later)
	if slices.Contains(got, valueset.TestManf) || len(got) != len(valueset.Names())-1 {
		t.Errorf("Stale after refreshing test-manf = %q", got)
	}
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const twoDevices = `{
  "valueSetId": "covid-19-lab-test-manufacturer-and-name",
  "valueSetDate": "2024-03-01",
  "valueSetValues": {
    "1232": {"display": "Abbott Rapid Diagnostics, Panbio COVID-19 Ag Rapid Test", "lang": "en", "active": true,
             "system": "https://covid-19-diagnostics.jrc.ec.europa.eu/devices", "version": "2021-05-17"},
    "7777": {"display": "New device", "lang": "en", "active": true,
             "system": "https://covid-19-diagnostics.jrc.ec.europa.eu/devices", "version": "2024-02-01"}
  }
}`

func TestLoadDir(t *testing.T) {
	at := date(t, "2024-03-01T08:00:00Z")
	for _, file := range []string{"test-manf.json", "covid-19-lab-test-manufacturer-and-name.json", "test-manf-example.json"} {
		t.Run(file, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, file, twoDevices)
			writeFile(t, dir, "README.md", "ignored")
			s, err := valueset.LoadDir(dir, at)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := s.RATDevice("7777", at); got != valueset.DeviceListed {
				t.Errorf("7777 = %v, want listed", got)
			}
			// The embedded example is not an earlier version of the loaded set.
			if got, _ := s.RATDevice("1065", at); got != valueset.DeviceUnknown {
				t.Errorf("1065 = %v, want unknown", got)
			}
			// Every other set falls back to the embedded one, never refreshed.
			if v, ok := s.Lookup(valueset.VaccineProduct, "EU/1/20/1528"); !ok || v.Display != "Comirnaty" {
				t.Errorf("fallback vaccine-medicinal-product: %+v, %v", v, ok)
			}
			stale := s.Stale(at)
			if len(stale) != 7 || slices.Contains(stale, valueset.TestManf) {
				t.Errorf("Stale = %q, want the 7 embedded sets", stale)
			}
			if e, ok := s.Encoding("EU/1/20/1528"); !ok || e.Name != "Comirnaty" {
				t.Errorf("fallback encodings: %+v, %v", e, ok)
			}
		})
	}

	t.Run("all files of the snapshot", func(t *testing.T) {
		dir := t.TempDir()
		for _, f := range embeddedFiles {
			writeFile(t, dir, f.file, string(readData(t, f.file)))
		}
		writeFile(t, dir, "vaccine-encoding-instructions.json",
			`{"valueSetId":"vaccines-covid-19-encoding-instructions","valueSetDate":"2024-01-01","valueSetValues":{
			"Only":{"vaccine-code":"EU/1/20/1528","vaccine-manufacturer":"ORG-100030215","sct-codes":["1119349007"]}}}`)
		s, err := valueset.LoadDir(dir, at)
		if err != nil {
			t.Fatal(err)
		}
		if stale := s.Stale(at.Add(24 * time.Hour)); len(stale) != 0 {
			t.Errorf("Stale = %q, want none", stale)
		}
		if encs := s.Encodings(); len(encs) != 1 || encs[0].Name != "Only" {
			t.Errorf("Encodings = %+v, want the one from dir", encs)
		}
	})

	errorCases := []struct {
		name    string
		files   map[string]string
		wantErr string
	}{
		{"two files for one set", map[string]string{"test-manf.json": twoDevices, "test-manf-example.json": twoDevices}, "keep only one"},
		{"wrong set in file", map[string]string{"country-2-codes.json": twoDevices}, `holds valueSetId "covid-19-lab-test-manufacturer-and-name"`},
		{"malformed", map[string]string{"test-type.json": `{`}, "test-type.json"},
		{"bad encodings", map[string]string{"vaccine-encoding-instructions.json": `{}`}, "vaccine-encoding-instructions.json"},
	}
	for _, tt := range errorCases {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				writeFile(t, dir, name, content)
			}
			if _, err := valueset.LoadDir(dir, at); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("LoadDir error = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
	if _, err := valueset.LoadDir(filepath.Join(t.TempDir(), "missing"), at); err == nil {
		t.Error("LoadDir of a missing directory succeeded")
	}
}

func TestConcurrentUse(t *testing.T) {
	s, err := valueset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	start := date(t, "2024-03-01T00:00:00Z")
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range 50 {
			set := devices("2024-03-01", map[string]string{"A": "", string(rune('a' + i%26)): ""})
			if _, err := s.Update(set, start.Add(time.Duration(i)*time.Hour)); err != nil {
				t.Error(err)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for range 200 {
			s.RATDevice("A", start)
			s.Stale(start)
			s.Lookup(valueset.TestManf, "A")
		}
	}()
	wg.Wait()
	if got, _ := s.RATDevice("A", start); got != valueset.DeviceListed {
		t.Errorf("A = %v after concurrent updates", got)
	}
}

func TestEmbeddedJSON(t *testing.T) {
	for _, name := range valueset.Names() {
		_, id, _ := valueset.Canonical(name)
		data, ok := valueset.EmbeddedJSON(id)
		if !ok {
			t.Fatalf("%s: not found", id)
		}
		set, err := valueset.Parse(data)
		if err != nil || set.ID != id {
			t.Fatalf("%s: %v, id %q", id, err, set.ID)
		}
	}
	if _, ok := valueset.EmbeddedJSON("nope"); ok {
		t.Fatal("unknown set found")
	}
}

// TestLookupByNameOrID: a set is found by its canonical name and by its
// gateway id alike, before and after an update given under either, and
// while updates go on readers on other goroutines see one version or the
// next, never a set without the code every version has (run with -race).
func TestLookupByNameOrID(t *testing.T) {
	s, err := valueset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range valueset.Names() {
		_, id, _ := valueset.Canonical(name)
		byName, ok1 := s.Set(name)
		byID, ok2 := s.Set(id)
		if !ok1 || !ok2 || byName.Hash != byID.Hash {
			t.Errorf("%s / %s: found %v and %v, hashes %v", name, id, ok1, ok2, byName != nil && byID != nil && byName.Hash == byID.Hash)
		}
	}
	for _, q := range []struct{ set, code string }{
		{valueset.VaccineProduct, "EU/1/20/1528"}, {"vaccines-covid-19-names", "EU/1/20/1528"},
		{valueset.CountryCodes, "ES"}, {"country-2-codes", "ES"},
		{valueset.TestManf, "344"}, {"covid-19-lab-test-manufacturer-and-name", "344"},
	} {
		if _, ok := s.Lookup(q.set, q.code); !ok {
			t.Errorf("Lookup(%s, %s) found nothing", q.set, q.code)
		}
	}
	if _, ok := s.Lookup("no-such-set", "ES"); ok {
		t.Error("an unknown set found a code")
	}
	if _, ok := new(valueset.Store).Lookup(valueset.CountryCodes, "ES"); ok {
		t.Error("the zero Store found a code")
	}

	start := date(t, "2024-03-01T00:00:00Z")
	const updates = 200
	update := func(i int) {
		// Every version lists A; each one a different second code. The
		// update is given by id and by name in turn.
		set := devices("2024-03-01", map[string]string{"A": "", fmt.Sprintf("B%d", i): ""})
		if i%2 == 0 {
			set.ID, set.Name = "", valueset.TestManf
		}
		if _, err := s.Update(set, start.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	update(0)
	done := make(chan struct{})
	var wg sync.WaitGroup
	for _, name := range []string{valueset.TestManf, "covid-19-lab-test-manufacturer-and-name"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				v, ok := s.Lookup(name, "A")
				if !ok || !v.Active {
					t.Errorf("Lookup(%s, A) = %+v, %v during updates", name, v, ok)
					return
				}
				if st, _ := s.RATDevice("A", start); st != valueset.DeviceListed {
					t.Errorf("A is %v during updates", st)
					return
				}
				if n := s.Name(name, "A"); n.EN != "Device A" {
					t.Errorf("Name(%s, A) = %+v during updates", name, n)
					return
				}
				s.Stale(start)
			}
		}()
	}
	for i := 1; i < updates; i++ {
		update(i)
	}
	close(done)
	wg.Wait()
	last := fmt.Sprintf("B%d", updates-1)
	for _, name := range []string{valueset.TestManf, "covid-19-lab-test-manufacturer-and-name"} {
		if _, ok := s.Lookup(name, last); !ok {
			t.Errorf("Lookup(%s, %s): the last version is not the current one", name, last)
		}
		if st, _ := s.RATDevice("B0", start.Add(updates*time.Minute)); st != valueset.DeviceGrace {
			t.Errorf("B0, removed by the second update, is %v", st)
		}
	}
}
