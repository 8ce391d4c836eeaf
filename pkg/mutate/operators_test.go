package mutate

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
)

// module writes a one-package module and returns its directory.
func module(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["go.mod"] = "module example.com/m\n\ngo 1.24\n"
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// sitesOf lists op's sites in a module whose main.go is src, as
// "before => after".
func sitesOf(t *testing.T, src, op string) ([]string, []Site) {
	t.Helper()
	sites, err := Sites(module(t, map[string]string{"main.go": src}), ".")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var of []Site
	for _, s := range sites {
		if s.Operator == op {
			out = append(out, s.Before+" => "+s.After)
			of = append(of, s)
		}
	}
	return out, of
}

type opCase struct {
	name string
	src  string
	want []string
}

func runCases(t *testing.T, op string, cases []opCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := sitesOf(t, c.src, op)
			if !slices.Equal(got, c.want) {
				t.Errorf("%s sites:\n got %q\nwant %q", op, got, c.want)
			}
		})
	}
}

func TestBoundary(t *testing.T) {
	runCases(t, Boundary, []opCase{
		{"each comparison flips", `package main

func clamp(n, lo, hi int) int {
	if n < lo {
		return lo
	}
	if n >= hi {
		return hi
	}
	return n
}

func main() { _ = clamp(1, 2, 3) }
`, []string{"if n < lo { => if n <= lo {", "if n >= hi { => if n > hi {"}},
		{"not in a for loop's condition, but in its body", `package main

func count(xs []int, min int) int {
	n := 0
	for i := 0; i < len(xs); i++ {
		if xs[i] > min {
			n++
		}
	}
	return n
}

func main() { _ = count(nil, 0) }
`, []string{"if xs[i] > min { => if xs[i] >= min {"}},
		{"not one that repeats an operand of its && or ||: vet fails that", `package main

func f(x int) bool { return x <= 5 || (x < 5 && x > 1) }

func main() { _ = f(1) }
`, []string{"func f(x int) bool { return x <= 5 || (x < 5 && x > 1) } => func f(x int) bool { return x <= 5 || (x < 5 && x >= 1) }"}},
		{"equality is not a boundary", `package main

func main() { println(len("x") == 1, len("y") != 2) }
`, nil},
	})
}

func TestNegate(t *testing.T) {
	runCases(t, Negate, []opCase{
		{"a condition is wrapped", `package main

func sign(n int) string {
	if n > 0 {
		return "+"
	}
	return "-"
}

func main() { _ = sign(1) }
`, []string{"if n > 0 { => if !(n > 0) {"}},
		{"error checks and error returns are left alone", `package main

import (
	"errors"
	"fmt"
	"os"
)

func parse(s string) (int, error) {
	if s == "" {
		return 0, errors.New("empty")
	}
	if _, err := os.Stat(s); err != nil {
		return 0, fmt.Errorf("stat: %w", err)
	}
	if len(s) > 3 {
		return 0, nil
	}
	return 1, nil
}

func main() { _, _ = parse("x") }
`, []string{"if len(s) > 3 { => if !(len(s) > 3) {"}},
	})
}

