// Package envexpand expands environment variable references in config file
// values: ${NAME} and $NAME are replaced by the variable's value and $$ by a
// single dollar sign. Every other dollar sign is an error, and so is a
// variable that is not set, so that a value never silently loses text (a
// password "pa$word" must be written "pa$$word").
package envexpand

import (
	"errors"
	"fmt"
	"strings"
)

const (
	// dollar starts a reference or, doubled, stands for itself.
	dollar = '$'
	// openBrace and closeBrace delimit the name of a ${NAME} reference.
	openBrace, closeBrace = '{', '}'
)

// Lookup returns the value of an environment variable and whether it is set;
// os.LookupEnv is one.
type Lookup func(name string) (string, bool)

// Expand returns s with every ${NAME} and $NAME replaced through lookup and
// every $$ replaced by $. A NAME is a letter or underscore followed by
// letters, digits and underscores; $NAME takes the longest such name. A
// variable set to the empty string expands to "". The error names the
// offending reference: "${NAME} is not set", or what is wrong with a dollar
// sign that starts no reference.
func Expand(s string, lookup Lookup) (string, error) {
	if !strings.ContainsRune(s, dollar) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != dollar {
			b.WriteByte(s[i])
			i++
			continue
		}
		ref, name, err := reference(s[i:])
		if err != nil {
			return "", fmt.Errorf("the $ at byte %d %w; write $$ for a dollar sign", i+1, err)
		}
		i += len(ref)
		if name == "" { // $$
			b.WriteByte(dollar)
			continue
		}
		v, ok := lookup(name)
		if !ok {
			return "", fmt.Errorf("%s is not set", ref)
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// reference parses the reference at the start of s, which starts with a
// dollar sign: it returns the reference's text and the variable's name, or
// name "" for $$. Errors do not quote s, which may be part of a password.
func reference(s string) (ref, name string, err error) {
	if len(s) < 2 {
		return "", "", errors.New("ends the value")
	}
	switch c := s[1]; {
	case c == dollar:
		return s[:2], "", nil
	case c == openBrace:
		end := strings.IndexByte(s, closeBrace)
		if end < 0 {
			return "", "", errors.New("opens a ${ with no closing }")
		}
		name = s[2:end]
		if !validName(name) {
			return "", "", errors.New("opens a ${...} that holds no variable name (letters, digits and _, not starting with a digit)")
		}
		return s[:end+1], name, nil
	case nameStart(c):
		n := 2
		for n < len(s) && nameByte(s[n]) {
			n++
		}
		return s[:n], s[1:n], nil
	default:
		return "", "", errors.New("starts no ${NAME} or $NAME")
	}
}

// validName reports whether name is a variable name.
func validName(name string) bool {
	if name == "" || !nameStart(name[0]) {
		return false
	}
	for i := 1; i < len(name); i++ {
		if !nameByte(name[i]) {
			return false
		}
	}
	return true
}

// nameStart reports whether c may start a variable name.
func nameStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// nameByte reports whether c may continue a variable name.
func nameByte(c byte) bool {
	return nameStart(c) || '0' <= c && c <= '9'
}
