package registry

// The registry at the size of a country's (docs/benchmarks.md, "Registry
// size"): TestScaleGenerate fills a registry with realistic rows in bulk,
// BenchmarkScale measures issuance, look-ups and publication on it. Both
// run only on a registry named by DCC_SCALE_SQLITE (a file path) or
// DCC_SCALE_POSTGRES (a DSN); scripts/registry-scale.sh drives them.
//
// The generator writes rows directly (SQLite: big transactions of prepared
// inserts; PostgreSQL: COPY), sealed as Store seals them, with an audit
// entry and an idempotency key per certificate as issuance writes them; it
// does not sign (the HC1 column holds random Base45 of a real HC1's length).

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"dcc/uvci"
)

const (
	envScaleSQLite   = "DCC_SCALE_SQLITE"
	envScalePostgres = "DCC_SCALE_POSTGRES"
	envScaleGenerate = "DCC_SCALE_GENERATE" // records to add
	envScaleRevoked  = "DCC_SCALE_REVOKED"  // share of them revoked, default 0.01
	envScaleSeed     = "DCC_SCALE_SEED"     // default: the time
	// Pragmas run on the SQLite connection after Open, to compare settings
	// with those Open chooses: "cache_size=-2000;mmap_size=0" (SQLite's
	// defaults).
	envScalePragmas = "DCC_SCALE_SQLITE_PRAGMAS"
)

