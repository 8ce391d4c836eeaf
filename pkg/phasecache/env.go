package phasecache

import (
	"regexp"
	"sort"
	"strings"
)

var envRef = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

// EnvNamed fingerprints the variables of environ that text names ($NAME,
// ${NAME}, ${NAME:-default}…), as a compose file's interpolation reads
// them: the SHA-256 of their NAME=value lines, sorted, a variable that is
// not set included as unset. It is "" when text names none. Only the hash
// enters an Input, never the values (a password, perhaps).
func EnvNamed(text []byte, environ []string) string {
	names := map[string]bool{}
	for _, m := range envRef.FindAllSubmatch(text, -1) {
		names[string(m[1])] = true
	}
	if len(names) == 0 {
		return ""
	}
	set := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && names[k] {
			set[k] = v
		}
	}
	var lines []string
	for n := range names {
		if v, ok := set[n]; ok {
			lines = append(lines, n+"="+v)
		} else {
			lines = append(lines, n+" unset")
		}
	}
	sort.Strings(lines)
	h, _ := HashJSON(lines)
	return h
}
