package artifact

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/audit"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
)

func now() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func TestRunRedactsRecordsAndRefusesReuse(t *testing.T) {
	root := t.TempDir()
	red := redact.New("super-secret-value")
	r, err := Create(root, "r1", "trace", red, now)
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Sub("01-report", "report", "span").Write("x.txt", []byte("token=super-secret-value"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if strings.Contains(string(b), "super-secret-value") {
		t.Fatalf("secret reached disk: %q", b)
	}
	if _, err := r.Write("", "", "../escape", nil); err == nil {
		t.Fatal("a path outside the run directory was accepted")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	ev, _ := os.ReadFile(filepath.Join(r.Dir, EventsFile))
	res, err := audit.Verify(bytes.NewReader(ev), r.Dir, r.Head())
	if err != nil || res.Files != 1 {
		t.Fatalf("verify: %+v %v", res, err)
	}
	if _, err := Create(root, "r1", "trace", red, now); !errors.Is(err, ErrRunExists) {
		t.Fatalf("second run with the same id: got %v", err)
	}
}

func TestCreateAtomicRefusesExisting(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.json")
	if err := CreateAtomic(p, []byte("1"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CreateAtomic(p, []byte("2"), 0o644); !errors.Is(err, ErrExist) {
		t.Fatalf("got %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "1" {
		t.Fatalf("file replaced: %q", b)
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 1 {
		t.Fatalf("temp files left: %v", entries)
	}
}

func TestRunIDsSortAndValidate(t *testing.T) {
	a := NewRunID(now())
	b := NewRunID(now().Add(time.Second))
	if !(a < b) {
		t.Fatalf("%s !< %s", a, b)
	}
	for _, bad := range []string{"", "../x", "a/b", ".hidden", strings.Repeat("x", 81)} {
		if ValidRunID(bad) == nil {
			t.Errorf("ValidRunID(%q) accepted", bad)
		}
	}
}