// scaleKeys is the fixed key of generated registries: they hold no real
// person's data, and the harness must open what the generator sealed.
func scaleKeys(t testing.TB) *Keys {
	key := sha256.Sum256([]byte("dcc registry scale benchmark: not a secret"))
	k, err := NewKeys("scale", map[string][]byte{"scale": key[:]})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

type scaleTarget struct{ name, dsn string }

func scaleTargets(t testing.TB) []scaleTarget {
	var out []scaleTarget
	if p := os.Getenv(envScaleSQLite); p != "" {
		out = append(out, scaleTarget{"sqlite", "sqlite:" + p})
	}
	if dsn := os.Getenv(envScalePostgres); dsn != "" {
		out = append(out, scaleTarget{"postgres", dsn})
	}
	if len(out) == 0 {
		t.Skipf("no generated registry: set %s=/path/registry.db and/or %s=postgres://… (scripts/registry-scale.sh)", envScaleSQLite, envScalePostgres)
	}
	return out
}

// Spanish surnames (as written, and ICAO-standardised by translit) and
// given names: two surnames each give 40,000 combinations, times 33,000
// dates of birth, so a holder search finds about one person.
var (
	scaleSurnames = []string{"García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez",
		"Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso",
		"Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Ramírez", "Serrano", "Blanco",
		"Molina", "Morales", "Suárez", "Ortega", "Delgado", "Castro", "Ortiz", "Rubio", "Marín", "Sanz", "Núñez",
		"Iglesias", "Medina", "Garrido", "Cortés", "Castillo", "Santos", "Lozano", "Guerrero", "Cano", "Prieto",
		"Méndez", "Cruz", "Calvo", "Gallego", "Vidal", "León", "Márquez", "Herrera", "Peña", "Flores", "Cabrera",
		"Campos", "Vega", "Fuentes", "Carrasco", "Diez", "Caballero", "Reyes", "Nieto", "Aguilar", "Pascual",
		"Santana", "Herrero", "Lorenzo", "Montero", "Hidalgo", "Giménez", "Ibáñez", "Ferrer", "Durán", "Santiago",
		"Benítez", "Mora", "Vicente", "Vargas", "Arias", "Carmona", "Crespo", "Román", "Pastor", "Soto", "Sáez",
		"Velasco", "Moya", "Soler", "Parra", "Esteban", "Bravo", "Gallardo", "Rojas", "Pardo", "Merino", "Franco",
		"Espinosa", "Izquierdo", "Lara", "Rivas", "Silva", "Rivera", "Casado", "Arroyo", "Redondo", "Camacho",
		"Rey", "Vera", "Otero", "Luque", "Galán", "Montes", "Ríos", "Sierra", "Segura", "Carrillo", "Marcos",
		"Marti", "Soriano", "Mendoza", "Robles", "Bernal", "Vila", "Valero", "Palacios", "Pereira", "Benito",
		"Varela", "Macías", "Guerra", "Heredia", "Roldán", "Paredes", "Manzano", "Castaño", "Escobar", "Rosa",
		"Mateo", "Beltrán", "Bueno", "Villar", "Miranda", "Mateos", "Guillén", "Calderón", "Quintana", "Ávila",
		"Jurado", "Aparicio", "Salas", "Cuesta", "Rico", "Vallejo", "Ruano", "Lázaro", "Barroso", "Zamora",
		"Mesa", "Pozo", "Trujillo", "Ferrández", "Cámara", "Sosa", "Muñiz", "Peláez", "Rincón", "Acosta",
		"Valle", "Cordero", "Miguel", "Luna", "Andrés", "Carretero", "Simón", "Escudero", "Salinas", "Toledo",
		"Oliva", "Montoya", "Polo", "Bermúdez", "Quesada", "Villalba", "Espejo", "Ojeda", "Pacheco", "Cobo",
		"Aranda", "Sancho", "Maldonado", "Ordóñez", "Rosales", "Mejías", "Mártir", "Aguirre", "Ibarra"}
	scaleGiven = []string{"María", "José", "Antonio", "Carmen", "Manuel", "Ana", "Francisco", "Isabel", "David",
		"Laura", "Juan", "Cristina", "Javier", "Marta", "Daniel", "Lucía", "Carlos", "Pilar", "Jesús", "Elena",
		"Alejandro", "Sara", "Miguel", "Paula", "Rafael", "Raquel", "Pablo", "Rosa", "Sergio", "Teresa",
		"Fernando", "Beatriz", "Jorge", "Nuria", "Luis", "Silvia", "Alberto", "Julia", "Álvaro", "Irene"}
	scaleAuthorities = []string{"AN", "AR", "AS", "IB", "CN", "CB", "CL", "CM", "CT", "VC", "EX", "GA", "MD", "MC", "NC", "PV", "RI"}
)

const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// scaleGen makes the records of a generated registry.
type scaleGen struct {
	rnd    *rand.Rand
	chacha *rand.ChaCha8
	uvcis  map[string]*uvci.Generator
	kids   map[string]string
	now    time.Time
	// live makes records issued at the wall clock's time, as issuance
	// stores them, instead of at a random time of the last 300 days.
	live bool
}

func newScaleGen(t testing.TB, seed uint64) *scaleGen {
	var s [32]byte
	for i := range 4 {
		s[i*8] = byte(seed >> (8 * i))
	}
	g := &scaleGen{chacha: rand.NewChaCha8(s), uvcis: map[string]*uvci.Generator{}, kids: map[string]string{}, now: time.Now().UTC()}
	g.rnd = rand.New(g.chacha)
	for i, a := range scaleAuthorities {
		// An issuer prefix per authority and programme, as a region would
		// choose it; the random part comes from the seeded source.
		gen, err := uvci.NewGenerator("ES", a+"/VAC", g.chacha)
		if err != nil {
			t.Fatal(err)
		}
		g.uvcis[a] = gen
		kid := make([]byte, 8)
		kid[0] = byte(i)
		g.chacha.Read(kid[1:])
		g.kids[a] = base64.StdEncoding.EncodeToString(kid)
	}
	return g
}

func (g *scaleGen) pick(xs []string) string { return xs[g.rnd.IntN(len(xs))] }

// record makes one certificate; revoked ones are revoked now or earlier.
func (g *scaleGen) record(revoked bool) Record {
	a := g.pick(scaleAuthorities)
	issued := g.now.Add(-time.Duration(g.rnd.Int64N(int64(300 * 24 * time.Hour))))
	if g.live {
		issued = time.Now().UTC()
	}
	// Ordered at the time of issue, as issuance makes them.
	id, err := g.uvcis[a].Ordered(func() time.Time { return issued }).New()
	if err != nil {
		panic(err) // ChaCha8 does not fail
	}
	issued = issued.Truncate(time.Second)
	s1, s2, given := g.pick(scaleSurnames), g.pick(scaleSurnames), g.pick(scaleGiven)
	dob := time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rnd.IntN(33000)).Format(time.DateOnly)
	event := issued.AddDate(0, 0, -g.rnd.IntN(5)).Format(time.DateOnly)
	nam := map[string]string{"fn": s1 + " " + s2, "fnt": standardSurname(s1 + " " + s2), "gn": given, "gnt": standardSurname(given)}
	p := map[string]any{"ver": "1.3.0", "nam": nam, "dob": dob}
	typ := "v"
	switch x := g.rnd.IntN(100); {
	case x < 25:
		typ = "t"
		p["t"] = []map[string]any{{"tg": "840539006", "tt": "LP217198-3", "ma": "1232", "sc": issued.Format(time.RFC3339),
			"tr": "260415000", "tc": "Laboratorio " + a + " " + strconv.Itoa(g.rnd.IntN(40)), "co": "ES",
			"is": "Ministerio de Sanidad", "ci": id[len("URN:UVCI:"):]}}
	case x < 30:
		typ = "r"
		p["r"] = []map[string]any{{"tg": "840539006", "fr": event, "co": "ES", "is": "Ministerio de Sanidad",
			"df": issued.AddDate(0, 0, 11).Format(time.DateOnly), "du": issued.AddDate(0, 0, 180).Format(time.DateOnly),
			"ci": id[len("URN:UVCI:"):]}}
	default:
		p["v"] = []map[string]any{{"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215",
			"dn": 1 + g.rnd.IntN(3), "sd": 3, "dt": event, "co": "ES", "is": "Ministerio de Sanidad", "ci": id[len("URN:UVCI:"):]}}
	}
	payload, err := json.Marshal(p)
	if err != nil {
		panic(err) // maps of strings and numbers always marshal
	}
	// A signed vaccination certificate's HC1 is 500–600 characters.
	hc1 := make([]byte, 4+500+g.rnd.IntN(100))
	copy(hc1, "HC1:")
	for i := 4; i < len(hc1); i++ {
		hc1[i] = base45Alphabet[g.rnd.IntN(len(base45Alphabet))]
	}
	r := Record{UVCI: id, Type: typ, Authority: a, KID: g.kids[a], IssuedAt: issued, Expires: issued.AddDate(1, 0, 0),
		EventDate: event, Payload: payload, HC1: string(hc1)}
	if typ == "t" {
		r.Lab = "LAB-" + a + "-" + strconv.Itoa(g.rnd.IntN(40))
	}
	if revoked {
		at := issued.Add(time.Duration(g.rnd.Int64N(int64(g.now.Sub(issued)) + 1)))
		r.RevokedAt, r.RevokedBy, r.RevokeReason = &at, "operator:"+a, "issued in error"
	}
	return r
}