func TestStatus(t *testing.T) {
	runCases(t, Status, []opCase{
		{"each status becomes one a client tells apart", `package main

import "net/http"

func writeJSON(w http.ResponseWriter, code int, v any) { w.WriteHeader(code) }

func h(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/a":
		w.WriteHeader(http.StatusAccepted)
	case "/b":
		writeJSON(w, http.StatusCreated, nil)
	case "/c":
		writeJSON(w, http.StatusOK, nil)
	case "/d":
		http.Error(w, "no", http.StatusBadRequest)
	case "/e":
		http.Error(w, "no", http.StatusNotFound)
	case "/f":
		http.Error(w, "no", http.StatusUnprocessableEntity)
	case "/g":
		http.Error(w, "no", http.StatusConflict)
	case "/h":
		http.Error(w, "no", http.StatusInternalServerError)
	}
}

func main() { http.HandleFunc("/", h) }
`, []string{
			"w.WriteHeader(http.StatusAccepted) => w.WriteHeader(http.StatusOK)",
			"writeJSON(w, http.StatusCreated, nil) => writeJSON(w, http.StatusOK, nil)",
			"writeJSON(w, http.StatusOK, nil) => writeJSON(w, http.StatusCreated, nil)",
			`http.Error(w, "no", http.StatusBadRequest) => http.Error(w, "no", http.StatusUnprocessableEntity)`,
			`http.Error(w, "no", http.StatusNotFound) => http.Error(w, "no", http.StatusBadRequest)`,
			`http.Error(w, "no", http.StatusUnprocessableEntity) => http.Error(w, "no", http.StatusBadRequest)`,
			`http.Error(w, "no", http.StatusConflict) => http.Error(w, "no", http.StatusInternalServerError)`,
			`http.Error(w, "no", http.StatusInternalServerError) => http.Error(w, "no", http.StatusServiceUnavailable)`,
		}},
		{"only call arguments, under any import name", `package main

import web "net/http"

func ok(code int) bool { return code == web.StatusOK }

var answer = struct{ code int }{web.StatusTeapot}

func main() { web.Error(nil, "", web.StatusTeapot); _ = ok(answer.code) }
`, []string{`func main() { web.Error(nil, "", web.StatusTeapot); _ = ok(answer.code) } => func main() { web.Error(nil, "", web.StatusInternalServerError); _ = ok(answer.code) }`}},
	})
}

func TestArith(t *testing.T) {
	runCases(t, Arith, []opCase{
		{"operands of arithmetic, integer and float", `package main

func f(n int, x float64) (int, float64) {
	return n*3 + 0, x*1.5 - 2.0/x + 1e9
}

func main() { _, _ = f(1, 2) }
`, []string{
			"return n*3 + 0, x*1.5 - 2.0/x + 1e9 => return n*4 + 0, x*1.5 - 2.0/x + 1e9",
			"return n*3 + 0, x*1.5 - 2.0/x + 1e9 => return n*3 + 1, x*1.5 - 2.0/x + 1e9",
			"return n*3 + 0, x*1.5 - 2.0/x + 1e9 => return n*3 + 0, x*2.5 - 2.0/x + 1e9",
			"return n*3 + 0, x*1.5 - 2.0/x + 1e9 => return n*3 + 0, x*1.5 - 3.0/x + 1e9",
			"return n*3 + 0, x*1.5 - 2.0/x + 1e9 => return n*3 + 0, x*1.5 - 2.0/x + 1.000000001e+09",
		}},
		{"comparisons against a non-zero number", `package main

func f(n int) bool { return n > 10 || n < 0 }

func main() { _ = f(1) }
`, []string{"func f(n int) bool { return n > 10 || n < 0 } => func f(n int) bool { return n > 11 || n < 0 }"}},
		{"not indexes, sizes, statuses, durations or loop conditions", `package main

import (
	"net/http"
	"time"
)

func f(xs []int, code int, resp *http.Response) ([]int, time.Duration, bool) {
	last := xs[len(xs)-1]
	buf := make([]int, last+1)
	for i := 0; i < 10; i++ {
		buf = append(buf, i)
	}
	return buf[:len(buf)-1], 5 * time.Second, code >= 500 || resp.StatusCode == 404
}

func main() { _, _, _ = f(nil, 0, nil) }
`, nil},
		{"not one that repeats an operand of its && or ||", `package main

func f(x int) bool { return x == 1 || x == 2 }

func main() { _ = f(1) }
`, []string{"func f(x int) bool { return x == 1 || x == 2 } => func f(x int) bool { return x == 1 || x == 3 }"}},
		{"a mutant that does not compile is left out", `package main

func f(b byte) byte { return b + 255 }

func main() { _ = f(1) }
`, nil},
	})
}

