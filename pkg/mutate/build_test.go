package mutate

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/triage"
)

// goWithMutant runs the go command (build or test) in the service's
// directory with the site's mutant laid over its file by -overlay, so the
// tree is not copied per mutant.
func goWithMutant(t *testing.T, workdir, dir string, s Site, verb string, args ...string) (string, error) {
	t.Helper()
	set, err := Mutate(workdir, s)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	mutant := filepath.Join(tmp, filepath.Base(s.File))
	if err := os.WriteFile(mutant, set.Files[0].After, 0o644); err != nil {
		t.Fatal(err)
	}
	orig, err := filepath.Abs(filepath.Join(workdir, filepath.FromSlash(s.File)))
	if err != nil {
		t.Fatal(err)
	}
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {orig: mutant}})
	overlayFile := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append([]string{verb, "-overlay=" + overlayFile}, args...)...)
	cmd.Dir = filepath.Join(workdir, filepath.FromSlash(dir))
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Every mutant of both services builds, except the import ones, which
// fail as their operator says, and as the classifier's class says.
func TestEveryMutantBuildsAsExpected(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every mutant with the go command")
	}
	for _, svc := range services {
		t.Run(svc.dir, func(t *testing.T) {
			for _, s := range sitesOfService(t, svc.workdir, svc.dir) {
				out, err := goWithMutant(t, svc.workdir, svc.dir, s, "build", "-o", os.DevNull, ".")
				var want string
				switch s.Operator {
				case DropImport:
					want = "undefined: "
				case UnusedImport:
					want = "imported and not used"
				}
				switch {
				case want == "" && err != nil:
					t.Errorf("%s: the mutant does not build: %v\n%s", s.ID, err, out)
				case want != "" && (err == nil || !strings.Contains(out, want)):
					t.Errorf("%s: the build should fail with %q: %v\n%s", s.ID, want, err, out)
				case want != "":
					if fs := triage.Classify(out); len(fs) == 0 || fs[0].Class != s.Class {
						t.Errorf("%s: the classifier says %v, the site %s:\n%s", s.ID, fs, s.Class, out)
					}
				}
			}
		})
	}
}

// The mutants seeds pick for each operator make a service's own tests
// fail, and the classifier calls the failure what the site says. A
// mutant the tests do not kill (a boundary no test sits on) is logged as
// a survivor and the next seed tried: that is the tests' gap, not the
// operator's. Each operator must be confirmed on one service at least:
// the reference service's tests kill none of its boundary and arith
// mutants.
func TestPickedMutantsFailTheTestsAsClassified(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the services' tests once per operator")
	}
	confirmed := map[string]bool{}
	for _, svc := range services {
		sites := sitesOfService(t, svc.workdir, svc.dir)
		for _, o := range Operators() {
			t.Run(svc.dir+"/"+o.Name, func(t *testing.T) {
				if killOne(t, svc.workdir, svc.dir, sites, o) {
					confirmed[o.Name] = true
				}
			})
		}
	}
	for _, o := range Operators() {
		if !confirmed[o.Name] {
			t.Errorf("no %s mutant was killed on any service", o.Name)
		}
	}
}

// killOne tries the sites the first seeds pick until the tests kill one,
// and checks its class.
func killOne(t *testing.T, workdir, dir string, sites []Site, o Operator) bool {
	tried := map[string]bool{}
	for seed := int64(1); seed <= 8; seed++ {
		s, err := Pick(sites, o.Name, seed)
		if err != nil {
			t.Fatal(err)
		}
		if tried[s.ID] {
			continue
		}
		tried[s.ID] = true
		out, err := goWithMutant(t, workdir, dir, s, "test", "-count=1", ".")
		if err == nil {
			t.Logf("survivor %s (%s => %s): the tests pass", s.ID, s.Before, s.After)
			continue
		}
		return checkClass(t, s, o, out)
	}
	t.Logf("the tests kill none of the %d %s mutants tried", len(tried), o.Name)
	return false
}

// checkClass wants the site's class among the failures the classifier
// finds. Others may be unknown: a test that prints got and want on two
// lines is not one the classifier reads.
func checkClass(t *testing.T, s Site, o Operator, out string) bool {
	t.Helper()
	fs := triage.Classify(out)
	var classes []string
	found := false
	for _, f := range fs {
		classes = append(classes, string(f.Class)+": "+f.Message)
		// A logic mutant may also make the code panic further on (a negated
		// bound indexes past a slice): the tests caught it either way.
		found = found || f.Class == s.Class || s.Class == failure.AssertionFailure && f.Class == failure.Panic
	}
	if !found {
		t.Errorf("%s: the classifier says %q, the site %s:\n%s", s.ID, classes, s.Class, out)
	}
	if s.Class != o.Class && !(o.Name == DropImport && s.Class == failure.CompileError) {
		t.Errorf("%s: class %s, the operator's %s", s.ID, s.Class, o.Class)
	}
	t.Logf("killed %s (%s => %s): %q", s.ID, s.Before, s.After, classes)
	return found
}
