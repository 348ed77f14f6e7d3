package datadict

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/model"
)

// pageRow is one column row read back from a rendered page.
type pageRow struct {
	page, table, name, typ, null, keys, path string
}

var (
	// tableSection starts a table's section and captures its name.
	tableSection = regexp.MustCompile(`<section class="table" id="[^"]*" data-table="([^"]*)">`)
	// columnRow captures a column row's name, type, nullability, key
	// badges and JSON path cells.
	columnRow = regexp.MustCompile(`<tr class="col" data-column="([^"]*)"><td class="name"><code>[^<]*</code></td><td class="type" title="[^"]*">([^<]*)</td><td class="null">([^<]*)</td><td class="key">(.*?)</td><td class="ref">.*?</td><td class="path">(?:<code>([^<]*)</code>)?</td>`)
	// badge captures one key badge.
	badge = regexp.MustCompile(`<span class="badge [A-Z]+">([A-Z]+)</span>`)
)

// readRows reads every column row of the HTML pages in files, by
// qualified table name.
func readRows(files []File) map[string][]pageRow {
	out := map[string][]pageRow{}
	for _, f := range files {
		if !strings.HasSuffix(f.Name, ".html") {
			continue
		}
		text := string(f.Data)
		starts := tableSection.FindAllStringSubmatchIndex(text, -1)
		for i, s := range starts {
			end := len(text)
			if i+1 < len(starts) {
				end = starts[i+1][0]
			}
			table := html.UnescapeString(text[s[2]:s[3]])
			body := text[s[1]:end]
			if j := strings.Index(body, "</section>"); j >= 0 {
				body = body[:j]
			}
			for _, m := range columnRow.FindAllStringSubmatch(body, -1) {
				var keys []string
				for _, b := range badge.FindAllStringSubmatch(m[4], -1) {
					keys = append(keys, b[1])
				}
				out[table] = append(out[table], pageRow{
					page: f.Name, table: table, name: html.UnescapeString(m[1]), typ: html.UnescapeString(m[2]),
					null: m[3], keys: strings.Join(keys, " "), path: html.UnescapeString(m[5]),
				})
			}
		}
	}
	return out
}

// coverageProblems requires every column of every table of the manifest of
// m to appear in the dictionary's pages exactly once, in table order, on
// the page of the project owning the table, with its physical type,
// nullability, primary-key mark and JSON path; edge-source columns must
// be marked FK. It also requires the pages to show no table the manifest
// lacks. It returns the problems found and the number of columns checked.
func coverageProblems(m *model.Model, d *Dictionary, files []File) (problems []string, columns int, err error) {
	data, err := compiler.Manifest(m).Encode()
	if err != nil {
		return nil, 0, err
	}
	man, err := manifest.Decode(data)
	if err != nil {
		return nil, 0, fmt.Errorf("the compiled manifest does not load: %w", err)
	}
	dl, err := all.For(m.Dialect)
	if err != nil {
		return nil, 0, err
	}
	pages := map[string]string{}
	for _, p := range d.Projects {
		pages[p.EndpointName] = p.Page
	}
	rows := readRows(files)
	seen := map[string]bool{}
	tables := 0
	for _, r := range man.Resources {
		edges := map[string]bool{}
		for _, e := range r.EdgeSources {
			edges[e.Table+"."+e.Column] = true
		}
		for _, mt := range r.Tables {
			q := mt.Schema + "." + mt.Name
			seen[q] = true
			tables++
			got := rows[q]
			if len(got) != len(mt.Columns) {
				problems = append(problems, fmt.Sprintf("%s: the dictionary shows %d columns, the manifest has %d", q, len(got), len(mt.Columns)))
				continue
			}
			owner := r.ProjectEndpoint
			if mt.ExtensionProject != "" {
				owner = mt.ExtensionProject
			}
			for i, mc := range mt.Columns {
				columns++
				row := got[i]
				typ := dl.TypeName(model.Type{Kind: model.TypeKind(mc.Type.Kind), MaxLength: mc.Type.MaxLength, Precision: mc.Type.Precision, Scale: mc.Type.Scale})
				null := "NOT NULL"
				if mc.Nullable {
					null = "NULL"
				}
				path := ""
				if mc.SourcePath != "" {
					path = mt.Scope + mc.SourcePath[1:]
				}
				isKey := slices.Contains(mt.KeyColumns, mc.Name)
				var wrong []string
				if row.page != pages[owner] {
					wrong = append(wrong, "on page "+row.page+", want "+pages[owner])
				}
				if row.name != mc.Name {
					wrong = append(wrong, "named "+row.name)
				}
				if row.typ != typ {
					wrong = append(wrong, "type "+row.typ+", want "+typ)
				}
				if row.null != null {
					wrong = append(wrong, "nullability "+row.null+", want "+null)
				}
				if row.path != path {
					wrong = append(wrong, "path "+row.path+", want "+path)
				}
				if strings.Contains(row.keys, "PK") != isKey {
					wrong = append(wrong, "key marks "+row.keys+" disagree with the primary key "+strings.Join(mt.KeyColumns, ", "))
				}
				if edges[q+"."+mc.Name] && !strings.Contains(row.keys, "FK") {
					wrong = append(wrong, "a reference column without the FK mark")
				}
				if len(wrong) > 0 {
					problems = append(problems, fmt.Sprintf("%s.%s: %s", q, mc.Name, strings.Join(wrong, "; ")))
				}
			}
		}
	}
	var extra []string
	for q := range rows {
		if !seen[q] {
			extra = append(extra, q)
		}
	}
	sort.Strings(extra)
	for _, q := range extra {
		problems = append(problems, "the dictionary shows "+q+", which the manifest does not have")
	}
	if tables == 0 || columns == 0 {
		return nil, 0, fmt.Errorf("the manifest has no tables")
	}
	return problems, columns, nil
}

// checkCoverage fails the test for every coverageProblems problem.
func checkCoverage(t *testing.T, out *output) {
	t.Helper()
	problems, columns, err := coverageProblems(out.model, out.dict, out.files)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	t.Logf("%d columns checked", columns)
}

// TestEveryColumnDS50: on DS 5.0 + sample-ds50, every column of every
// table appears in the dictionary with its type, nullability, keys and
// path.
func TestEveryColumnDS50(t *testing.T) {
	out := fixtureDictionary(t)
	checkCoverage(t, out)
}

// TestEveryColumnExample checks the example in both dialects.
func TestEveryColumnExample(t *testing.T) {
	for _, dl := range all.Names() {
		t.Run(string(dl), func(t *testing.T) {
			out := generate(t, exampleFiles(), dl)
			checkCoverage(t, out)
		})
	}
}

// TestCoverageCheckFails: the check notices a dropped column row and a
// wrong type, so it can fail.
func TestCoverageCheckFails(t *testing.T) {
	out := generate(t, exampleFiles(), model.PgSQL)
	broken := make([]File, len(out.files))
	copy(broken, out.files)
	for i, f := range broken {
		if f.Name == "example.html" {
			text := string(f.Data)
			text = regexp.MustCompile(`<tr class="col" data-column="WebSite">.*?</tr>`).ReplaceAllString(text, "")
			text = strings.Replace(text, `<td class="type" title="String(75)">varchar(75)</td>`, `<td class="type" title="String(75)">text</td>`, 1)
			broken[i].Data = []byte(text)
		}
	}
	problems, _, err := coverageProblems(out.model, out.dict, broken)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) < 2 {
		t.Fatalf("the check found %d problems in a page missing a column and showing a wrong type: %q", len(problems), problems)
	}
}
