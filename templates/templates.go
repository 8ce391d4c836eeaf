// Package templates holds the deterministic part of the generated service
// and its tests, embedded in the binary: what never needs a model. Files
// end in .tmpl (so the Go tool never compiles them here) and are rendered
// with text/template; "gitignore" becomes ".gitignore".
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/orchestrate-dev/orchestrate/pkg/spec"
)

//go:embed service tests
var files embed.FS

// File is one rendered file, its path relative to the group's directory.
type File struct {
	Path    string
	Source  string // templates/<group>/<file>.tmpl
	Content []byte
}

// Render renders every template of a group ("service" or "tests").
func Render(group string, data any) ([]File, error) {
	var out []File
	err := fs.WalkDir(files, group, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".tmpl") {
			return err
		}
		src, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		t, err := template.New(p).Option("missingkey=error").Funcs(Funcs).Parse(string(src))
		if err != nil {
			return fmt.Errorf("templates/%s: %w", p, err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return fmt.Errorf("templates/%s: %w", p, err)
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(p, group+"/"), ".tmpl")
		if base := path.Base(rel); base == "gitignore" || base == "dockerignore" {
			rel = path.Join(path.Dir(rel), "."+base)
		}
		out = append(out, File{Path: rel, Source: "templates/" + p, Content: b.Bytes()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("templates: no group %q", group)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// Funcs are the helpers templates may use.
var Funcs = template.FuncMap{
	// gostr quotes s as a Go string literal, raw when that reads better.
	"gostr": func(s string) string {
		if !strings.ContainsAny(s, "`\r") && strconv.CanBackquote(strings.ReplaceAll(s, "\n", "")) {
			return "`" + s + "`"
		}
		return strconv.Quote(s)
	},
	// yamlstr quotes s as a single-quoted YAML scalar, with compose's $
	// interpolation escaped.
	"yamlstr": func(s string) string {
		return "'" + strings.ReplaceAll(strings.ReplaceAll(s, "'", "''"), "$", "$$") + "'"
	},
	"firstsentence": FirstSentence,
	// comment makes s a // comment, its lines wrapped at 76 columns.
	"comment": func(s string) string { return Comment(s, 76) },
}

// sentenceMax bounds FirstSentence: a description that runs on without a
// full stop still gives a doc comment of a few lines.
const sentenceMax = 240

// FirstSentence is the first sentence of a description, across line
// breaks, with its spaces collapsed: it ends at the first '.', '!' or '?'
// followed by a space or the end (not after "e.g." and the like), or at
// the first blank line. Past sentenceMax characters it is cut at a word
// and ends with "...".
func FirstSentence(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n")
	para, _, _ := strings.Cut(s, "\n\n")
	words := strings.Fields(para)
	var out []string
	n := 0
	for _, w := range words {
		if n+len(w) > sentenceMax {
			return strings.Join(out, " ") + "..."
		}
		out = append(out, w)
		n += len(w) + 1
		if endsSentence(w) {
			break
		}
	}
	return strings.Join(out, " ")
}

func endsSentence(w string) bool {
	w = strings.TrimRight(w, `"')]`)
	if !strings.HasSuffix(w, ".") && !strings.HasSuffix(w, "!") && !strings.HasSuffix(w, "?") {
		return false
	}
	switch strings.ToLower(strings.TrimLeft(w, `"'([`)) {
	case "e.g.", "i.e.", "etc.", "vs.", "cf.":
		return false
	}
	return true
}

// Comment renders s as // comment lines of at most width columns (a word
// longer than that keeps a line of its own).
func Comment(s string, width int) string {
	var lines []string
	line := "//"
	for _, w := range strings.Fields(s) {
		if len(line) > 2 && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = "//"
		}
		line += " " + w
	}
	return strings.Join(append(lines, line), "\n")
}

// Data is what the templates see.
type Data struct {
	Name        string
	Module      string
	Port        int
	Binary      string // the service binary, named after the service
	GoVersion   string // the go directive of the generated go.mod files
	Description string
	Env         []spec.EnvVar
	Examples    []Example
}

// Example is one spec example as the acceptance test table holds it.
type Example struct {
	Name   string // the example's name; prefixed with the route when two endpoints share it
	Method string
	Path   string // with the query string
	Body   string // compact JSON, empty for none
	Status int
	Want   string // compact JSON, empty for none
}

// RegisterSignature is the function main.go calls once at start-up and
// the codegen role writes: the one contract between the template and the
// model's files.
const RegisterSignature = "func registerRoutes(mux *http.ServeMux, logger *slog.Logger) error"

// GoVersion is the go directive of generated modules: the oldest release
// whose features the templates use (method patterns in ServeMux, slog).
const GoVersion = "1.24"

// DataFor builds the templates' data from the spec.
func DataFor(s spec.Service) (Data, error) {
	d := Data{Name: s.Name, Module: s.Module, Port: s.Port, Binary: s.Name, GoVersion: GoVersion,
		Description: s.Description, Env: s.Env}
	seen := map[string]int{}
	for _, ep := range s.Endpoints {
		for _, ex := range ep.Examples {
			seen[ex.Name]++
		}
	}
	for _, ep := range s.Endpoints {
		for _, ex := range ep.Examples {
			e := Example{Name: ex.Name, Method: ep.Method, Path: ep.Path, Status: ex.Status}
			if seen[ex.Name] > 1 { // subtest names hold no slash: go test -run splits on it
				e.Name = strings.ToLower(ep.Method) + strings.ReplaceAll(ep.Path, "/", "_") + "_" + ex.Name
			}
			if len(ex.Query) > 0 {
				q := url.Values{}
				for k, v := range ex.Query {
					q.Set(k, v)
				}
				e.Path += "?" + q.Encode()
			}
			var err error
			if e.Body, err = spec.Compact(ex.Body); err != nil {
				return d, fmt.Errorf("service.endpoints %s %s example %s: body: %w", ep.Method, ep.Path, ex.Name, err)
			}
			if e.Want, err = spec.Compact(ex.Response); err != nil {
				return d, fmt.Errorf("service.endpoints %s %s example %s: response: %w", ep.Method, ep.Path, ex.Name, err)
			}
			d.Examples = append(d.Examples, e)
		}
	}
	return d, nil
}
