package mutation

import (
	"bufio"
	"os"
	"path"
	"strconv"
	"strings"
)

// cover is which lines of which files a suite ran: by file relative to
// the service directory, the line ranges of blocks that ran.
type cover map[string][][2]int

// readCover reads a coverage profile (go test -coverprofile, go tool
// covdata textfmt): "module/dir/file.go:L1.C1,L2.C2 statements count".
func readCover(profile, module string) (cover, error) {
	f, err := os.Open(profile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c := cover{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		colon := strings.LastIndex(line, ".go:")
		fields := strings.Fields(line)
		if colon < 0 || len(fields) != 3 || fields[2] == "0" {
			continue
		}
		file := strings.TrimPrefix(line[:colon+3], module+"/")
		var from, to int
		rng := strings.SplitN(strings.Fields(line[colon+4:])[0], ",", 2)
		if len(rng) != 2 {
			continue
		}
		from, _ = strconv.Atoi(strings.SplitN(rng[0], ".", 2)[0])
		to, _ = strconv.Atoi(strings.SplitN(rng[1], ".", 2)[0])
		key := path.Clean(file)
		c[key] = append(c[key], [2]int{from, to})
	}
	return c, sc.Err()
}

// covers reports whether a block that ran spans the line.
func (c cover) covers(file string, line int) bool {
	for _, r := range c[file] {
		if r[0] <= line && line <= r[1] {
			return true
		}
	}
	return false
}

// modulePath is the module directive of a go.mod.
func modulePath(gomod []byte) string {
	for _, l := range strings.Split(string(gomod), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}
