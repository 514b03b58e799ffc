package bench

import (
	"database/sql"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/smarketing/smarketing/funnel"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// SQLite holds a log in an in-memory modernc.org/sqlite database, one row
// an event:
//
//	events(lead TEXT, at INTEGER  -- unix seconds
//	       from_stage TEXT, to_stage TEXT, first INTEGER, stay INTEGER -- seconds
//	       month TEXT) -- '2026-03', filled only in the tuned variant
//
// as a host would keep it, and computes the workload's figures with two
// GROUP BY queries (entries by month and target stage; stays and exits by
// month and source stage); populations (running sums over months), exact
// means and flow rates are derived in Go from the few result rows.
//
// The tuned variant ([OpenSQLiteTuned]) is what a DBA would add: the month
// stored in its own column at insert time, and a covering index for each
// query, so that both GROUP BYs read an index in order instead of
// computing the month and sorting every row.
type SQLite struct {
	db    *sql.DB
	tuned bool
}

// OpenSQLite opens an empty in-memory database (one connection, so that
// every query sees the same database) with the plain table.
func OpenSQLite() (*SQLite, error) { return openSQLite(false) }

// OpenSQLiteTuned opens an empty in-memory database with the month column
// and the covering indexes.
func OpenSQLiteTuned() (*SQLite, error) { return openSQLite(true) }

func openSQLite(tuned bool) (*SQLite, error) {
	db, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	ddl := []string{
		`PRAGMA journal_mode=OFF`, `PRAGMA synchronous=OFF`, `PRAGMA temp_store=MEMORY`,
		`CREATE TABLE events (lead TEXT NOT NULL, at INTEGER NOT NULL, from_stage TEXT NOT NULL,
		 to_stage TEXT NOT NULL, first INTEGER NOT NULL, stay INTEGER NOT NULL, month TEXT NOT NULL)`,
	}
	for _, q := range ddl {
		if _, err := db.Exec(q); err != nil {
			db.Close()
			return nil, fmt.Errorf("bench: sqlite %q: %w", q, err)
		}
	}
	return &SQLite{db: db, tuned: tuned}, nil
}

// Close closes the database.
func (s *SQLite) Close() error { return s.db.Close() }

// Load inserts the log, in one transaction, 100 rows a statement, then
// builds the tuned variant's indexes. Times and stays must
// be whole seconds (as [Gen] makes them).
func (s *SQLite) Load(log []funnel.Event) error {
	const batch = 100
	row := "(?,?,?,?,?,?,?)"
	full := "INSERT INTO events VALUES " + strings.TrimSuffix(strings.Repeat(row+",", batch), ",")
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	stmt, err := tx.Prepare(full)
	if err != nil {
		return err
	}
	defer stmt.Close()
	args := make([]any, 0, 7*batch)
	for start := 0; start < len(log); start += batch {
		end := min(start+batch, len(log))
		args = args[:0]
		for i := start; i < end; i++ {
			e := &log[i]
			if e.At.Nanosecond() != 0 || e.Stay%time.Second != 0 {
				return fmt.Errorf("bench: event %d: times must be whole seconds", i)
			}
			first := 0
			if e.FirstEntry {
				first = 1
			}
			month := ""
			if s.tuned {
				month = e.At.UTC().Format("2006-01")
			}
			args = append(args, e.Lead, e.At.Unix(), string(e.From), string(e.To), first, int64(e.Stay/time.Second), month)
		}
		if end-start == batch {
			_, err = stmt.Exec(args...)
		} else {
			q := "INSERT INTO events VALUES " + strings.TrimSuffix(strings.Repeat(row+",", end-start), ",")
			_, err = tx.Exec(q, args...)
		}
		if err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if s.tuned {
		for _, q := range []string{
			`CREATE INDEX IF NOT EXISTS events_to ON events (month, to_stage, first)`,
			`CREATE INDEX IF NOT EXISTS events_from ON events (month, from_stage, stay) WHERE from_stage <> ''`,
			`ANALYZE`,
		} {
			if _, err := s.db.Exec(q); err != nil {
				return fmt.Errorf("bench: sqlite %q: %w", q, err)
			}
		}
	}
	return nil
}

const (
	sqlEntries = `SELECT strftime('%Y-%m', at, 'unixepoch') AS m, to_stage, COUNT(*), SUM(first)
FROM events GROUP BY m, to_stage ORDER BY m`
	sqlStays = `SELECT strftime('%Y-%m', at, 'unixepoch') AS m, from_stage, COUNT(*), SUM(stay), MIN(stay), MAX(stay)
FROM events WHERE from_stage <> '' GROUP BY m, from_stage ORDER BY m`
	sqlEntriesTuned = `SELECT month, to_stage, COUNT(*), SUM(first) FROM events GROUP BY month, to_stage`
	sqlStaysTuned   = `SELECT month, from_stage, COUNT(*), SUM(stay), MIN(stay), MAX(stay)
FROM events WHERE from_stage <> '' GROUP BY month, from_stage`
)

// Figures runs the queries and derives the figures.
func (s *SQLite) Figures() (Figures, error) {
	months := map[string]int{}
	var labels []string
	var rows [][]raw
	month := func(label string) ([]raw, error) {
		k, ok := months[label]
		if !ok {
			var y, mo int
			if _, err := fmt.Sscanf(label, "%d-%d", &y, &mo); err != nil {
				return nil, fmt.Errorf("bench: sqlite month %q: %w", label, err)
			}
			k = len(labels)
			months[label] = k
			labels = append(labels, label)
			rows = append(rows, make([]raw, len(Stages)))
		}
		return rows[k], nil
	}
	qe, qs := sqlEntries, sqlStays
	if s.tuned {
		qe, qs = sqlEntriesTuned, sqlStaysTuned
	}
	err := s.query(qe, func(r *sql.Rows) error {
		var m, to string
		var n, first int64
		if err := r.Scan(&m, &to, &n, &first); err != nil {
			return err
		}
		row, err := month(m)
		if err != nil {
			return err
		}
		i := stageIndex(funnel.Stage(to))
		if i < 0 {
			return fmt.Errorf("bench: sqlite: unknown stage %q", to)
		}
		row[i].all, row[i].first = n, first
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.query(qs, func(r *sql.Rows) error {
		var m, from string
		var n, sum, lo, hi int64
		if err := r.Scan(&m, &from, &n, &sum, &lo, &hi); err != nil {
			return err
		}
		row, err := month(m)
		if err != nil {
			return err
		}
		i := stageIndex(funnel.Stage(from))
		if i < 0 {
			return fmt.Errorf("bench: sqlite: unknown stage %q", from)
		}
		if sum < 0 || lo < 0 {
			return fmt.Errorf("bench: sqlite: negative stay")
		}
		c := &row[i]
		c.exits, c.stays = n, n
		c.min, c.max = lo*int64(time.Second), hi*int64(time.Second)
		c.sumHi, c.sumLo = bits.Mul64(uint64(sum), uint64(time.Second)) // exact ns
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Months in order: labels are YYYY-MM, so their order is the months'.
	order := sortedKeys(months)
	idx := make([]int, len(order))
	sorted := make([][]raw, len(order))
	for k, label := range order {
		var y, mo int
		fmt.Sscanf(label, "%d-%d", &y, &mo) //nolint:errcheck // checked in month
		idx[k], sorted[k] = y*12+mo-1, rows[months[label]]
	}
	return figuresOf(idx, sorted), nil
}

func (s *SQLite) query(q string, scan func(*sql.Rows) error) error {
	rows, err := s.db.Query(q)
	if err != nil {
		return fmt.Errorf("bench: sqlite: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
