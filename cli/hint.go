package cli

import (
	"strings"

	"github.com/edfi-dmsc/dmsc/fingerprint"
)

// dsnEnvRef is how hints spell the DSN: the environment variable dmsc
// reads, never the DSN itself (it may hold a password).
const dsnEnvRef = `"$` + envPrefix + `_DSN"`

// commandLine builds a dmsc command line for a hint: one a user can paste
// into a POSIX shell (every word quoted where needed) and that repeats the
// inputs of the command that printed it.
type commandLine struct{ words []string }

// newCommandLine starts `dmsc <path…>`.
func newCommandLine(path ...string) *commandLine {
	return &commandLine{words: append([]string{"dmsc"}, path...)}
}

// flag adds `--name value` for each value (nothing without values),
// quoting each value.
func (c *commandLine) flag(name string, values ...string) *commandLine {
	for _, v := range values {
		c.words = append(c.words, "--"+name, shellQuote(v))
	}
	return c
}

// set adds the boolean flag `--name`.
func (c *commandLine) set(name string) *commandLine {
	c.words = append(c.words, "--"+name)
	return c
}

// schema adds the schema set's -s files and a non-default
// --mapping-version; without -s, a placeholder the user must replace.
func (c *commandLine) schema(f *schemaFlags) *commandLine {
	if len(f.schemas) == 0 {
		c.words = append(c.words, "-s", "CORE-ApiSchema.json")
	}
	for _, s := range f.schemas {
		c.words = append(c.words, "-s", shellQuote(s))
	}
	if f.mappingVersion != "" && f.mappingVersion != fingerprint.MappingVersion {
		c.flag("mapping-version", f.mappingVersion)
	}
	return c
}

// dsn adds `--dsn "$DMSC_DSN"`.
func (c *commandLine) dsn() *commandLine {
	c.words = append(c.words, "--dsn", dsnEnvRef)
	return c
}

// String joins the words.
func (c *commandLine) String() string { return strings.Join(c.words, " ") }

// shellQuote returns s as one POSIX shell word: unchanged when it holds
// only characters no shell treats specially, else in single quotes.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_./:=@%+,-", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
