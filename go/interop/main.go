// Command interop is pgstore's Go counterpart in the cross-language tests
// (test/go/*.test.ts). It is our own small program, built offline against
// Debian's packaged gorilla/securecookie 1.1.1, gorilla/sessions 1.2.1 and
// lib/pq, the versions Go's antonlindstrom/pgstore pins.
//
// It reads one JSON request per line on stdin and writes one JSON answer per
// line on stdout, so a test starts it once and talks to it:
//
//	{"op":"encode","keys":[...],"name":"s","value":{"type":"string","value":"x"}}
//	{"op":"decode","keys":[...],"name":"s","input":"...","dst":"string"|"values"}
//	{"op":"request","dsn":"postgres://...","keys":[...],"name":"s","cookie":"s=...", ...}
//	{"op":"start","dsn":"postgres://..."}
//
// "start" is NewPGStoreFromPool: pgstore's CREATE block (schema.go), nothing else.
// "request" plays one HTTP request against a Go pgstore: Get, optional
// changes, optional Save. The store (store.go) follows pgstore's exact
// queries and gorilla/sessions' semantics, so rows and cookies are what a
// real Go service would read and write. Values travel as typed trees
// (values.go) so the Go type of every number survives the trip.
//
// Build (GOPATH mode, offline):
//
//	GO111MODULE=off GOPATH=<tmp>:/usr/share/gocode go build -o interop ./go/interop
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
)

// keyPair is one hash key and an optional block key, in hex.
type keyPair struct {
	Hash  string `json:"hash"`
	Block string `json:"block,omitempty"`
}

type request struct {
	Op     string    `json:"op"`
	Keys   []keyPair `json:"keys"`
	Name   string    `json:"name"`
	MaxAge *int      `json:"maxAge,omitempty"` // codec maxAge; nil keeps securecookie's default

	// encode
	Value *typedValue `json:"value,omitempty"`

	// decode
	Input string `json:"input,omitempty"`
	Dst   string `json:"dst,omitempty"`

	// request
	DSN           string                `json:"dsn,omitempty"`
	Cookie        string                `json:"cookie,omitempty"`
	Set           map[string]typedValue `json:"set,omitempty"`
	Delete        []string              `json:"delete,omitempty"`
	Flashes       []typedValue          `json:"flashes,omitempty"`
	TakeFlashes   bool                  `json:"takeFlashes,omitempty"`
	SessionMaxAge *int                  `json:"sessionMaxAge,omitempty"`
	Save          bool                  `json:"save,omitempty"`
	// Saves is how many times the request calls Save (default 1 when Save is set): a new session
	// saved twice makes pgstore run its INSERT twice, as IsNew stays true.
	Saves int `json:"saves,omitempty"`
	// StoreMaxAge calls the store's MaxAge (Options.MaxAge and every codec), as an application
	// configuring a short-lived store does; New copies it into the codecs on every request.
	StoreMaxAge *int `json:"storeMaxAge,omitempty"`
	// Create runs pgstore's CREATE block first, as NewPGStoreFromPool does on every construction.
	Create bool `json:"create,omitempty"`
}

type goError struct {
	Message    string   `json:"message"`
	GoType     string   `json:"go_type"`
	IsUsage    bool     `json:"is_usage"`
	IsDecode   bool     `json:"is_decode"`
	IsInternal bool     `json:"is_internal"`
	MultiItems []string `json:"multi_error_items,omitempty"`
}

type response struct {
	OK         bool        `json:"ok"`
	Error      *goError    `json:"error,omitempty"`
	Encoded    string      `json:"encoded,omitempty"`
	Value      *typedValue `json:"value,omitempty"`
	IsNew      bool        `json:"isNew"`
	ID         string      `json:"id,omitempty"`
	Flashes    *typedValue `json:"flashes,omitempty"`
	SaveError  *goError    `json:"saveError,omitempty"`
	SetCookies []string    `json:"setCookies,omitempty"`
}

func describe(err error) *goError {
	if err == nil {
		return nil
	}
	out := &goError{Message: err.Error(), GoType: fmt.Sprintf("%T", err)}
	if e, ok := err.(securecookie.Error); ok {
		out.IsUsage, out.IsDecode, out.IsInternal = e.IsUsage(), e.IsDecode(), e.IsInternal()
	}
	if m, ok := err.(securecookie.MultiError); ok {
		for _, e := range m {
			out.MultiItems = append(out.MultiItems, e.Error())
		}
	}
	return out
}

