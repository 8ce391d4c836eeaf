// Package phasecache decides whether a phase's recorded Output can be
// reused: it fingerprints what the phase reads (its Input without the run
// id, the model settings and its own config, the tools, the files under
// the paths it names), keeps an index of the phases that succeeded by
// that fingerprint, and says why a phase hit or missed.
package phasecache

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Files hashes every regular file under paths (files or directories,
// relative to workdir, slash-separated): path relative to the workdir →
// SHA-256. A path that does not exist adds nothing. Inside a directory,
// what its own .gitignore names (the binary a build leaves there) is not
// an input and is left out.
func Files(workdir string, paths []string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range paths {
		root := filepath.Join(workdir, filepath.FromSlash(p))
		fi, err := os.Stat(root)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			if out[p], err = hashFile(root); err != nil {
				return nil, err
			}
			continue
		}
		ignored := ignoreRules(root)
		err = filepath.WalkDir(root, func(abs string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, abs)
			rel = filepath.ToSlash(rel)
			switch {
			case d.IsDir() && d.Name() == ".git":
				return filepath.SkipDir
			case !d.Type().IsRegular() || ignored(rel):
				return nil
			}
			sum, err := hashFile(abs)
			out[path.Join(p, rel)] = sum
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func hashFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ignoreRules reads dir/.gitignore's plain patterns: "/name" matches from
// the directory, "name" at any depth, "name/" a directory's contents.
// Negations and "**" are not needed by the directories orchestrate
// generates and are ignored.
func ignoreRules(dir string) func(rel string) bool {
	f, err := os.Open(filepath.Join(dir, ".gitignore"))
	if err != nil {
		return func(string) bool { return false }
	}
	defer f.Close()
	var pats []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "!") || strings.Contains(l, "**") {
			continue
		}
		pats = append(pats, l)
	}
	return func(rel string) bool {
		for _, p := range pats {
			if matches(p, rel) {
				return true
			}
		}
		return false
	}
}

func matches(pat, rel string) bool {
	dirOnly := strings.HasSuffix(pat, "/")
	pat = strings.TrimSuffix(pat, "/")
	anchored := strings.HasPrefix(pat, "/") || strings.Contains(pat, "/")
	pat = strings.TrimPrefix(pat, "/")
	parts := strings.Split(rel, "/")
	for i := range parts {
		cand := strings.Join(parts[:i+1], "/")
		if !anchored {
			cand = parts[i]
		}
		if dirOnly && i == len(parts)-1 {
			break // the file itself is not a directory
		}
		if ok, _ := path.Match(pat, cand); ok {
			return true
		}
	}
	return false
}
