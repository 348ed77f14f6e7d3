package cli

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// outputFormat is the value of a --format flag: text for people, json for
// programs.
type outputFormat string

const (
	// formatText is plain text, the default.
	formatText outputFormat = "text"
	// formatJSON is indented JSON followed by a newline.
	formatJSON outputFormat = "json"
)

// String returns the format name (pflag.Value).
func (f *outputFormat) String() string { return string(*f) }

// Set validates and stores a format name (pflag.Value); any other value is a
// usage error.
func (f *outputFormat) Set(s string) error {
	switch outputFormat(s) {
	case formatText, formatJSON:
		*f = outputFormat(s)
		return nil
	}
	return fmt.Errorf("must be %q or %q", formatText, formatJSON)
}

// Type names the flag's value in help (pflag.Value).
func (f *outputFormat) Type() string { return "text|json" }

// addFormatFlag adds `--format text|json` (default text, also DMSC_FORMAT
// and the config key format) to cmd, stored in *dst.
func addFormatFlag(cmd *cobra.Command, dst *outputFormat) {
	*dst = formatText
	cmd.Flags().Var(dst, "format", "output format: text or json")
}

// writeJSON writes v to w as two-space indented JSON with a final newline,
// without escaping <, > and &.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
