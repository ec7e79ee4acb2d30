// Go's gorilla/securecookie on the cases of bench/codec.ts: the same key sizes (64-byte HMAC
// key, 32-byte AES-256 key), the same serializer (JSON), the same values (a 52-character base32
// session id, and 2,048 characters), maxLength 8192. Run by bench/go-bench.ts in GOPATH mode
// against Debian's golang-github-gorilla-securecookie-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go test -run '^$' -bench . -cpu 1
package gobench

import (
	"crypto/rand"
	"testing"

	"github.com/gorilla/securecookie"
)

const base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func randomText(n int, alphabet string) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

var (
	sid52 = randomText(52, base32)
	twoKB = randomText(2048, base32+"abcdefghijklmnopqrstuvwxyz0189+/")
)

func newCodec(encrypt bool) *securecookie.SecureCookie {
	var blockKey []byte
	if encrypt {
		blockKey = securecookie.GenerateRandomKey(32)
	}
	codec := securecookie.New(securecookie.GenerateRandomKey(64), blockKey)
	codec.SetSerializer(securecookie.JSONEncoder{})
	codec.MaxLength(8192)
	return codec
}

func benchEncode(b *testing.B, encrypt bool, value string) {
	codec := newCodec(encrypt)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := codec.Encode("session", value); err != nil {
			b.Fatal(err)
		}
	}
}

func benchDecode(b *testing.B, encrypt bool, value string) {
	codec := newCodec(encrypt)
	cookie, err := codec.Encode("session", value)
	if err != nil {
		b.Fatal(err)
	}
	var out string
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := codec.Decode("session", cookie, &out); err != nil {
			b.Fatal(err)
		}
	}
	if out != value {
		b.Fatal("round trip failed")
	}
}

func BenchmarkEncodeHashOnlySid52(b *testing.B) { benchEncode(b, false, sid52) }
func BenchmarkDecodeHashOnlySid52(b *testing.B) { benchDecode(b, false, sid52) }
func BenchmarkEncodeHashOnly2KB(b *testing.B)   { benchEncode(b, false, twoKB) }
func BenchmarkDecodeHashOnly2KB(b *testing.B)   { benchDecode(b, false, twoKB) }
func BenchmarkEncodeAES256Sid52(b *testing.B)   { benchEncode(b, true, sid52) }
func BenchmarkDecodeAES256Sid52(b *testing.B)   { benchDecode(b, true, sid52) }
func BenchmarkEncodeAES2562KB(b *testing.B)     { benchEncode(b, true, twoKB) }
func BenchmarkDecodeAES2562KB(b *testing.B)     { benchDecode(b, true, twoKB) }
