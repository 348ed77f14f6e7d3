package datadict

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/model"
)

// mermaidMaxText is Mermaid's default maxTextSize: a longer diagram is not
// rendered (GitHub keeps the default).
const mermaidMaxText = 50000

var (
	// mermaidID is an unquoted entity or attribute name.
	mermaidID = `[A-Za-z_][A-Za-z0-9_-]*`
	// entityOpen opens an entity block.
	entityOpen = regexp.MustCompile(`^    (` + mermaidID + `) \{$`)
	// entityClose closes it.
	entityClose = regexp.MustCompile(`^    \}$`)
	// attributeLine is `type name [PK|FK|UK[, …]] ["comment"]`.
	attributeLine = regexp.MustCompile(`^        ([A-Za-z][A-Za-z0-9_()\[\]-]*) (` + mermaidID + `)((?: (?:PK|FK|UK)(?:, (?:PK|FK|UK))*)?)((?: "[^"\n]*")?)$`)
	// relationshipLine is `A ||--o{ B : "label"`.
	relationshipLine = regexp.MustCompile(`^    (` + mermaidID + `) (\|o|\|\||\}o|\}\|)--(o\||\|\||o\{|\|\{) (` + mermaidID + `) : "[^"\n]*"$`)
)

// mermaidBlocks returns the content of every ```mermaid fence of a
// Markdown text, and a problem for a fence left open.
func mermaidBlocks(md string) (blocks []string, problems []string) {
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		if lines[i] != "```mermaid" {
			continue
		}
		start := i + 1
		for i++; i < len(lines) && lines[i] != "```"; i++ {
		}
		if i == len(lines) {
			problems = append(problems, fmt.Sprintf("line %d: the mermaid fence is never closed", start))
			break
		}
		blocks = append(blocks, strings.Join(lines[start:i], "\n")+"\n")
	}
	return blocks, problems
}

// checkERDiagram checks one diagram's structure: the erDiagram header,
// balanced entity blocks each declared once with at least one attribute,
// attribute lines `type name [keys] ["comment"]`, relationship lines
// between declared entities, nothing else, and a size Mermaid renders.
// It returns the problems and the declared entities.
func checkERDiagram(text string) (problems []string, entities []string) {
	if len(text) > mermaidMaxText {
		problems = append(problems, fmt.Sprintf("the diagram has %d characters, more than Mermaid renders (%d)", len(text), mermaidMaxText))
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) == 0 || lines[0] != "erDiagram" {
		return append(problems, "the diagram does not start with erDiagram"), nil
	}
	declared := map[string]bool{}
	type rel struct {
		line     int
		from, to string
	}
	var rels []rel
	open, attrs := "", 0
	for i, line := range lines[1:] {
		n := i + 2
		switch {
		case strings.TrimSpace(line) == "":
		case open != "" && entityClose.MatchString(line):
			if attrs == 0 {
				problems = append(problems, fmt.Sprintf("line %d: entity %s has no attribute", n, open))
			}
			open = ""
		case open != "":
			if !attributeLine.MatchString(line) {
				problems = append(problems, fmt.Sprintf("line %d: not an attribute line `type name [PK|FK|UK] [\"comment\"]`: %q", n, line))
			}
			attrs++
		case entityOpen.MatchString(line):
			name := entityOpen.FindStringSubmatch(line)[1]
			if declared[name] {
				problems = append(problems, fmt.Sprintf("line %d: entity %s is declared twice", n, name))
			}
			declared[name] = true
			entities = append(entities, name)
			open, attrs = name, 0
		case relationshipLine.MatchString(line):
			m := relationshipLine.FindStringSubmatch(line)
			rels = append(rels, rel{n, m[1], m[4]})
		default:
			problems = append(problems, fmt.Sprintf("line %d: neither an entity, an attribute nor a relationship: %q", n, line))
		}
	}
	if open != "" {
		problems = append(problems, fmt.Sprintf("entity %s is never closed", open))
	}
	for _, r := range rels {
		for _, e := range []string{r.from, r.to} {
			if !declared[e] {
				problems = append(problems, fmt.Sprintf("line %d: the relationship names %s, which the diagram does not declare", r.line, e))
			}
		}
	}
	return problems, entities
}