// scaleRow is one generated certificate with the rows issuance writes with it.
type scaleRow struct {
	sr              sealedRecord
	idemKey, idemRq string
}

func TestScaleGenerate(t *testing.T) {
	n, err := strconv.Atoi(os.Getenv(envScaleGenerate))
	if err != nil || n <= 0 {
		t.Skipf("set %s=N to add N generated records to the registry of %s / %s", envScaleGenerate, envScaleSQLite, envScalePostgres)
	}
	share := 0.01
	if v := os.Getenv(envScaleRevoked); v != "" {
		if share, err = strconv.ParseFloat(v, 64); err != nil || share < 0 || share > 1 {
			t.Fatalf("%s=%q: want a share between 0 and 1", envScaleRevoked, v)
		}
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv(envScaleSeed); v != "" {
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("%s=%q: want an unsigned integer", envScaleSeed, v)
		}
	}
	for _, tg := range scaleTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			ctx := context.Background()
			s, err := Open(ctx, tg.dsn, scaleKeys(t))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			g := newScaleGen(t, seed)
			const chunk = 20000
			rows := make(chan []scaleRow, 2)
			go func() {
				defer close(rows)
				for done := 0; done < n; done += chunk {
					rs := make([]Record, min(chunk, n-done))
					for i := range rs {
						rs[i] = g.record(g.rnd.Float64() < share)
					}
					sealed, errs := s.sealAll(rs)
					out := make([]scaleRow, len(rs))
					for i := range sealed {
						if errs[i] != nil {
							t.Error(errs[i])
							return
						}
						out[i] = scaleRow{sr: sealed[i], idemKey: fmt.Sprintf("%016x%016x", g.rnd.Uint64(), g.rnd.Uint64()),
							idemRq: fmt.Sprintf("%016x%016x%016x%016x", g.rnd.Uint64(), g.rnd.Uint64(), g.rnd.Uint64(), g.rnd.Uint64())}
					}
					rows <- out
				}
			}()
			start, written := time.Now(), 0
			write := s.writeSQLiteRows
			if s.dialect == dialectPostgres {
				write = func(ctx context.Context, rs []scaleRow) error { return writePostgresRows(ctx, tg.dsn, rs) }
			} else if _, err := s.db.ExecContext(ctx, `PRAGMA cache_size = -1048576`); err != nil { // 1 GiB while loading
				t.Fatal(err)
			}
			for rs := range rows {
				if err := write(ctx, rs); err != nil {
					t.Fatal(err)
				}
				written += len(rs)
				if written%(10*chunk) == 0 || written == n {
					t.Logf("%s: %d of %d records in %v", tg.name, written, n, time.Since(start).Round(time.Second))
				}
			}
			if _, err := s.db.ExecContext(ctx, `ANALYZE`); err != nil {
				t.Fatal(err)
			}
			var total int
			if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM certificates`).Scan(&total); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: the registry holds %d certificates", tg.name, total)
		})
	}
}

func (s *Store) writeSQLiteRows(ctx context.Context, rs []scaleRow) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		audit, err := tx.PrepareContext(ctx, sqlAudit)
		if err != nil {
			return err
		}
		idem, err := tx.PrepareContext(ctx, sqlInsertIdem)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if _, err := s.insertSealed(ctx, tx, r.sr); err != nil {
				return err
			}
			if _, err := audit.ExecContext(ctx, r.sr.IssuedAt.Unix(), "auth:"+r.sr.Authority, ActionIssue, r.sr.UVCI,
				"type="+r.sr.Type+" authority="+r.sr.Authority); err != nil {
				return err
			}
			if _, err := idem.ExecContext(ctx, "auth:"+r.sr.Authority, r.idemKey, r.idemRq, r.sr.UVCI, r.sr.IssuedAt.Unix()); err != nil {
				return err
			}
		}
		return nil
	})
}

func writePostgresRows(ctx context.Context, dsn string, rs []scaleRow) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
		return err
	}
	certs := make([][]any, len(rs))
	audits := make([][]any, len(rs))
	idems := make([][]any, len(rs))
	for i, r := range rs {
		var revoked any
		if r.sr.RevokedAt != nil {
			revoked = r.sr.RevokedAt.Unix()
		}
		c := r.sr
		certs[i] = []any{c.UVCI, c.Type, c.Authority, c.Lab, c.KID, c.IssuedAt.Unix(), c.Expires.Unix(), c.EventDate, c.hash,
			c.keyID, c.payload, c.hc1, revoked, c.RevokedBy, c.RevokeReason, c.ReplacedBy, c.Replaces, c.holder}
		audits[i] = []any{c.IssuedAt.Unix(), "auth:" + c.Authority, ActionIssue, c.UVCI, "type=" + c.Type + " authority=" + c.Authority}
		idems[i] = []any{"auth:" + c.Authority, r.idemKey, r.idemRq, c.UVCI, c.IssuedAt.Unix()}
	}
	for _, cp := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"certificates", []string{"uvci", "type", "authority", "lab", "kid", "issued_at", "expires_at", "event_date", "payload_hash",
			"key_id", "payload", "hc1", "revoked_at", "revoked_by", "revoke_reason", "replaced_by", "replaces", "holder_index"}, certs},
		{"audit", []string{"at", "actor", "action", "uvci", "detail"}, audits},
		{"idempotency", []string{"principal", "idem_key", "request_hash", "uvci", "created_at"}, idems},
	} {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{cp.table}, cp.cols, pgx.CopyFromRows(cp.rows)); err != nil {
			return fmt.Errorf("copy into %s: %w", cp.table, err)
		}
	}
	return tx.Commit(ctx)
}

// scaleSample is what the harness looks up: existing certificates chosen
// at random, with their holders.
type scaleSample struct {
	uvcis []string
	names []string // fnt
	dobs  []string
	count int
}

func loadScaleSample(b *testing.B, s *Store, want int) scaleSample {
	ctx := context.Background()
	var sm scaleSample
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM certificates`).Scan(&sm.count); err != nil {
		b.Fatal(err)
	}
	if sm.count == 0 {
		b.Fatalf("the registry is empty: generate records first (%s=N go test -run TestScaleGenerate)", envScaleGenerate)
	}
	var q string
	var args []any
	if s.dialect == dialectSQLite {
		var maxID int64
		if err := s.db.QueryRowContext(ctx, `SELECT MAX(rowid) FROM certificates`).Scan(&maxID); err != nil {
			b.Fatal(err)
		}
		ids := make([]string, want)
		for i := range ids {
			ids[i] = strconv.FormatInt(1+rand.Int64N(maxID), 10)
		}
		q = `SELECT uvci, key_id, payload FROM certificates WHERE rowid IN (` + strings.Join(ids, ",") + `)`
	} else {
		pct := min(100, 100*3*float64(want)/float64(sm.count))
		q = `SELECT uvci, key_id, payload FROM certificates TABLESAMPLE BERNOULLI ($1) LIMIT $2`
		args = []any{pct, want}
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, keyID string
		var sealed []byte
		if err := rows.Scan(&id, &keyID, &sealed); err != nil {
			b.Fatal(err)
		}
		plain, err := s.keys.open(keyID, purposePayload, id, sealed)
		if err != nil {
			b.Fatalf("a generated row does not open with the scale key: %v", err)
		}
		var p struct {
			Nam struct{ FNT string } `json:"nam"`
			DOB string               `json:"dob"`
		}
		if err := json.Unmarshal(plain, &p); err != nil {
			b.Fatal(err)
		}
		sm.uvcis = append(sm.uvcis, id)
		sm.names = append(sm.names, p.Nam.FNT)
		sm.dobs = append(sm.dobs, p.DOB)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	if len(sm.uvcis) == 0 {
		b.Fatal("no sample drawn")
	}
	return sm
}

