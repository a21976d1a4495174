package valueset

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"dcc/i18n"
)

// The eu-dcc-valuesets 2.12.0 snapshot, unchanged, with its licence.
//
//go:embed data/*.json data/LICENSE
var snapshotFS embed.FS

const (
	// RefreshInterval is Annex V t/ma's "the value set shall be updated
	// every 24 hours".
	RefreshInterval = 24 * time.Hour
	// GracePeriod is Annex V t/ma's "certificates containing it may be
	// accepted for up to 72 hours from the date of removal".
	GracePeriod = 72 * time.Hour
)

// Store holds the current version of each value set, when each was last
// refreshed, and the history the RAT-device grace period needs. It is safe
// for concurrent use. The zero Store is empty; use Embedded or LoadDir.
//
// Every validation looks codes up several times, from every core, and an
// update comes once a day: readers take the current snapshot with one
// atomic load and no lock, and Update, under a lock of its own, installs a
// new snapshot rather than change the one readers may hold.
type Store struct {
	snap atomic.Pointer[snapshot] // nil: empty
	mu   sync.Mutex               // serialises Update
}

// snapshot is the store's content at one time. It is never changed once
// installed, nor are its histories.
type snapshot struct {
	sets      map[string]*history // by canonical name and by valueSetId
	encodings []Encoding
}

// set installs h as the history of the set named name, under its name and
// its id, in a snapshot that is not installed yet.
func (sn *snapshot) set(name string, h *history) {
	d, _ := lookupDescriptor(name)
	sn.sets[d.name], sn.sets[d.id] = h, h
}

func (s *Store) load() *snapshot {
	if sn := s.snap.Load(); sn != nil {
		return sn
	}
	return &snapshot{}
}

type history struct {
	cur       *Set
	refreshed time.Time // zero: never refreshed from the gateway
	// removed holds, for every code that appeared in an earlier version
	// and is absent from the current one, when it was removed. Together
	// with cur it is every code ever seen, which is what tells a removed
	// device from an unknown one.
	removed map[string]time.Time
	// names are cur's names in both languages, cleaned (see Name).
	names map[string]i18n.Text
}

// Embedded returns a Store holding the embedded 2.12.0 snapshot. Its
// refresh times are zero (never refreshed from the gateway), so Stale
// reports every set until Update or LoadDir brings a fetched version.
func Embedded() (*Store, error) {
	sn, err := embeddedSnapshot()
	if err != nil {
		return nil, err
	}
	s := &Store{}
	s.snap.Store(sn)
	return s, nil
}

func embeddedSnapshot() (*snapshot, error) {
	sn := &snapshot{sets: map[string]*history{}}
	for _, d := range descriptors() {
		set, err := readSet(snapshotFS, "data/"+d.file, d)
		if err != nil {
			return nil, fmt.Errorf("valueset: embedded snapshot: %w", err)
		}
		sn.set(d.name, &history{cur: set, removed: map[string]time.Time{}, names: namesOf(set)})
	}
	data, err := snapshotFS.ReadFile("data/vaccine-encoding-instructions.json")
	if err != nil {
		return nil, fmt.Errorf("valueset: embedded snapshot: %w", err)
	}
	if sn.encodings, err = ParseEncodings(data); err != nil {
		return nil, fmt.Errorf("valueset: embedded snapshot: %w", err)
	}
	return sn, nil
}

