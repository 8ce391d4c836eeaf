package testrun

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
	"github.com/orchestrate-dev/orchestrate/pkg/triage"
	"github.com/orchestrate-dev/orchestrate/prompts"
)

// basePromptBytes is the budget the parts' bounds below are sized for (the
// default phases.test.prompt_bytes: about 4k tokens, which leaves room for
// the answer in an 8k-context local model); they scale with the budget.
const basePromptBytes = 15 << 10

// Code is a piece of code shown to the triage role.
type Code struct {
	Path     string
	From, To int
	Source   string
	Whole    bool // the whole file
}

// TriagePrompt is what the triage role is shown about one cluster.
type TriagePrompt struct {
	Why         string // what the failures share
	Failures    []FailureInfo
	Tests       []Code // the failing tests and the helpers they call
	Code        []Code // the code under test, most relevant first
	Left        []string
	Service     string
	Description string
	Endpoints   []EndpointInfo
	Tried       []Tried
	Shown       []Code   // a follow-up: what the model asked to see
	NotFound    []string // what it asked for and does not exist
	Classes     []ClassInfo

	svc  *source
	rank map[int]int
}

// FailureInfo is one failure as the prompt shows it. Past the first few
// of a cluster a failure is Brief: one line, its evidence like the others'.
type FailureInfo struct {
	Test, Where, Class, Owner, Signature, Evidence string
	Brief                                          bool
}

// fullFailures is how many failures of a cluster are shown with all their
// evidence; the rest share the root and get a line each.
const fullFailures = 4

// EndpointInfo is one endpoint of the spec with its examples.
type EndpointInfo struct {
	Route, Description string
	Examples           []string // one compact JSON line each
}

// Tried is an earlier attempt at these failures in this run.
type Tried struct {
	N         int
	RootCause string
	Status    string
	Reason    string
	Patch     string
}

// ClassInfo is one class of the taxonomy with its meaning.
type ClassInfo struct{ Name, Doc string }

var frameRe = regexp.MustCompile(`([\w./-]+\.go):(\d+)`)

// Parts of the prompt, bounded separately so no one part crowds out the
// code; the code gets what is left.
const (
	evidenceBytes = 3 << 10
	testBytes     = 3 << 10
	specBytes     = 2560
	triedBytes    = 1536
	frameBytes    = 3 << 10 // the prompt's own words, the system message's taxonomy included
)

// question renders the triage question for a cluster within the byte
// budget: when the rendered prompt is over, the code gets less room.
func (l *loop) question(pt *prompts.Template, c Cluster, need []string) (llm.Prompt, error) {
	p := l.context(c, need)
	for try := 0; ; try++ {
		r, err := pt.Render(p)
		if err != nil {
			return r, err
		}
		over := len(r.System) + len(r.User) - l.promptBytes()
		if over <= 0 || len(p.Code) == 0 || try == 4 {
			return r, nil
		}
		code := 0
		for _, c := range p.Code {
			code += len(c.Source)
		}
		p.Code, p.Left = pickCode(p.svc, p.rank, code-over-256)
	}
}

// context builds the prompt data for a cluster. need names what the
// model asked to see in an earlier answer (functions, types or files).
func (l *loop) context(c Cluster, need []string) TriagePrompt {
	svc := parseDir(l.in.Workdir, l.serviceDir(), false)
	tst := parseDir(l.in.Workdir, l.serviceDir(), true)
	tst.add(parseDir(l.in.Workdir, l.testsDir(), true))
	p := TriagePrompt{Why: c.Why, Service: l.in.Spec.Name, Classes: classes()}
	part := func(n int) int { return n * l.promptBytes() / basePromptBytes } // parts scale with the budget
	p.Failures = failureInfos(c.Failures, part(evidenceBytes))
	p.Tests = testCode(tst, c.Failures, part(testBytes))
	rank := rankCode(svc, c.Failures, p.Tests)
	p.Description = clip(strings.TrimSpace(l.in.Spec.Description), part(specBytes)/2)
	p.Endpoints = endpoints(l.in.Spec, svc, rank, c.Failures, p.Tests, part(specBytes)-len(p.Description))
	p.Tried = l.triedFor(c)
	if len(need) > 0 {
		p.Shown, p.NotFound = shown(svc, tst, need, 4<<10)
	}
	budget := l.promptBytes() - frameBytes - size(p)
	p.svc, p.rank = svc, rank
	p.Code, p.Left = pickCode(svc, rank, budget)
	return p
}

