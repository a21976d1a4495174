package registry_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// The writer leaves checkpoints to the checkpointer: under a steady stream of
// writes the log must still be copied back and started again, not grow with
// every certificate, and what was written must be in the database file once
// the store is closed.
func TestCheckpointsKeepTheLogBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.db")
	s := open(t, "sqlite:"+path, testKeys(t, "k1"))
	s.RestartLogAt(1024) // 4 MiB
	const n, writers = 4000, 16
	var wg sync.WaitGroup
	var maxWAL int64
	var mu sync.Mutex
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += writers {
				r := record(i)
				r.HC1 = "HC1:" + r.UVCI
				if err := s.Insert(ctx, r, "authority:AN"); err != nil {
					t.Error(err)
					return
				}
				if fi, err := os.Stat(path + "-wal"); err == nil {
					mu.Lock()
					maxWAL = max(maxWAL, fi.Size())
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	// Each certificate dirties about three 4 KiB pages (the row, the audit
	// entry, their indexes): a log never started again would reach some
	// 50 MiB. The checkpointer starts it again from 4 MiB on, plus what
	// comes in the tenth of a second between two checkpoints.
	if maxWAL > 16<<20 {
		t.Errorf("the write-ahead log grew to %d bytes for %d certificates: not checkpointed", maxWAL, n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := open(t, "sqlite:"+path, testKeys(t, "k1"))
	for _, i := range []int{0, n / 2, n - 1} {
		if _, err := s2.Get(ctx, record(i).UVCI, "operator:1"); err != nil {
			t.Errorf("record %d after reopening: %v", i, err)
		}
	}
}