// LoadDir returns a Store holding the value sets saved in dir (for example
// from the gateway), refreshed at time at. A set may be saved as
// <canonical name>.json, <valueSetId>.json or under its repository file
// name (test-manf-example.json, …); two files for the same set are an
// error. The encoding instructions (vaccine-encoding-instructions.json or
// <its valueSetId>.json) are optional. Other files are ignored.
//
// Any set missing from dir falls back to the embedded snapshot, with a
// zero refresh time so that Stale reports it. A set read from dir starts
// its own history: the embedded version is not treated as an earlier
// version of it, because the test-manf of the snapshot is only an example
// and its devices must not gain a grace period merely by being absent from
// the real list.
func LoadDir(dir string, at time.Time) (*Store, error) {
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("valueset: value-set directory: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("valueset: %s is not a directory", dir)
	}
	sn, err := embeddedSnapshot()
	if err != nil {
		return nil, err
	}
	fsys := os.DirFS(dir)
	for _, d := range descriptors() {
		file, err := findFile(fsys, dir, d.name+".json", d.id+".json", d.file)
		if err != nil {
			return nil, err
		}
		if file == "" {
			continue
		}
		set, err := readSet(fsys, file, d)
		if err != nil {
			return nil, fmt.Errorf("valueset: %s: %w", filepath.Join(dir, file), err)
		}
		sn.set(d.name, &history{cur: set, refreshed: at, removed: map[string]time.Time{}, names: namesOf(set)})
	}
	file, err := findFile(fsys, dir, "vaccine-encoding-instructions.json", EncodingsID+".json")
	if err != nil {
		return nil, err
	}
	if file != "" {
		data, err := readLimited(fsys, file)
		if err == nil {
			sn.encodings, err = ParseEncodings(data)
		}
		if err != nil {
			return nil, fmt.Errorf("valueset: %s: %w", filepath.Join(dir, file), err)
		}
	}
	s := &Store{}
	s.snap.Store(sn)
	return s, nil
}