func TestDropImport(t *testing.T) {
	src := `package main

import (
	_ "embed"
	"fmt"
	str "strings"
)

func main() { fmt.Println(str.ToUpper("x")) }
`
	got, sites := sitesOf(t, src, DropImport)
	if want := []string{`"fmt" => `, `str "strings" => `}; !slices.Equal(got, want) {
		t.Fatalf("drop-import sites:\n got %q\nwant %q", got, want)
	}
	// The classifier knows fmt as a package; str it takes for any
	// undefined name.
	if sites[0].Class != failure.ImportError || sites[1].Class != failure.CompileError {
		t.Errorf("classes %s, %s; want %s, %s", sites[0].Class, sites[1].Class, failure.ImportError, failure.CompileError)
	}
}

func TestUnusedImport(t *testing.T) {
	runCases(t, UnusedImport, []opCase{
		{"sorted into the standard group", `package main

import (
	"fmt"
	"os"
)

func main() { fmt.Println(os.Args) }
`, []string{` => "bufio"`}},
		{"neither imported nor clashing with a name", `package main

import "bufio"

var list = bufio.MaxScanTokenSize

func main() { _ = list }
`, []string{` => import "hash/crc32"`}},
		{"a file without imports", `package main

func main() {}
`, []string{` => import "bufio"`}},
	})
}

func TestNilMap(t *testing.T) {
	src := `package main

import "net/http"

func page(w http.ResponseWriter, req *http.Request) { w.Write(nil) }

func healthz(w http.ResponseWriter, r *http.Request) {}

func ready(w http.ResponseWriter, r *http.Request) {}

func anon(w http.ResponseWriter, _ *http.Request) {}

func logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
	})
}

type api struct{}

func (a *api) ServeHTTP(w http.ResponseWriter, injected *http.Request) {
	// answers everything
	w.WriteHeader(http.StatusOK)
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/", page)
	mux.HandleFunc("GET /readyz", ready)
	mux.HandleFunc("/healthz", healthz)
	mux.HandleFunc("/anon", anon)
	mux.Handle("/api/", &api{})
	mux.HandleFunc("/x", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})
	http.ListenAndServe(":0", logged(mux))
}
`
	got, sites := sitesOf(t, src, NilMap)
	want := []string{
		" => var injected map[string]int; injected[req.Method]++",
		" => var injected1 map[string]int; injected1[injected.Method]++",
		" => var injected map[string]int; injected[r.Method]++",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("nil-map sites:\n got %q\nwant %q", got, want)
	}
	var funcs []string
	for _, s := range sites {
		funcs = append(funcs, s.Func)
		if !s.Handled || s.Class != failure.Panic {
			t.Errorf("%s: handled %v, class %s; want a handled panic", s.ID, s.Handled, s.Class)
		}
	}
	if want := []string{"page", "(*api).ServeHTTP", "main.func1"}; !slices.Equal(funcs, want) {
		t.Errorf("funcs %q, want %q", funcs, want)
	}
}

// A site is handled when a request reaches it: from a handler, through
// the functions it calls, and not from start-up code.
func TestHandled(t *testing.T) {
	src := `package main

import "net/http"

func limit() int { return 8 + 2 }

func startup(n int) bool { return n > 3 }

func h(w http.ResponseWriter, r *http.Request) {
	if len(r.URL.Path) > limit() {
		w.WriteHeader(http.StatusBadRequest)
	}
}

func main() {
	if startup(4) {
		http.ListenAndServe(":0", http.HandlerFunc(h))
	}
}
`
	sites, err := Sites(module(t, map[string]string{"main.go": src}), ".")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range sites {
		if s.Handled {
			got = append(got, s.Operator+" in "+s.Func)
		}
	}
	want := []string{"arith in limit", "arith in limit", "boundary in h", "negate in h", "status in h", "nil-map in h"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("handled sites %q, want %q", got, want)
	}
}

func TestSitesOfABrokenPackage(t *testing.T) {
	dir := module(t, map[string]string{"main.go": "package main\n\nfunc main() { undefinedThing() }\n"})
	_, err := Sites(dir, ".")
	if err == nil || !strings.Contains(err.Error(), "does not build") {
		t.Errorf("err = %v, want one saying the package does not build", err)
	}
	if _, err := Sites(dir, "../elsewhere"); err == nil || !strings.Contains(err.Error(), "not inside the workdir") {
		t.Errorf("err = %v, want one saying the directory is outside the workdir", err)
	}
}
