package main

// A Go pgstore as antonlindstrom/pgstore (e3a6e3f) behaves, written from
// shared/docs/go-reference.md §1: the same five queries (and the CREATE block
// in schema.go), the same lib/pq parameter types (Go strings and time.Time),
// the same Get/New/Save rules,
// pitfalls included (no expiry check on load, IsNew decides INSERT vs UPDATE,
// a missing row keeps the cookie's id).

import (
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	_ "github.com/lib/pq"
)

const (
	selectQuery = "SELECT id, key, data, created_on, modified_on, expires_on FROM http_sessions WHERE key = $1"
	insertQuery = "INSERT INTO http_sessions (key, data, created_on, modified_on, expires_on) VALUES ($1, $2, $3, $4, $5)"
	updateQuery = "UPDATE http_sessions SET data=$1, modified_on=$2, expires_on=$3 WHERE key=$4"
	deleteQuery = "DELETE FROM http_sessions WHERE key = $1"
)

var (
	dbsMu sync.Mutex
	dbs   = map[string]*sql.DB{}
)

// openDB keeps one pool per connection string for the life of the process.
// The tests pass search_path in the URL (lib/pq sends unknown URL parameters
// as run-time parameters), so the unqualified table lands in their schema.
func openDB(dsn string) (*sql.DB, error) {
	dbsMu.Lock()
	defer dbsMu.Unlock()
	if db, ok := dbs[dsn]; ok {
		return db, nil
	}
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	dbs[dsn] = db
	return db, nil
}

type pgStore struct {
	codecs  []securecookie.Codec
	options *sessions.Options
	db      *sql.DB
}

func newStore(db *sql.DB, cs []securecookie.Codec) *pgStore {
	// pgstore's defaults; it does not sync the codecs' maxAge until New.
	return &pgStore{codecs: cs, options: &sessions.Options{Path: "/", MaxAge: 86400 * 30}, db: db}
}

func (s *pgStore) maxAge(age int) {
	s.options.MaxAge = age
	for _, c := range s.codecs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			sc.MaxAge(age)
		}
	}
}

func (s *pgStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

func (s *pgStore) New(r *http.Request, name string) (*sessions.Session, error) {
	session := sessions.NewSession(s, name)
	opts := *s.options
	session.Options = &opts
	session.IsNew = true
	var err error
	if c, errCookie := r.Cookie(name); errCookie == nil {
		err = securecookie.DecodeMulti(name, c.Value, &session.ID, s.codecs...)
		if err == nil {
			err = s.load(session)
			if err == nil {
				session.IsNew = false
			} else if errors.Is(err, sql.ErrNoRows) {
				err = nil
			}
		}
	}
	s.maxAge(s.options.MaxAge)
	return session, err
}

func (s *pgStore) Save(r *http.Request, w http.ResponseWriter, session *sessions.Session) error {
	if session.Options.MaxAge < 0 {
		if _, err := s.db.Exec(deleteQuery, session.ID); err != nil {
			return err
		}
		http.SetCookie(w, sessions.NewCookie(session.Name(), "", session.Options))
		return nil
	}
	if session.ID == "" {
		session.ID = strings.TrimRight(base32.StdEncoding.EncodeToString(securecookie.GenerateRandomKey(32)), "=")
	}
	if err := s.save(session); err != nil {
		return err
	}
	encoded, err := securecookie.EncodeMulti(session.Name(), session.ID, s.codecs...)
	if err != nil {
		return err
	}
	http.SetCookie(w, sessions.NewCookie(session.Name(), encoded, session.Options))
	return nil
}

func (s *pgStore) load(session *sessions.Session) error {
	var id int64
	var key, data string
	var created, modified, expires time.Time
	err := s.db.QueryRow(selectQuery, session.ID).Scan(&id, &key, &data, &created, &modified, &expires)
	if err != nil {
		return fmt.Errorf("Unable to find session in the database, err: %w", err)
	}
	return securecookie.DecodeMulti(session.Name(), data, &session.Values, s.codecs...)
}

func (s *pgStore) save(session *sessions.Session) error {
	encoded, err := securecookie.EncodeMulti(session.Name(), session.Values, s.codecs...)
	if err != nil {
		return err
	}
	now := time.Now()
	created := now
	if t, ok := session.Values["created_on"].(time.Time); ok {
		created = t
	}
	expires := now.Add(time.Second * time.Duration(session.Options.MaxAge))
	if v := session.Values["expires_on"]; v != nil {
		if t := v.(time.Time); t.After(expires) {
			expires = t
		}
	}
	modified := time.Now()
	if session.IsNew {
		_, err = s.db.Exec(insertQuery, session.ID, encoded, created, modified, expires)
	} else {
		_, err = s.db.Exec(updateQuery, encoded, modified, expires, session.ID)
	}
	return err
}
