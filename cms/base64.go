package cms

import (
	"encoding/base64"
	"strings"
)

// EncodeBase64 is the gateway's wire form of a CMS message (gateway.md
// §B.2): standard base64 with padding and no line breaks.
func EncodeBase64(der []byte) string { return base64.StdEncoding.EncodeToString(der) }

// DecodeBase64 reads the wire form as the gateway does (Java's basic
// decoder): standard alphabet and padding, and no line breaks or other
// whitespace, which encoding/base64 would otherwise skip.
func DecodeBase64(s string) ([]byte, error) {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return nil, errorf(ReasonMalformed, "base64: a line break at character %d", i)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, wrapf(ReasonMalformed, err, "base64")
	}
	return b, nil
}

// ParseBase64 is DecodeBase64 then Parse.
func ParseBase64(s string) (*SignedData, error) {
	b, err := DecodeBase64(s)
	if err != nil {
		return nil, err
	}
	return Parse(b)
}
