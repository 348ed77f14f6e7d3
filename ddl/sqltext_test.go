package ddl

import "strings"

// maskSQL returns script with every comment removed (newlines kept), every
// string literal's content replaced by x, and every quoted identifier
// (brackets when brackets is true, double quotes otherwise) replaced by
// [x] / "x", so tests can look at the SQL's shape and keywords only.
// Dollar quotes are left as they are (their bodies are SQL).
func maskSQL(script string, brackets bool) string {
	var b strings.Builder
	b.Grow(len(script))
	for i := 0; i < len(script); {
		c := script[i]
		switch {
		case c == '-' && i+1 < len(script) && script[i+1] == '-':
			for i < len(script) && script[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(script) && script[i+1] == '*':
			depth := 0
			for ; i+1 < len(script); i++ {
				if script[i] == '/' && script[i+1] == '*' {
					depth++
					i++
				} else if script[i] == '*' && script[i+1] == '/' {
					depth--
					i++
					if depth == 0 {
						i++
						break
					}
				} else if script[i] == '\n' {
					b.WriteByte('\n')
				}
			}
		case c == '\'':
			i = skipQuotedTest(script, i, '\'')
			b.WriteString("'x'")
		case c == '"' && !brackets:
			i = skipQuotedTest(script, i, '"')
			b.WriteString(`"x"`)
		case c == '[' && brackets:
			i = skipQuotedTest(script, i, ']')
			b.WriteString("[x]")
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// skipQuotedTest returns the offset after the quoted text at i (a doubled
// closing character escapes it).
func skipQuotedTest(s string, i int, closing byte) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] == closing {
			if j+1 < len(s) && s[j+1] == closing {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}