// latencies collects one duration per operation and reports p50 and p99
// in milliseconds.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	at := func(q float64) float64 { return float64(l[min(len(l)-1, int(q*float64(len(l))))]) / 1e6 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// BenchmarkScale measures on a generated registry: issuance's store of a
// batch of 1,000 records (InsertBatch with idempotency keys, as
// internal/issuance stores a batch; ApplyBatch, as the national registry
// takes an authority's delivery), a UVCI look-up (Get), a holder search
// (Search by surname and date of birth), and the revocation list (Revoked,
// what /api/v1/revocations reads). Run with -benchtime=Nx: each batch
// iteration adds 1,000 records; each look-up iteration makes lookupsPerOp
// look-ups, so that -benchtime=10x gives p99 over 2,000 of them (ns/op is
// then that of 200 look-ups).
func BenchmarkScale(b *testing.B) {
	const lookupsPerOp = 200
	for _, tg := range scaleTargets(b) {
		b.Run(tg.name, func(b *testing.B) {
			ctx := context.Background()
			s, err := Open(ctx, tg.dsn, scaleKeys(b))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if v := os.Getenv(envScalePragmas); v != "" && s.dialect == dialectSQLite {
				for _, p := range strings.Split(v, ";") {
					if _, err := s.db.ExecContext(ctx, "PRAGMA "+p); err != nil {
						b.Fatalf("%s: %v", envScalePragmas, err)
					}
				}
			}
			sm := loadScaleSample(b, s, 2000)
			b.Logf("%s: %d certificates, sample of %d", tg.name, sm.count, len(sm.uvcis))
			g := newScaleGen(b, uint64(time.Now().UnixNano()))
			g.live = true

			batch := func(b *testing.B, apply bool) {
				var perRecord latencies
				for b.Loop() {
					b.StopTimer()
					rs := make([]Record, 1000)
					keys := make([]*Idempotency, len(rs))
					for i := range rs {
						rs[i] = g.record(false)
						keys[i] = &Idempotency{Principal: "auth:" + rs[i].Authority, Key: fmt.Sprintf("%016x%016x", g.rnd.Uint64(), g.rnd.Uint64())}
					}
					b.StartTimer()
					t0 := time.Now()
					if apply {
						res, err := s.ApplyBatch(ctx, rs, "auth:delivery")
						if err != nil {
							b.Fatal(err)
						}
						for _, r := range res {
							if r.Err != nil || r.Applied != AppliedNew {
								b.Fatalf("apply: %v %v", r.Applied, r.Err)
							}
						}
					} else if err := s.InsertBatch(ctx, rs, "auth:batch", BatchOptions{Keys: keys}); err != nil {
						b.Fatal(err)
					}
					perRecord = append(perRecord, time.Since(t0)/time.Duration(len(rs)))
				}
				slices.Sort(perRecord)
				b.ReportMetric(float64(perRecord[len(perRecord)/2])/1e3, "µs/record")
			}
			b.Run("InsertBatch1000", func(b *testing.B) { batch(b, false) })
			b.Run("ApplyBatch1000", func(b *testing.B) { batch(b, true) })

			b.Run("Get", func(b *testing.B) {
				var l latencies
				i := 0
				for b.Loop() {
					for range lookupsPerOp {
						id := sm.uvcis[i%len(sm.uvcis)]
						i++
						t0 := time.Now()
						if _, err := s.Get(ctx, id, "operator:bench"); err != nil {
							b.Fatal(err)
						}
						l = append(l, time.Since(t0))
					}
				}
				l.report(b)
			})
			b.Run("HolderSearch", func(b *testing.B) {
				var l latencies
				i := 0
				for b.Loop() {
					for range lookupsPerOp {
						k := i % len(sm.uvcis)
						i++
						t0 := time.Now()
						recs, _, err := s.Search(ctx, Query{HolderName: sm.names[k], HolderDOB: sm.dobs[k]}, "operator:bench")
						if err != nil {
							b.Fatal(err)
						}
						l = append(l, time.Since(t0))
						if !slices.ContainsFunc(recs, func(r Record) bool { return r.UVCI == sm.uvcis[k] }) {
							b.Fatalf("holder search did not find %s", sm.uvcis[k])
						}
					}
				}
				l.report(b)
			})
			b.Run("Revoked", func(b *testing.B) {
				var l latencies
				n := 0
				for b.Loop() {
					t0 := time.Now()
					recs, err := s.Revoked(ctx, time.Now())
					if err != nil {
						b.Fatal(err)
					}
					l = append(l, time.Since(t0))
					n = len(recs)
				}
				l.report(b)
				b.ReportMetric(float64(n), "revoked")
				if n > 0 {
					slices.Sort(l)
					b.ReportMetric(float64(l[len(l)/2])/1e3/float64(n), "µs/revoked")
				}
			})
		})
	}
}
