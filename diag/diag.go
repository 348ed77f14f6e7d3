// Package diag holds the diagnostics that every dmsc stage reports: a
// located, coded message in the form `file:jsonpath: code: message`.
//
// Stages collect diagnostics into a List and fail only after the whole input
// has been examined, so a user sees every problem at once.
package diag

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Severity tells whether a diagnostic blocks compilation.
type Severity int

const (
	// Error diagnostics make the input invalid.
	Error Severity = iota
	// Warning diagnostics report a fallback or a questionable input that is
	// still compiled.
	Warning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one located finding.
type Diagnostic struct {
	// File is the input file the finding is about (as given by the user), or
	// empty when the finding concerns the whole input set.
	File string `json:"file,omitempty"`
	// Path is a JSONPath into File (for example
	// `$.projectSchema.resourceSchemas.schools`), or empty.
	Path string `json:"path,omitempty"`
	// Code is a stable, kebab-case identifier of the kind of finding.
	Code string `json:"code"`
	// Message says what is wrong and, where possible, what to do.
	Message string `json:"message"`
	// Severity is Error or Warning.
	Severity Severity `json:"-"`
}

// String renders the diagnostic as `file:path: code: message`; warnings read
// `file:path: warning: code: message`.
func (d Diagnostic) String() string {
	var b strings.Builder
	loc := d.File
	if d.Path != "" {
		if loc != "" {
			loc += ":"
		}
		loc += d.Path
	}
	if loc != "" {
		b.WriteString(loc)
		b.WriteString(": ")
	}
	if d.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Code)
	b.WriteString(": ")
	b.WriteString(d.Message)
	return b.String()
}

// List collects diagnostics in the order they were found.
type List struct {
	items []Diagnostic
}

// Add appends a diagnostic.
func (l *List) Add(d Diagnostic) { l.items = append(l.items, d) }

// Errorf appends an error diagnostic.
func (l *List) Errorf(file, path, code, format string, args ...any) {
	l.items = append(l.items, Diagnostic{File: file, Path: path, Code: code, Message: fmt.Sprintf(format, args...), Severity: Error})
}

// Warnf appends a warning diagnostic.
func (l *List) Warnf(file, path, code, format string, args ...any) {
	l.items = append(l.items, Diagnostic{File: file, Path: path, Code: code, Message: fmt.Sprintf(format, args...), Severity: Warning})
}

// Merge appends every diagnostic of other.
func (l *List) Merge(other *List) {
	if other != nil {
		l.items = append(l.items, other.items...)
	}
}

// Items returns the diagnostics in a stable order: by file, path, code and
// message, errors and warnings interleaved by location.
func (l *List) Items() []Diagnostic {
	out := append([]Diagnostic(nil), l.items...)
	sort.SliceStable(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

// Len is the number of diagnostics.
func (l *List) Len() int { return len(l.items) }

// HasErrors reports whether any diagnostic is an error.
func (l *List) HasErrors() bool {
	for _, d := range l.items {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns the error diagnostics in stable order.
func (l *List) Errors() []Diagnostic { return l.filter(Error) }

// Warnings returns the warning diagnostics in stable order.
func (l *List) Warnings() []Diagnostic { return l.filter(Warning) }

func (l *List) filter(s Severity) []Diagnostic {
	var out []Diagnostic
	for _, d := range l.Items() {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// Err returns nil when the list holds no errors, else an *Errors carrying
// every error diagnostic.
func (l *List) Err() error {
	if !l.HasErrors() {
		return nil
	}
	return &Errors{Items: l.Errors()}
}

func less(a, b Diagnostic) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Path != b.Path {
		return a.Path < b.Path
	}
	if a.Code != b.Code {
		return a.Code < b.Code
	}
	return a.Message < b.Message
}

// Errors is the error value of a failed stage: every error diagnostic found.
type Errors struct {
	Items []Diagnostic
}

// Error renders one diagnostic per line.
func (e *Errors) Error() string {
	lines := make([]string, len(e.Items))
	for i, d := range e.Items {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// AsErrors extracts the diagnostics of err when it is (or wraps) an *Errors.
func AsErrors(err error) ([]Diagnostic, bool) {
	var e *Errors
	if errors.As(err, &e) {
		return e.Items, true
	}
	return nil, false
}
