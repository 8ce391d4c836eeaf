// Package prompts holds the prompt templates, embedded in the binary. A
// template is a Markdown file with a front matter (name, version, role, why)
// and two sections, system and user, rendered with text/template. The name
// and version go into every cache key, so changing a prompt's text without
// bumping its version still misses the cache: the key hashes the text too.
package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"text/template"

	"go.yaml.in/yaml/v3"

	"github.com/orchestrate-dev/orchestrate/pkg/llm"
)

//go:embed *.md
var files embed.FS

// Template is one prompt template.
type Template struct {
	Name    string `yaml:"name"`
	Version string `yaml:"version"`
	Role    string `yaml:"role"`
	Why     string `yaml:"why"`
	File    string `yaml:"-"` // prompts/<file>

	system, user *template.Template
}

const (
	systemMark = "=== system ===\n"
	userMark   = "=== user ===\n"
)

// Load parses the template called name.
func Load(name string) (*Template, error) {
	all, err := All()
	if err != nil {
		return nil, err
	}
	for _, t := range all {
		if t.Name == name {
			return t, nil
		}
	}
	return nil, fmt.Errorf("no prompt template named %q in prompts/", name)
}

// All parses every template, sorted by name.
func All() ([]*Template, error) {
	names, err := fs.Glob(files, "*.md")
	if err != nil {
		return nil, err
	}
	var out []*Template
	for _, n := range names {
		if n == "README.md" {
			continue
		}
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, err
		}
		t, err := Parse(n, b)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Parse reads one template file.
func Parse(file string, b []byte) (*Template, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("prompts/%s: %s", file, fmt.Sprintf(format, args...))
	}
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	if !strings.HasPrefix(s, "---\n") {
		return nil, bad("must start with a front matter between --- lines")
	}
	head, body, ok := strings.Cut(s[4:], "\n---\n")
	if !ok {
		return nil, bad("the front matter is not closed by a --- line")
	}
	t := &Template{File: path.Join("prompts", file)}
	dec := yaml.NewDecoder(strings.NewReader(head))
	dec.KnownFields(true)
	if err := dec.Decode(t); err != nil {
		return nil, bad("front matter: %v", err)
	}
	if t.Name == "" || t.Version == "" || t.Role == "" || t.Why == "" {
		return nil, bad("the front matter needs name, version, role and why")
	}
	_, rest, ok := strings.Cut(body, systemMark)
	if !ok {
		return nil, bad("no %q section", strings.TrimSpace(systemMark))
	}
	sys, usr, ok := strings.Cut(rest, userMark)
	if !ok {
		return nil, bad("no %q section after the system one", strings.TrimSpace(userMark))
	}
	funcs := template.FuncMap{"indent": indent, "join": strings.Join, "inc": func(i int) int { return i + 1 }}
	var err error
	if t.system, err = template.New(t.Name + ".system").Option("missingkey=error").Funcs(funcs).Parse(strings.TrimSpace(sys) + "\n"); err != nil {
		return nil, bad("system: %v", err)
	}
	if t.user, err = template.New(t.Name + ".user").Option("missingkey=error").Funcs(funcs).Parse(strings.TrimSpace(usr) + "\n"); err != nil {
		return nil, bad("user: %v", err)
	}
	return t, nil
}

// Render fills the template. The system message starts with the prompt's
// name and version, so a reader of any transcript knows which template
// produced it.
func (t *Template) Render(data any) (llm.Prompt, error) {
	var sys, usr bytes.Buffer
	fmt.Fprintf(&sys, "[orchestrate prompt %s v%s]\n", t.Name, t.Version)
	if err := t.system.Execute(&sys, data); err != nil {
		return llm.Prompt{}, fmt.Errorf("%s: %w", t.File, err)
	}
	if err := t.user.Execute(&usr, data); err != nil {
		return llm.Prompt{}, fmt.Errorf("%s: %w", t.File, err)
	}
	return llm.Prompt{Name: t.Name, Version: t.Version, Why: t.Why, System: sys.String(), User: usr.String()}, nil
}

// Marker is the first line of a rendered system message; it names the
// prompt. Fixtures and transcripts use it to tell prompts apart.
func Marker(system string) (name, version string, ok bool) {
	line, _, _ := strings.Cut(system, "\n")
	line, ok = strings.CutPrefix(line, "[orchestrate prompt ")
	if !ok {
		return "", "", false
	}
	line = strings.TrimSuffix(line, "]")
	name, version, ok = strings.Cut(line, " v")
	return name, version, ok
}

func indent(n int, s string) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n")
}
