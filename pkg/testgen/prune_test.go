package testgen

import (
	"strings"
	"testing"
)

const file = `package main

import (
	"strings"
	"testing"
)

// TestKeep stays.
func TestKeep(t *testing.T) {
	if 1+1 != 2 {
		t.Fatal("math")
	}
}

// TestDrop is the only user of strings.
func TestDrop(t *testing.T) {
	if !strings.HasPrefix("ab", "a") {
		t.Fatal("prefix")
	}
}

func helper() int { return 1 }
`

func TestPruneCutsTheTestAndItsImports(t *testing.T) {
	if got := testNames([]byte(file)); strings.Join(got, ",") != "TestKeep,TestDrop" {
		t.Fatalf("testNames = %v", got)
	}
	out, left, err := prune("x_test.go", []byte(file), map[string]bool{"TestDrop": true})
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if left != 1 || strings.Contains(s, "TestDrop") || strings.Contains(s, "only user") || strings.Contains(s, `"strings"`) {
		t.Errorf("left %d; pruned file:\n%s", left, s)
	}
	if !strings.Contains(s, "// TestKeep stays.\nfunc TestKeep") || !strings.Contains(s, "func helper() int") {
		t.Errorf("pruned too much:\n%s", s)
	}
}
