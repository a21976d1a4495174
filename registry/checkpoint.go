package registry

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sync"
	"time"
)

const (
	// checkpointEvery spaces the checkpoints: under load each one copies
	// the pages of many commits at once.
	checkpointEvery = 100 * time.Millisecond
	// restartFrames is the size of the log (in pages, 4 KiB each) from
	// which the checkpointer holds the writes for a moment (some
	// milliseconds) to copy what is left, so that the writer starts the
	// log again from its beginning: the log stays within some 64 MiB, and
	// under full load the writes are held about once a second.
	restartFrames = 16384
)

// checkpointer copies SQLite's write-ahead log back into the database file
// on a connection of its own, after commits, so that the single writer
// does not wait for a checkpoint's writes and sync on every thousandth
// page. A passive checkpoint takes no lock the writer needs; but the writer
// starts the log again only once all of it has been copied, which a stream
// of writes never lets a passive checkpoint finish. So when the log has
// grown past restartFrames, the checkpointer holds the writes (between two
// transactions) while it copies what came after the last checkpoint.
// A nil *checkpointer (PostgreSQL) does nothing.
type checkpointer struct {
	db   *sql.DB
	hold func(func()) // runs a function between two write transactions
	// restartAt is restartFrames but in tests.
	restartAt int
	kick      chan struct{}
	stop      chan struct{}
	done      chan struct{}
	once      sync.Once
}

func newCheckpointer(path string, hold func(func())) (*checkpointer, error) {
	q := url.Values{"_pragma": {"busy_timeout(10000)"}}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("registry: open sqlite checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	c := &checkpointer{db: db, hold: hold, restartAt: restartFrames, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c, nil
}

// wrote tells the checkpointer that a transaction committed.
func (c *checkpointer) wrote() {
	if c == nil {
		return
	}
	select {
	case c.kick <- struct{}{}:

	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.done)
	t := time.NewTimer(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		// A failed checkpoint leaves the log as it is, for the next one:
		// nothing is lost, the log only grows meanwhile.
		if log, err := c.checkpoint(); err == nil && log >= c.restartAt {
			// The writer has gone on meanwhile: copy the rest with it held.
			c.hold(func() { _, _ = c.checkpoint() })
		}
		t.Reset(checkpointEvery)
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
	}
}

// checkpoint runs a passive checkpoint and returns the size of the log, in
// frames.
func (c *checkpointer) checkpoint() (log int, err error) {
	var busy, copied int
	err = c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &copied)
	return log, err
}

// close stops the checkpointer; the writer's own connection, closed last,
// checkpoints what is left.
func (c *checkpointer) close() {
	if c == nil {
		return
	}
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		c.db.Close()
	})
}