// codecs builds securecookie codecs from hex pairs, as pgstore's
// CodecsFromPairs does from its key arguments.
func codecs(keys []keyPair, maxAge *int) ([]securecookie.Codec, error) {
	var pairs [][]byte
	for _, k := range keys {
		hash, err := hex.DecodeString(k.Hash)
		if err != nil {
			return nil, err
		}
		var block []byte
		if k.Block != "" {
			if block, err = hex.DecodeString(k.Block); err != nil {
				return nil, err
			}
		}
		pairs = append(pairs, hash, block)
	}
	cs := securecookie.CodecsFromPairs(pairs...)
	if maxAge != nil {
		for _, c := range cs {
			c.(*securecookie.SecureCookie).MaxAge(*maxAge)
		}
	}
	return cs, nil
}

func handle(req request) (response, error) {
	cs, err := codecs(req.Keys, req.MaxAge)
	if err != nil {
		return response{}, err
	}
	switch req.Op {
	case "encode":
		if req.Value == nil {
			return response{}, fmt.Errorf("encode needs a value")
		}
		v, err := fromTyped(*req.Value)
		if err != nil {
			return response{}, err
		}
		encoded, err := securecookie.EncodeMulti(req.Name, v, cs...)
		return response{OK: err == nil, Error: describe(err), Encoded: encoded}, nil
	case "decode":
		var out typedValue
		switch req.Dst {
		case "string":
			var s string
			err = securecookie.DecodeMulti(req.Name, req.Input, &s, cs...)
			out = toTyped(s)
		case "values":
			values := map[interface{}]interface{}{}
			err = securecookie.DecodeMulti(req.Name, req.Input, &values, cs...)
			out = toTyped(values)
		default:
			return response{}, fmt.Errorf("dst must be string or values")
		}
		if err != nil {
			return response{Error: describe(err)}, nil
		}
		return response{OK: true, Value: &out}, nil
	case "request":
		return playRequest(req, cs)
	case "start":
		db, err := openDB(req.DSN)
		if err != nil {
			return response{}, err
		}
		err = createSessionsTable(db)
		return response{OK: err == nil, Error: describe(err)}, nil
	}
	return response{}, fmt.Errorf("unknown op %q", req.Op)
}

// playRequest is one HTTP request handled by a Go pgstore: Get the session,
// apply the requested changes, Save it.
func playRequest(req request, cs []securecookie.Codec) (response, error) {
	db, err := openDB(req.DSN)
	if err != nil {
		return response{}, err
	}
	if req.Create {
		if err := createSessionsTable(db); err != nil {
			return response{Error: describe(err)}, nil
		}
	}
	store := newStore(db, cs)
	if req.StoreMaxAge != nil {
		store.maxAge(*req.StoreMaxAge)
	}
	r := httptest.NewRequest(http.MethodGet, "http://localhost/", nil)
	if req.Cookie != "" {
		r.Header.Set("Cookie", req.Cookie)
	}
	session, getErr := store.Get(r, req.Name)
	if session == nil {
		return response{Error: describe(getErr)}, nil
	}
	out := response{OK: getErr == nil, Error: describe(getErr), IsNew: session.IsNew, ID: session.ID}
	loaded := toTyped(session.Values)
	out.Value = &loaded
	if req.TakeFlashes {
		fl := toTyped(session.Flashes())
		out.Flashes = &fl
	}
	for k, tv := range req.Set {
		v, err := fromTyped(tv)
		if err != nil {
			return response{}, err
		}
		session.Values[k] = v
	}
	for _, k := range req.Delete {
		delete(session.Values, k)
	}
	for _, tv := range req.Flashes {
		v, err := fromTyped(tv)
		if err != nil {
			return response{}, err
		}
		session.AddFlash(v)
	}
	if req.SessionMaxAge != nil {
		session.Options.MaxAge = *req.SessionMaxAge
	}
	if req.Save {
		w := httptest.NewRecorder()
		saves := req.Saves
		if saves < 1 {
			saves = 1
		}
		for i := 0; i < saves && out.SaveError == nil; i++ {
			out.SaveError = describe(sessions.Save(r, w))
		}
		out.SetCookies = w.Header()["Set-Cookie"]
		out.ID = session.ID
	}
	return out, nil
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := json.NewEncoder(os.Stdout)
	out.SetEscapeHTML(false)
	for in.Scan() {
		var req request
		var res response
		err := json.Unmarshal(in.Bytes(), &req)
		if err == nil {
			res, err = handle(req)
		}
		if err != nil {
			// A broken request is a bug in the test, not a Go behaviour to compare.
			res = response{Error: &goError{Message: err.Error(), GoType: "interop.BadRequest"}}
		}
		if err := out.Encode(res); err != nil {
			fmt.Fprintln(os.Stderr, "interop:", err)
			os.Exit(1)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "interop:", err)
		os.Exit(1)
	}
}
