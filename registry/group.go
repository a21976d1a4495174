package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// maxGroup bounds the writes one group transaction carries.
const maxGroup = 256

// commitWindow is the least time between the beginnings of two group
// transactions while writes keep coming: at a few thousand issuances a
// second a commit then carries several certificates, whose pages (the
// random-key indexes' above all) are written to the log once. It adds at
// most that much to a write's latency, and nothing to one after a quiet
// spell.
const commitWindow = time.Millisecond

// committer runs concurrent writes in shared transactions, from one
// goroutine: it takes every write queued while the previous transaction ran.
// Each write runs in its own savepoint; the group commits once. A lone write
// waits for nothing, and under load the cost of a commit (a WAL write on
// SQLite, an fsync on PostgreSQL) is shared by many certificates.
type committer struct {
	db    *sql.DB
	txMu  sync.Mutex // held while a transaction runs, and by hold
	mu    sync.Mutex
	queue []*groupWrite
	stop  bool
	wake  chan struct{}
	done  chan struct{}
	// window spaces transactions under load: one that would begin less
	// than window after the previous one began waits for the rest of it,
	// gathering the writes that arrive meanwhile. A write after a quiet
	// spell waits for nothing.
	window time.Duration
	began  time.Time
	// committed is called after every commit.
	committed func()
}

type groupWrite struct {
	ctx  context.Context
	fn   func(context.Context, *sql.Tx) error
	err  error
	done chan struct{}
}

// errClosed is a write after Close.
var errClosed = errors.New("registry: store closed")

func newCommitter(db *sql.DB, window time.Duration, committed func()) *committer {
	c := &committer{db: db, wake: make(chan struct{}, 1), done: make(chan struct{}), window: window, committed: committed}
	go c.loop()
	return c
}

func (c *committer) do(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	w := &groupWrite{ctx: ctx, fn: fn, done: make(chan struct{})}
	c.mu.Lock()
	if c.stop {
		c.mu.Unlock()
		return errClosed
	}
	c.queue = append(c.queue, w)
	// Under the lock, so that close cannot close wake in between.
	select {
	case c.wake <- struct{}{}:
	default:
	}
	c.mu.Unlock()
	<-w.done
	return w.err
}

func (c *committer) loop() {
	defer close(c.done)
	for range c.wake {
		for {
			c.gather()
			c.mu.Lock()
			n := min(len(c.queue), maxGroup)
			group := c.queue[:n:n]
			c.queue = c.queue[n:]
			stop := c.stop && n == 0
			c.mu.Unlock()
			if stop {
				return
			}
			if n == 0 {
				break
			}
			c.txMu.Lock()
			c.run(group)
			c.txMu.Unlock()
			c.committed()
			for _, w := range group {
				close(w.done)
			}
		}
	}
}

// gather waits for the rest of the window when the previous transaction
// began less than a window ago and the group is not full yet.
func (c *committer) gather() {
	if c.window <= 0 {
		return
	}
	wait := c.window - time.Since(c.began)
	c.mu.Lock()
	full := len(c.queue) >= maxGroup || c.stop
	c.mu.Unlock()
	if wait > 0 && !full {
		time.Sleep(wait)
	}
	c.began = time.Now()
}

// hold runs fn between two transactions, the writes waiting meanwhile.
func (c *committer) hold(fn func()) {
	c.txMu.Lock()
	defer c.txMu.Unlock()
	fn()
}

// close finishes the queued writes, then stops the goroutine.
func (c *committer) close() {
	c.mu.Lock()
	already := c.stop
	c.stop = true
	c.mu.Unlock()
	if already {
		return
	}
	close(c.wake)
	<-c.done
}

func (c *committer) run(group []*groupWrite) {
	if len(group) > 1 && c.together(group) {
		return
	}
	c.apart(group)
}

// together runs the group's writes one after the other in one transaction,
// without savepoints (each costs statements, and on SQLite a copy of every
// page the write touches). It reports false, having rolled back and left
// the writes untouched, when one of them fails: apart then runs them again,
// each in its own savepoint, so that the failure stays its own.
func (c *committer) together(group []*groupWrite) bool {
	ctx := context.Background()
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return false
	}
	var skipped []*groupWrite
	for _, w := range group {
		if w.ctx.Err() != nil {
			skipped = append(skipped, w)
			continue
		}
		if err := w.fn(w.ctx, tx); err != nil {
			_ = tx.Rollback()
			return false
		}
	}
	if len(skipped) == len(group) {
		_ = tx.Rollback()
		return false
	}
	if err := tx.Commit(); err != nil {
		for _, w := range group {
			w.err = fmt.Errorf("registry: commit: %w", err)
		}
	}
	for _, w := range skipped {
		w.err = w.ctx.Err()
	}
	return true
}

// apart runs each write of the group in its own savepoint of one
// transaction, committed once.
func (c *committer) apart(group []*groupWrite) {
	// The group's transaction outlives any one caller's context; each
	// write checks its own.
	ctx := context.Background()
	fail := func(err error) {
		for _, w := range group {
			if w.err == nil {
				w.err = err
			}
		}
	}
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		fail(fmt.Errorf("registry: begin: %w", err))
		return
	}
	ok := 0
	for i, w := range group {
		if err := w.ctx.Err(); err != nil {
			w.err = err
			continue
		}
		if len(group) == 1 {
			w.err = w.fn(w.ctx, tx)
		} else {
			w.err = savepoint(ctx, tx, "w"+strconv.Itoa(i), func() error { return w.fn(w.ctx, tx) })
		}
		if w.err == nil {
			ok++
		}
	}
	if ok == 0 {
		_ = tx.Rollback()
		return
	}
	if err := tx.Commit(); err != nil {
		fail(fmt.Errorf("registry: commit: %w", err))
	}
}

// savepoint runs fn inside a savepoint and undoes just fn's writes when it
// fails.
func savepoint(ctx context.Context, tx *sql.Tx, name string, fn func() error) error {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("registry: savepoint: %w", err)
	}
	if err := fn(); err != nil {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name); rerr != nil {
			return errors.Join(err, fmt.Errorf("registry: rollback to savepoint: %w", rerr))
		}
		_, _ = tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name)
		return err
	}
	if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name); err != nil {
		return fmt.Errorf("registry: release savepoint: %w", err)
	}
	return nil
}