func (s *source) add(o *source) {
	s.decls = append(s.decls, o.decls...)
	for k, v := range o.files {
		s.files[k] = v
	}
}

func (l *loop) promptBytes() int { return l.in.PromptBytes }

func classes() []ClassInfo {
	var out []ClassInfo
	for _, c := range failure.All {
		if c == failure.ConfigError {
			break // the runner's own classes follow: never a test failure's
		}
		out = append(out, ClassInfo{string(c), failure.Doc(c)})
	}
	return out
}

// failureInfos shows each failure; evidence is shared out evenly.
func failureInfos(fs []triage.Failure, budget int) []FailureInfo {
	per := budget / max(1, min(len(fs), fullFailures))
	var out []FailureInfo
	for i, f := range fs {
		ev := strings.Join(f.Evidence, "\n")
		test := f.Test
		if test == "" {
			test = "the build of " + f.Package
		}
		fi := FailureInfo{Test: test, Where: f.Where(), Class: string(f.Class), Owner: f.Owner, Signature: f.Signature}
		if i < fullFailures {
			fi.Evidence = clip(ev, max(per, 200)) + "\n"
		} else {
			fi.Brief, fi.Evidence = true, clip(strings.TrimSpace(f.Message), 200)
		}
		out = append(out, fi)
	}
	return out
}

// testCode is the failing test functions and the test helpers they call.
func testCode(tst *source, fs []triage.Failure, budget int) []Code {
	var out []Code
	seen := map[string]bool{}
	used := 0
	var visit func(name string, depth int)
	visit = func(name string, depth int) {
		for _, d := range tst.byName(name) {
			k := d.path + ":" + d.name
			if seen[k] || (d.kind != "func" && depth > 0) || used+len(d.src) > budget {
				continue
			}
			seen[k] = true
			used += len(d.src)
			out = append(out, Code{Path: d.path, From: d.from, To: d.to, Source: d.src})
			if depth < 2 {
				for _, u := range d.uses {
					if u != name && !strings.HasPrefix(u, "Test") {
						visit(u, depth+1)
					}
				}
			}
		}
	}
	for _, f := range fs {
		if f.Test != "" {
			visit(strings.SplitN(f.Test, "/", 2)[0], 0)
		}
	}
	return out
}

// rankCode scores the service's declarations by how directly the failure
// reaches them (lower is closer): the frames of a panic and the failure's
// own line, the handler behind a failing endpoint, what the failing tests
// call, and what those call in turn; then code writing a status the
// evidence names.
func rankCode(svc *source, fs []triage.Failure, tests []Code) map[int]int {
	rank := map[int]int{}
	set := func(i, r int) {
		if old, ok := rank[i]; !ok || r < old {
			rank[i] = r
		}
	}
	var text strings.Builder
	for _, f := range fs {
		text.WriteString(f.Message + "\n" + strings.Join(f.Evidence, "\n") + "\n")
		for _, m := range frameRe.FindAllStringSubmatch(text.String()+f.Where(), -1) {
			line, _ := strconv.Atoi(m[2])
			for i, d := range svc.decls {
				if filepath.Base(d.path) == filepath.Base(m[1]) && line >= d.from && line <= d.to {
					set(i, 0)
				}
			}
		}
	}
	for _, t := range tests {
		text.WriteString(t.Source)
	}
	all := text.String()
	handlers := map[string]bool{}
	for _, d := range svc.decls {
		for k, r := range d.routes {
			if _, path, _ := strings.Cut(r, " "); path != "/" && strings.Contains(all, path) {
				handlers[d.handlers[k]] = true
			}
		}
	}
	for i, d := range svc.decls {
		if handlers[d.name] || handlers[strings.TrimPrefix(d.name, recvOf(d.name))] {
			set(i, 1)
		}
	}
	words := map[string]bool{}
	for _, id := range identRe.FindAllString(all, -1) {
		words[id] = true
	}
	for i, d := range svc.decls {
		if d.kind == "func" && words[short(d.name)] {
			set(i, 2)
		}
	}
	reach(svc, rank)
	for _, m := range codeRe.FindAllStringSubmatch(all, -1) {
		if name, ok := statusNames[m[1]]; ok {
			for i, d := range svc.decls {
				if strings.Contains(d.src, "http."+name) {
					set(i, 6)
				}
			}
		}
	}
	return rank
}