// checkDiagrams checks every project's Markdown: one well-formed
// erDiagram per resource entry with tables, declaring each of the
// entry's tables.
func checkDiagrams(t *testing.T, d *Dictionary, files []File) {
	t.Helper()
	byFile := byName(files)
	diagrams := 0
	for _, p := range d.Projects {
		md := string(byFile[p.Diagrams])
		blocks, problems := mermaidBlocks(md)
		for _, pr := range problems {
			t.Errorf("%s: %s", p.Diagrams, pr)
		}
		var want []*Resource
		for _, r := range p.allResources() {
			if len(r.Tables) > 0 {
				want = append(want, r)
			}
		}
		if len(blocks) != len(want) {
			t.Errorf("%s: %d diagrams, want one per resource with tables (%d)", p.Diagrams, len(blocks), len(want))
			continue
		}
		for i, block := range blocks {
			diagrams++
			problems, entities := checkERDiagram(block)
			for _, pr := range problems {
				t.Errorf("%s, diagram of %s: %s", p.Diagrams, want[i].ResourceName, pr)
			}
			for _, tb := range want[i].Tables {
				id := mermaidName(strings.ReplaceAll(tb.Qualified, ".", "_"))
				if !strings.Contains(" "+strings.Join(entities, " ")+" ", " "+id+" ") {
					t.Errorf("%s, diagram of %s: no entity %s for table %s", p.Diagrams, want[i].ResourceName, id, tb.Qualified)
				}
			}
		}
	}
	if diagrams == 0 {
		t.Fatal("no diagram checked")
	}
	t.Logf("%d diagrams checked", diagrams)
}

// TestMermaidExample checks the example's diagrams in both dialects.
func TestMermaidExample(t *testing.T) {
	for _, dl := range []model.Dialect{model.PgSQL, model.MSSQL} {
		t.Run(string(dl), func(t *testing.T) {
			out := generate(t, exampleFiles(), dl)
			checkDiagrams(t, out.dict, out.files)
		})
	}
}

// TestMermaidDS50 checks the diagrams of DS 5.0 + sample-ds50.
func TestMermaidDS50(t *testing.T) {
	out := fixtureDictionary(t)
	checkDiagrams(t, out.dict, out.files)
}

// TestMermaidCheckFails: the structural check rejects broken diagrams, so
// it can fail.
func TestMermaidCheckFails(t *testing.T) {
	good := "erDiagram\n    a_T {\n        bigint Id PK\n    }\n    b_U {\n        varchar(5) Name UK \"$.name\"\n    }\n    a_T ||--o{ b_U : \"Id\"\n"
	if problems, _ := checkERDiagram(good); len(problems) > 0 {
		t.Fatalf("a good diagram is refused: %q", problems)
	}
	for name, bad := range map[string]string{
		"header":       strings.Replace(good, "erDiagram", "graph", 1),
		"unbalanced":   strings.Replace(good, "    }\n    b_U", "    b_U", 1),
		"attribute":    strings.Replace(good, "bigint Id PK", "numeric(9,2) Id PK", 1),
		"keys":         strings.Replace(good, "bigint Id PK", "bigint Id PRIMARY", 1),
		"comment":      strings.Replace(good, `"$.name"`, `"$."name"`, 1),
		"undeclared":   strings.Replace(good, "a_T ||--o{ b_U", "a_T ||--o{ c_V", 1),
		"cardinality":  strings.Replace(good, "||--o{", "||--x{", 1),
		"unquoted":     strings.Replace(good, `: "Id"`, ": Id", 1),
		"empty entity": "erDiagram\n    a_T {\n    }\n",
		"too long":     good + strings.Repeat("    a_T ||--o{ b_U : \"Id\"\n", mermaidMaxText/25),
	} {
		if problems, _ := checkERDiagram(bad); len(problems) == 0 {
			t.Errorf("%s: a broken diagram passes the check:\n%s", name, bad)
		}
	}
	if _, problems := mermaidBlocks("```mermaid\nerDiagram\n"); len(problems) == 0 {
		t.Error("an unclosed fence passes the check")
	}
}
