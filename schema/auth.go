package schema

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// Token is a named bearer token that may write. Only the SHA-256 digest of
// its secret is kept, so that tokens can be configured hashed and a
// comparison takes the same time whatever the secret.
type Token struct {
	// Name is who writes with the token: revisions record it as their
	// author. It is not secret.
	Name string
	// SHA256 is the digest of the token's secret.
	SHA256 [sha256.Size]byte
}

// NewToken returns the token with the name and secret.
func NewToken(name, secret string) Token {
	return Token{Name: name, SHA256: sha256.Sum256([]byte(secret))}
}

// authFailure is why a write was refused.
type authFailure struct {
	status  int
	message string
	// challenge asks the client for a bearer token (401).
	challenge bool
}

// authorize decides whether the request may write: the server must not be
// read-only and the request must carry Authorization: Bearer <token> with a
// configured token. It returns the token's name. The token is compared by
// digest, in constant time, against every configured token; neither the
// header nor the token is ever logged or echoed.
func (h *handler) authorize(r *http.Request) (string, *authFailure) {
	if h.cfg.ReadOnly {
		return "", &authFailure{status: http.StatusForbidden,
			message: "this server is read-only (--read-only): mutations are refused"}
	}
	header := r.Header.Get("Authorization")
	if header == "" {
		return "", &authFailure{status: http.StatusUnauthorized, challenge: true,
			message: "mutations need a token: send the header Authorization: Bearer <token>"}
	}
	scheme, secret, _ := strings.Cut(header, " ")
	secret = strings.TrimSpace(secret)
	if !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return "", &authFailure{status: http.StatusUnauthorized, challenge: true,
			message: "the Authorization header must be Bearer <token>"}
	}
	sum := sha256.Sum256([]byte(secret))
	name := ""
	for _, t := range h.cfg.Tokens {
		if subtle.ConstantTimeCompare(sum[:], t.SHA256[:]) == 1 && name == "" {
			name = t.Name
		}
	}
	if name == "" {
		return "", &authFailure{status: http.StatusUnauthorized, challenge: true,
			message: "the bearer token is not valid"}
	}
	return name, nil
}