func recvOf(name string) string {
	if i := strings.Index(name, "."); i >= 0 {
		return name[:i+1]
	}
	return ""
}

func short(name string) string { return name[strings.LastIndex(name, ".")+1:] }

// reach follows calls from ranked declarations to the ones they use,
// one rank further each step, types included.
func reach(svc *source, rank map[int]int) {
	names := map[string][]int{}
	for i, d := range svc.decls {
		names[short(d.name)] = append(names[short(d.name)], i)
	}
	for changed := true; changed; {
		changed = false
		for i, r := range rank {
			for _, u := range svc.decls[i].uses {
				for _, j := range names[u] {
					if old, ok := rank[j]; (!ok || old > r+1) && r+1 < 8 {
						rank[j] = r + 1
						changed = true
					}
				}
			}
		}
	}
}

// pickCode is the code under test within budget: whole files when every
// file the failure reaches fits, most relevant first; otherwise the
// declarations by rank, and the names of those left out.
func pickCode(svc *source, rank map[int]int, budget int) ([]Code, []string) {
	order := make([]int, 0, len(rank))
	for i := range rank {
		order = append(order, i)
	}
	sort.SliceStable(order, func(a, b int) bool {
		if rank[order[a]] != rank[order[b]] {
			return rank[order[a]] < rank[order[b]]
		}
		return order[a] < order[b]
	})
	var files []string
	total := 0
	for _, i := range order {
		p := svc.decls[i].path
		if !contains(files, p) {
			files, total = append(files, p), total+len(svc.files[p])
		}
	}
	if total <= budget && len(files) > 0 {
		var out []Code
		for _, p := range files {
			src := svc.files[p]
			out = append(out, Code{Path: p, From: 1, To: strings.Count(src, "\n"), Source: src, Whole: true})
		}
		return out, nil
	}
	var out []Code
	var left []string
	used := 0
	for _, i := range order {
		d := svc.decls[i]
		if used+len(d.src) > budget {
			left = append(left, d.name)
			continue
		}
		used += len(d.src)
		out = append(out, Code{Path: d.path, From: d.from, To: d.to, Source: d.src})
	}
	return out, left
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// endpoints are the spec's endpoints the failure involves (their path is
// in the test or the evidence, or their handler is reached), with their
// examples; with none involved, every endpoint's route and description.
func endpoints(s spec.Service, svc *source, rank map[int]int, fs []triage.Failure, tests []Code, budget int) []EndpointInfo {
	reached := map[string]bool{}
	for i, d := range svc.decls {
		if r, ok := rank[i]; ok && r <= 4 {
			for k, route := range d.routes {
				_ = k
				reached[route] = true
			}
		}
	}
	handlerOf := map[string]string{}
	for _, d := range svc.decls {
		for k, r := range d.routes {
			handlerOf[r] = d.handlers[k]
		}
	}
	var text strings.Builder
	for _, f := range fs {
		text.WriteString(f.Test + "\n" + f.Message + "\n" + strings.Join(f.Evidence, "\n"))
	}
	for _, t := range tests {
		text.WriteString(t.Source)
	}
	var out []EndpointInfo
	used := 0
	for _, e := range s.Endpoints {
		route := e.Method + " " + e.Path
		involved := e.Path != "/" && strings.Contains(text.String(), e.Path)
		for i, d := range svc.decls {
			if r, ok := rank[i]; ok && r <= 3 && short(d.name) == handlerOf[route] {
				involved = true
			}
		}
		info := EndpointInfo{Route: route, Description: strings.TrimSpace(e.Description)}
		if involved {
			for _, x := range e.Examples {
				info.Examples = append(info.Examples, exampleLine(x))
			}
		}
		n := len(info.Route) + len(info.Description) + len(strings.Join(info.Examples, "\n"))
		if used+n > budget {
			info.Examples, info.Description = nil, clip(info.Description, 160)
			n = len(info.Route) + len(info.Description)
		}
		used += n
		out = append(out, info)
	}
	return out
}

func exampleLine(x spec.Example) string {
	m := map[string]any{"name": x.Name, "status": x.Status}
	if x.Body != nil {
		m["body"] = x.Body
	}
	if len(x.Query) > 0 {
		m["query"] = x.Query
	}
	if x.Response != nil {
		m["response"] = x.Response
	}
	b, err := json.Marshal(m)
	if err != nil {
		return x.Name
	}
	return string(b)
}

// shown is the code the model asked for by name: a function, a type, a
// method (T.m) or a file.
func shown(svc, tst *source, need []string, budget int) ([]Code, []string) {
	var out []Code
	var missing []string
	used := 0
	for _, n := range need {
		n = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(n, "func "), "()"))
		found := false
		for _, s := range []*source{svc, tst} {
			for p, src := range s.files {
				if p == n || filepath.Base(p) == n {
					found = true
					if used+len(src) <= budget {
						used += len(src)
						out = append(out, Code{Path: p, From: 1, To: strings.Count(src, "\n"), Source: src, Whole: true})
					}
				}
			}
			for _, d := range s.byName(n) {
				found = true
				if used+len(d.src) <= budget {
					used += len(d.src)
					out = append(out, Code{Path: d.path, From: d.from, To: d.to, Source: d.src})
				}
			}
		}
		if !found {
			missing = append(missing, n)
		}
	}
	return out, missing
}