// findFile returns the one candidate present in fsys, "" if none is.
func findFile(fsys fs.FS, dir string, candidates ...string) (string, error) {
	var found []string
	seen := map[string]bool{}
	for _, c := range candidates {
		if seen[c] {
			continue // the canonical and repository names often coincide
		}
		seen[c] = true
		if _, err := fs.Stat(fsys, c); err == nil {
			found = append(found, c)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("valueset: %w", err)
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("valueset: %s holds both %s: keep only one", dir, strings.Join(found, " and "))
}

func readLimited(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// One byte more than Parse accepts, so that it can say the file is too big.
	return io.ReadAll(io.LimitReader(f, MaxSize+1))
}

func readSet(fsys fs.FS, name string, d descriptor) (*Set, error) {
	data, err := readLimited(fsys, name)
	if err != nil {
		return nil, err
	}
	set, err := Parse(data)
	if err != nil {
		return nil, err
	}
	if set.Name != d.name {
		return nil, fmt.Errorf("valueset: file for %s holds valueSetId %q, want %q", d.name, set.ID, d.id)
	}
	return set, nil
}

// Update installs a newly fetched version of a set, fetched at time at.
// The set is copied and checked as Parse checks it (Name or ID must name
// one of the eight sets; Hash is recomputed). If its content equals the
// current version only the refresh time moves and changed is false.
// Otherwise it becomes the current version, and every code of the previous
// version that it lacks is recorded as removed at time at — or, if the
// previous version already listed it as inactive, at its deactivation time
// (see RATDevice). A version fetched before the current refresh time is
// refused with ErrOutOfOrder.
func (s *Store) Update(set *Set, at time.Time) (changed bool, err error) {
	if set == nil {
		return false, errors.New("valueset: Update: nil set")
	}
	c := cloneSet(set)
	if err := finish(c); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.load()
	// The new snapshot shares every history but the one replaced.
	sn := &snapshot{sets: make(map[string]*history, len(old.sets)+2), encodings: old.encodings}
	for k, h := range old.sets {
		sn.sets[k] = h
	}
	h := old.sets[c.Name]
	if h == nil {
		sn.set(c.Name, &history{cur: c, refreshed: at, removed: map[string]time.Time{}, names: namesOf(c)})
		s.snap.Store(sn)
		return true, nil
	}
	if at.Before(h.refreshed) {
		return false, fmt.Errorf("%w: %s fetched at %s, current one at %s",
			ErrOutOfOrder, c.Name, at.Format(time.RFC3339), h.refreshed.Format(time.RFC3339))
	}
	if c.Hash == h.cur.Hash {
		n := *h
		n.refreshed = at
		sn.set(c.Name, &n)
		s.snap.Store(sn)
		return false, nil
	}
	removed := make(map[string]time.Time, len(h.removed))
	for code, t := range h.removed {
		removed[code] = t
	}
	for code, v := range h.cur.Values {
		if _, kept := c.Values[code]; kept {
			continue
		}
		removedAt := at
		if !v.Active {
			if t := deactivated(v, h.cur); t.Before(at) {
				removedAt = t
			}
		}
		removed[code] = removedAt
	}
	for code := range c.Values {
		delete(removed, code) // listed again
	}
	sn.set(c.Name, &history{cur: c, refreshed: at, removed: removed, names: namesOf(c)})
	s.snap.Store(sn)
	return true, nil
}

func cloneSet(set *Set) *Set {
	c := *set
	c.Values = make(map[string]Value, len(set.Values))
	for code, v := range set.Values {
		if v.Code == "" {
			v.Code = code
		}
		c.Values[code] = v
	}
	return &c
}

// get is the history of the set named by its canonical name or its id in
// the current snapshot, nil if there is none.
func (s *Store) get(name string) *history {
	if sn := s.snap.Load(); sn != nil {
		return sn.sets[name]
	}
	return nil
}

// Set returns a copy of the current version of the named set.
func (s *Store) Set(name string) (*Set, bool) {
	h := s.get(name)
	if h == nil {
		return nil, false
	}
	return cloneSet(h.cur), true
}

// Refreshed returns when the named set was last fetched; zero means never
// (the embedded snapshot).
func (s *Store) Refreshed(name string) (time.Time, bool) {
	h := s.get(name)
	if h == nil {
		return time.Time{}, false
	}
	return h.refreshed, true
}

// Lookup returns the entry for code in the current version of the named
// set, active or not: whether an inactive (deprecated) code is acceptable
// depends on the caller (issuers refuse it, verifiers may accept it).
func (s *Store) Lookup(name, code string) (Value, bool) {
	h := s.get(name)
	if h == nil {
		return Value{}, false
	}
	v, ok := h.cur.Values[code]
	return v, ok
}

// Display returns the human-readable name of code in the named set as
// published, in English, with the artefacts of the export removed (see
// Clean), or code itself if the set or the code is unknown or has no
// display. Name has it in Spanish too.
func (s *Store) Display(name, code string) string {
	if v, ok := s.Lookup(name, code); ok && Clean(v.Display) != "" {
		return Clean(v.Display)
	}
	return code
}

// Country reports whether code is acceptable in v/co, t/co or r/co and
// returns its display name. Besides country-2-codes (ISO 3166-1 alpha-2,
// active or not), Annex II §6 and Annex V allow "a reference to an
// international organisation responsible for the vaccination/test (such as
// UNHCR or WHO)", with codes to be published by the Commission. None has
// been published in a value set, so the two the Decision names are
// accepted here:
//
//	UNHCR  United Nations High Commissioner for Refugees
//	WHO    World Health Organization
//
// These are the English acronyms, as in the Decision's English text and the
// official schema test cases (V-dates1, T-rat-dates1, R-dates1: "co":
// "UNHCR"). The Spanish text translates the examples ("ACNUR", "OMS"),
// but codes in a DCC are language-neutral, so the translations are not
// accepted. Codes are case-sensitive, as everywhere in the DCC.
func (s *Store) Country(code string) (display string, ok bool) {
	if v, ok := s.Lookup(CountryCodes, code); ok {
		return Clean(v.Display), true
	}
	switch code {
	case "UNHCR":
		return "United Nations High Commissioner for Refugees", true
	case "WHO":
		return "World Health Organization", true
	}
	return "", false
}

// Stale returns, in Names order, the sets not refreshed for more than
// RefreshInterval before now (Annex V t/ma: "the value set shall be updated
// every 24 hours"); a set never refreshed (embedded) is always stale.
func (s *Store) Stale(now time.Time) []string {
	var stale []string
	sets := s.load().sets // one snapshot for all
	for _, name := range Names() {
		h := sets[name]
		if h == nil {
			continue
		}
		if h.refreshed.IsZero() || now.Sub(h.refreshed) > RefreshInterval {
			stale = append(stale, name)
		}
	}
	return stale
}

// Encoding returns the Annex A row for a product, found by its v/mp code
// ("EU/1/20/1528"; a deprecated code without its " (deprecated)" suffix) or,
// failing that, by the product name ("Comirnaty", ignoring case).
func (s *Store) Encoding(product string) (Encoding, bool) {
	encodings := s.load().encodings
	for _, e := range encodings {
		if e.VaccineCode == product {
			return cloneEncoding(e), true
		}
	}
	for _, e := range encodings {
		if strings.EqualFold(e.Name, product) {
			return cloneEncoding(e), true
		}
	}
	return Encoding{}, false
}

// Encodings returns every Annex A row, in file order.
func (s *Store) Encodings() []Encoding {
	encodings := s.load().encodings
	out := make([]Encoding, len(encodings))
	for i, e := range encodings {
		out[i] = cloneEncoding(e)
	}
	return out
}

// DeviceStatus is the standing of a RAT device identifier (t/ma) at a
// given time. The zero value is DeviceUnknown, the one that must not be
// accepted.
type DeviceStatus int

const (
	// DeviceUnknown: never listed in any known version of test-manf.
	DeviceUnknown DeviceStatus = iota
	// DeviceListed: in the current version and active.
	DeviceListed
	// DeviceGrace: removed, at most GracePeriod before the time asked.
	DeviceGrace
	// DeviceRemoved: removed more than GracePeriod before the time asked.
	DeviceRemoved
)

func (d DeviceStatus) String() string {
	switch d {
	case DeviceUnknown:
		return "unknown"
	case DeviceListed:
		return "listed"
	case DeviceGrace:
		return "grace"
	case DeviceRemoved:
		return "removed"
	}
	return fmt.Sprintf("DeviceStatus(%d)", int(d))
}

// RATDevice returns the status of a RAT device identifier at time at and,
// unless it is listed or unknown, when it was removed. Annex V t/ma: "If
// an identifier is removed from the value set, certificates containing it
// may be accepted for up to 72 hours from the date of removal."
//
// The removal time is:
//   - for an entry of the current version with "active": false, the time
//     in its "version" field if that is a date (midnight UTC) or an RFC 3339
//     time — the gateway's test-manf dates entries that way — else the
//     set's valueSetDate;
//   - for an entry of an earlier version (Embedded, LoadDir, Update) absent
//     from a later one, the fetch time of the first version lacking it.
//
// at - removedAt <= GracePeriod is DeviceGrace, so a removal time after at
// (a deactivation dated ahead) is within the grace period too.
func (s *Store) RATDevice(code string, at time.Time) (DeviceStatus, time.Time) {
	h := s.get(TestManf)
	if h == nil {
		return DeviceUnknown, time.Time{}
	}
	var removedAt time.Time
	if v, ok := h.cur.Values[code]; ok {
		if v.Active {
			return DeviceListed, time.Time{}
		}
		removedAt = deactivated(v, h.cur)
	} else if t, ok := h.removed[code]; ok {
		removedAt = t
	} else {
		return DeviceUnknown, time.Time{}
	}
	if at.Sub(removedAt) <= GracePeriod {
		return DeviceGrace, removedAt
	}
	return DeviceRemoved, removedAt
}

// deactivated returns when an inactive entry of set was withdrawn.
func deactivated(v Value, set *Set) time.Time {
	if t, err := time.Parse(time.DateOnly, v.Version); err == nil {
		return t
	}
	if t, err := time.Parse(time.RFC3339, v.Version); err == nil {
		return t
	}
	t, _ := time.Parse(time.DateOnly, set.Date) // checked by finish
	return t
}

// EmbeddedJSON returns the JSON of one set of the embedded snapshot exactly
// as distributed, for a server that hands value sets out verbatim as the
// gateway does (GET /valuesets/{id}); ok is false for an unknown name or id.
func EmbeddedJSON(nameOrID string) (data []byte, ok bool) {
	d, ok := lookupDescriptor(nameOrID)
	if !ok {
		return nil, false
	}
	data, err := snapshotFS.ReadFile("data/" + d.file)
	return data, err == nil
}
