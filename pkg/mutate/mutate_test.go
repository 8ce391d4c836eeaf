package mutate

import (
	"fmt"
	"go/format"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// services are the reference service and one written for these tests,
// as workdir and dir: nothing may be tuned to either.
var services = []struct{ workdir, dir string }{
	{"../..", "service"},
	{".", "testdata/pricesvc"},
}

func sitesOfService(t testing.TB, workdir, dir string) []Site {
	t.Helper()
	sites, err := Sites(workdir, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) == 0 {
		t.Fatalf("no sites in %s", dir)
	}
	return sites
}

func TestSitesAreSortedAndUnique(t *testing.T) {
	for _, svc := range services {
		sites := sitesOfService(t, svc.workdir, svc.dir)
		ids := map[string]bool{}
		for i, s := range sites {
			if ids[s.ID] {
				t.Errorf("%s: duplicate id", s.ID)
			}
			ids[s.ID] = true
			if want := fmt.Sprintf("%s@%s:%d:%d", s.Operator, s.File, s.Line, s.Col); !strings.HasPrefix(s.ID, want) {
				t.Errorf("id %s, want it to start with %s", s.ID, want)
			}
			if i > 0 && (s.File < sites[i-1].File || s.File == sites[i-1].File && s.Line < sites[i-1].Line) {
				t.Errorf("%s comes after %s", s.ID, sites[i-1].ID)
			}
		}
		count := map[string]int{}
		for _, s := range sites {
			count[s.Operator]++
		}
		for _, o := range Operators() {
			if count[o.Name] == 0 {
				t.Errorf("%s: no %s site", svc.dir, o.Name)
			}
		}
		t.Logf("%s: %d sites: %v", svc.dir, len(sites), count)
	}
}

func fakeSites(op string, n int, handled bool) []Site {
	var out []Site
	for i := range n {
		out = append(out, Site{Operator: op, File: "a.go", Line: i + 1, Col: 1, ID: fmt.Sprintf("%s@a.go:%d:1", op, i+1), Handled: handled})
	}
	return out
}

func TestPickIsDeterministic(t *testing.T) {
	sites := append(fakeSites(Boundary, 7, true), fakeSites(Negate, 3, true)...)
	shuffled := slices.Clone(sites)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for seed := int64(-3); seed < 50; seed++ {
		a, err := Pick(sites, Boundary, seed)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Pick(sites, Boundary, seed)
		c, _ := Pick(shuffled, Boundary, seed)
		if a != b || a != c {
			t.Fatalf("seed %d: picked %s, %s and (shuffled) %s", seed, a.ID, b.ID, c.ID)
		}
		if a.Operator != Boundary {
			t.Fatalf("seed %d: picked a %s site", seed, a.Operator)
		}
	}
}

func TestPickSpreadsOverSites(t *testing.T) {
	sites := fakeSites(Arith, 7, true)
	hits := map[string]int{}
	for seed := range int64(200) {
		s, err := Pick(sites, Arith, seed)
		if err != nil {
			t.Fatal(err)
		}
		hits[s.ID]++
	}
	for _, s := range sites {
		// 200 picks over 7 sites: about 28 each.
		if hits[s.ID] < 10 {
			t.Errorf("%s picked %d times in 200 seeds", s.ID, hits[s.ID])
		}
	}
}

func TestPickPrefersHandledSites(t *testing.T) {
	sites := append(fakeSites(Negate, 5, false), Site{Operator: Negate, File: "b.go", Line: 1, Col: 1, ID: "negate@b.go:1:1", Handled: true})
	for seed := range int64(20) {
		if s, _ := Pick(sites, Negate, seed); s.ID != "negate@b.go:1:1" {
			t.Fatalf("seed %d picked %s, not the handled site", seed, s.ID)
		}
	}
	// Without a handled site any site will do.
	if _, err := Pick(sites[:5], Negate, 1); err != nil {
		t.Error(err)
	}
}

func TestPickWithoutSites(t *testing.T) {
	sites := append(fakeSites(Boundary, 2, true), fakeSites(Status, 1, true)...)
	_, err := Pick(sites, NilMap, 1)
	if err == nil {
		t.Fatal("no error for an operator without sites")
	}
	msg := err.Error()
	for _, want := range []string{"no nil-map site", "boundary (2)", "status (1)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "negate") || strings.Contains(msg, "arith") {
		t.Errorf("error %q names operators without sites", msg)
	}
	if _, err := Pick(nil, NilMap, 1); err == nil || !strings.Contains(err.Error(), "no operator has a site") {
		t.Errorf("err = %v, want one saying no operator has a site", err)
	}
	if _, err := Pick(sites, "flip", 1); err == nil || !strings.Contains(err.Error(), "boundary, negate") {
		t.Errorf("err = %v, want one listing the operators", err)
	}
}

// Every mutant is gofmt-clean and differs from the original only at its
// site: one line removed, changed or replaced by at most two.
func TestMutateChangesOnlyTheSite(t *testing.T) {
	for _, svc := range services {
		for _, s := range sitesOfService(t, svc.workdir, svc.dir) {
			set, err := Mutate(svc.workdir, s)
			if err != nil {
				t.Fatal(err)
			}
			if len(set.Files) != 1 || set.Files[0].Path != s.File {
				t.Fatalf("%s: change touches %v", s.ID, set.Paths())
			}
			f := set.Files[0]
			orig, err := os.ReadFile(filepath.Join(svc.workdir, s.File))
			if err != nil {
				t.Fatal(err)
			}
			if string(f.Before) != string(orig) {
				t.Fatalf("%s: Before is not the file as it is", s.ID)
			}
			if formatted, err := format.Source(f.After); err != nil || string(formatted) != string(f.After) {
				t.Errorf("%s: the mutant is not gofmt-clean (%v)", s.ID, err)
			}
			from, removed, added := lineDiff(string(f.Before), string(f.After))
			if from < s.Line-1 || from > s.Line || removed > 1 || added > 2 || removed+added == 0 {
				t.Errorf("%s: the mutant changes %d lines and adds %d from line %d", s.ID, removed, added, from+1)
			}
		}
	}
}

// lineDiff is the changed region between a and b: its first line (from
// 0), the lines of a it removes and the lines of b it adds.
func lineDiff(a, b string) (from, removed, added int) {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for from < len(al) && from < len(bl) && al[from] == bl[from] {
		from++
	}
	ea, eb := len(al), len(bl)
	for ea > from && eb > from && al[ea-1] == bl[eb-1] {
		ea--
		eb--
	}
	return from, ea - from, eb - from
}

func TestMutateRefusesAStaleSite(t *testing.T) {
	src := "package main\n\nfunc f(n int) bool { return n < 3 }\n\nfunc main() { _ = f(1) }\n"
	dir := module(t, map[string]string{"main.go": src})
	sites, err := Sites(dir, ".")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(sites, func(s Site) bool { return s.Operator == Boundary })
	if i < 0 {
		t.Fatalf("no boundary site in %v", sites)
	}
	s := sites[i]
	if _, err := Mutate(dir, s); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(strings.Replace(src, "n < 3", "n < 4", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Mutate(dir, s); err == nil || !strings.Contains(err.Error(), "changed since") {
		t.Errorf("err = %v, want one saying the file changed", err)
	}
	s.ID = "boundary@main.go:99:1"
	if _, err := Mutate(dir, s); err == nil || !strings.Contains(err.Error(), "no such site") {
		t.Errorf("err = %v, want one saying there is no such site", err)
	}
	s.File = "../main.go"
	if _, err := Mutate(dir, s); err == nil {
		t.Error("a site outside the workdir is mutated")
	}
}

func BenchmarkSites(b *testing.B) {
	for b.Loop() {
		if _, err := Sites("../..", "service"); err != nil {
			b.Fatal(err)
		}
	}
}
