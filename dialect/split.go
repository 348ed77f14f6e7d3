package dialect

import "strings"

// SplitRules describe the lexical rules a statement splitter needs.
type SplitRules struct {
	// DollarQuotes enables PostgreSQL dollar quoting ($$ … $$, $tag$ … $tag$).
	DollarQuotes bool
	// Brackets enables SQL Server bracket identifiers ([a]]b]).
	Brackets bool
	// BlockKeywords nests statements inside T-SQL BEGIN … END and
	// CASE … END, so semicolons inside a block do not end the statement.
	BlockKeywords bool
	// BatchSeparator is a line (alone, any case, surrounding blanks
	// allowed) that ends the current statement and is dropped; "" = none.
	BatchSeparator string
}

// SplitStatements splits script into its top-level statements: text up to a
// semicolon outside quotes, comments, parentheses and blocks, or up to a
// batch separator line or the end. Each statement is returned without the
// comments and blank lines before it and without surrounding whitespace;
// statements consisting only of comments are dropped.
func SplitStatements(script string, r SplitRules) []string {
	s := splitter{src: script, rules: r, start: -1}
	s.run()
	return s.out
}

// SplitBatches splits script on separator lines (a line consisting of sep,
// any case, surrounding blanks allowed) and returns the non-blank batches.
// It does not look inside strings or comments: a separator line inside a
// multi-line literal splits it, as sqlcmd does.
func SplitBatches(script, sep string) []string {
	var out []string
	var cur strings.Builder
	for len(script) > 0 {
		line := script
		if i := strings.IndexByte(script, '\n'); i >= 0 {
			line, script = script[:i+1], script[i+1:]
		} else {
			script = ""
		}
		if strings.EqualFold(strings.TrimSpace(line), sep) {
			if strings.TrimSpace(cur.String()) != "" {
				out = append(out, cur.String())
			}
			cur.Reset()
			continue
		}
		cur.WriteString(line)
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, cur.String())
	}
	return out
}

// splitter is the state of one SplitStatements run.
type splitter struct {
	src   string
	rules SplitRules
	out   []string
	// start is the offset of the current statement's first significant
	// character, or -1 before it.
	start int
	// parens and blocks count open parentheses and BEGIN/CASE blocks.
	parens, blocks int
}

func (s *splitter) run() {
	src := s.src
	lineStart := true
	for i := 0; i < len(src); {
		c := src[i]
		if lineStart && s.rules.BatchSeparator != "" {
			if n, ok := s.separatorLine(i); ok {
				s.flush(i)
				i = n
				continue
			}
		}
		lineStart = false
		switch {
		case c == '\n':
			lineStart = true
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && i+1 < len(src) && src[i+1] == '-':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			i = skipBlockComment(src, i)
		case c == '\'':
			s.mark(i)
			i = skipQuoted(src, i, '\'')
		case c == '"':
			s.mark(i)
			i = skipQuoted(src, i, '"')
		case c == '[' && s.rules.Brackets:
			s.mark(i)
			i = skipQuoted(src, i, ']')
		case c == '$' && s.rules.DollarQuotes && (i == 0 || !isWordByte(src[i-1])):
			s.mark(i)
			i = skipDollar(src, i)
		case c == '(':
			s.mark(i)
			s.parens++
			i++
		case c == ')':
			s.mark(i)
			if s.parens > 0 {
				s.parens--
			}
			i++
		case c == ';':
			s.mark(i)
			i++
			if s.parens == 0 && s.blocks == 0 {
				s.flush(i)
			}
		case isWordByte(c):
			s.mark(i)
			j := i
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			if s.rules.BlockKeywords {
				s.keyword(src[i:j], j)
			}
			i = j
		default:
			s.mark(i)
			i++
		}
	}
	s.flush(len(src))
}

// mark records the first significant character of a statement.
func (s *splitter) mark(i int) {
	if s.start < 0 {
		s.start = i
	}
}

// flush ends the current statement before offset end.
func (s *splitter) flush(end int) {
	if s.start >= 0 {
		if st := strings.TrimSpace(s.src[s.start:end]); st != "" {
			s.out = append(s.out, st)
		}
	}
	s.start, s.parens, s.blocks = -1, 0, 0
}

// separatorLine reports whether the line at i is a batch separator and
// returns the offset after it.
func (s *splitter) separatorLine(i int) (int, bool) {
	end := strings.IndexByte(s.src[i:], '\n')
	next := len(s.src)
	if end >= 0 {
		end += i
		next = end + 1
	} else {
		end = len(s.src)
	}
	if strings.EqualFold(strings.TrimSpace(s.src[i:end]), s.rules.BatchSeparator) {
		return next, true
	}
	return i, false
}

// keyword tracks T-SQL block nesting for the word w ending at offset end.
func (s *splitter) keyword(w string, end int) {
	switch {
	case strings.EqualFold(w, "CASE"):
		s.blocks++
	case strings.EqualFold(w, "END"):
		if s.blocks > 0 {
			s.blocks--
		}
	case strings.EqualFold(w, "BEGIN"):
		next := nextWord(s.src, end)
		for _, tx := range []string{"TRAN", "TRANSACTION", "DISTRIBUTED", "DIALOG", "CONVERSATION"} {
			if strings.EqualFold(next, tx) {
				return
			}
		}
		s.blocks++
	}
}

// nextWord returns the word after offset i, skipping blanks.
func nextWord(src string, i int) string {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\r' || src[i] == '\n') {
		i++
	}
	j := i
	for j < len(src) && isWordByte(src[j]) {
		j++
	}
	return src[i:j]
}

// isWordByte reports whether c may appear in an unquoted word.
func isWordByte(c byte) bool {
	return c == '_' || c == '@' || c == '#' || c == '$' || c >= 0x80 ||
		(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// skipQuoted returns the offset after the quoted text starting at i, where
// a doubled closing character is an escaped one.
func skipQuoted(src string, i int, closing byte) int {
	for j := i + 1; j < len(src); j++ {
		if src[j] != closing {
			continue
		}
		if j+1 < len(src) && src[j+1] == closing {
			j++
			continue
		}
		return j + 1
	}
	return len(src)
}

// skipBlockComment returns the offset after the (nestable) block comment
// starting at i.
func skipBlockComment(src string, i int) int {
	depth := 0
	for j := i; j+1 < len(src); j++ {
		switch {
		case src[j] == '/' && src[j+1] == '*':
			depth++
			j++
		case src[j] == '*' && src[j+1] == '/':
			depth--
			j++
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(src)
}

// skipDollar returns the offset after the dollar-quoted string starting at
// i, or i+1 when the dollar sign does not open one (e.g. $1).
func skipDollar(src string, i int) int {
	j := i + 1
	for j < len(src) && src[j] != '$' {
		c := src[j]
		if !(c == '_' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (j > i+1 && c >= '0' && c <= '9')) {
			return i + 1
		}
		j++
	}
	if j >= len(src) {
		return i + 1
	}
	tag := src[i : j+1]
	if k := strings.Index(src[j+1:], tag); k >= 0 {
		return j + 1 + k + len(tag)
	}
	return len(src)
}