// triedFor is what this run already tried for any of the cluster's
// failures, newest last.
func (l *loop) triedFor(c Cluster) []Tried {
	want := map[string]bool{}
	for _, s := range c.Signatures() {
		want[s] = true
	}
	var out []Tried
	used := 0
	for _, r := range l.out.Remediations {
		hit := false
		for _, s := range r.Targets {
			hit = hit || want[s]
		}
		if !hit || r.Status == "" {
			continue
		}
		t := Tried{N: r.N, RootCause: r.RootCause, Status: r.Status, Reason: r.Reason, Patch: clip(r.diff, 600)}
		used += len(t.RootCause) + len(t.Reason) + len(t.Patch)
		if used > triedBytes {
			break
		}
		out = append(out, t)
	}
	return out
}

// size is the bytes of a prompt's parts other than the code.
func size(p TriagePrompt) int {
	n := len(p.Description) + len(p.Why)
	for _, f := range p.Failures {
		n += len(f.Evidence) + len(f.Test) + len(f.Where) + len(f.Signature) + 40
	}
	for _, c := range append(append([]Code(nil), p.Tests...), p.Shown...) {
		n += len(c.Source) + len(c.Path) + 30
	}
	for _, e := range p.Endpoints {
		n += len(e.Route) + len(e.Description) + len(strings.Join(e.Examples, "\n")) + 10
	}
	for _, t := range p.Tried {
		n += len(t.RootCause) + len(t.Reason) + len(t.Patch) + 40
	}
	return n
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "\n… (cut)"
}

var identRe = regexp.MustCompile(`\b[A-Za-z_]\w*\b`)
var statusNames = map[string]string{"200": "StatusOK", "201": "StatusCreated", "202": "StatusAccepted", "204": "StatusNoContent",
	"400": "StatusBadRequest", "404": "StatusNotFound", "405": "StatusMethodNotAllowed", "409": "StatusConflict",
	"422": "StatusUnprocessableEntity", "500": "StatusInternalServerError", "503": "StatusServiceUnavailable"}
var codeRe = regexp.MustCompile(`\b([1-5]\d\d)\b`)

// Question renders the triage question the loop would ask about these
// failures of the service in workdir, within promptBytes. It is the loop's
// own code, exported for `orchestrate triage` and the prompt-size
// measurements.
func Question(workdir string, s spec.Service, fs []triage.Failure, promptBytes int) (llm.Prompt, error) {
	pt, err := prompts.Load("test.triage")
	if err != nil {
		return llm.Prompt{}, err
	}
	l := &loop{in: Input{Workdir: workdir, Spec: s, PromptBytes: promptBytes}, out: &Output{}}
	cs := clusterFailures(fs)
	if len(cs) == 0 {
		return llm.Prompt{}, errors.New("no failure to ask about")
	}
	return l.question(pt, cs[0], nil)
}
