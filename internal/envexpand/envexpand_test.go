package envexpand

import (
	"testing"

	_ "github.com/edfi-dmsc/dmsc/golden"
)

func TestExpand(t *testing.T) {
	env := map[string]string{"HOME": "/home/u", "EMPTY": "", "PW": "p$ss", "A_1": "x"}
	lookup := func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
	cases := []struct {
		in, want, err string
	}{
		{in: "plain", want: "plain"},
		{in: "", want: ""},
		{in: "${HOME}/schemas", want: "/home/u/schemas"},
		{in: "$HOME/schemas", want: "/home/u/schemas"},
		{in: "$A_1.json", want: "x.json"},
		{in: "${A_1}2", want: "x2"},
		{in: "$A_12", err: "$A_12 is not set"},
		{in: "a${EMPTY}b", want: "ab"},
		{in: "pa$$word", want: "pa$word"},
		{in: "$$$$", want: "$$"},
		{in: "$${HOME}", want: "${HOME}"},
		{in: "u:${PW}@h", want: "u:p$ss@h"}, // values are not expanded again
		{in: "${NOPE}", err: "${NOPE} is not set"},
		{in: "x $NOPE y", err: "$NOPE is not set"},
		{in: "pa$", err: "the $ at byte 3 ends the value; write $$ for a dollar sign"},
		{in: "pa$!word", err: "the $ at byte 3 starts no ${NAME} or $NAME; write $$ for a dollar sign"},
		{in: "$1", err: "the $ at byte 1 starts no ${NAME} or $NAME; write $$ for a dollar sign"},
		{in: "a${HOME", err: "the $ at byte 2 opens a ${ with no closing }; write $$ for a dollar sign"},
		{in: "${}", err: "the $ at byte 1 opens a ${...} that holds no variable name (letters, digits and _, not starting with a digit); write $$ for a dollar sign"},
		{in: "${secret word}", err: "the $ at byte 1 opens a ${...} that holds no variable name (letters, digits and _, not starting with a digit); write $$ for a dollar sign"},
	}
	for _, c := range cases {
		got, err := Expand(c.in, lookup)
		switch {
		case c.err != "" && (err == nil || err.Error() != c.err):
			t.Errorf("Expand(%q): error %v, want %q", c.in, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("Expand(%q): %v", c.in, err)
		case c.err == "" && got != c.want:
			t.Errorf("Expand(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
