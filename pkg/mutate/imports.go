package mutate

import (
	"go/ast"
	"go/token"
	"path"
	"strconv"
	"strings"
)

// dropImports removes one import per candidate, the whole line it is on.
// Blank and dot imports are left alone: nothing names them, so the
// build would not say "undefined". Whether the file uses the package
// needs types: Sites decides.
func dropImports(fc *fileCtx) []candidate {
	var out []candidate
	s := string(fc.src)
	for _, d := range fc.file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		for _, spec := range gd.Specs {
			is := spec.(*ast.ImportSpec)
			if is.Name != nil && (is.Name.Name == "_" || is.Name.Name == ".") || is.Path.Value == `"C"` {
				continue
			}
			// The lines to remove: the spec's in a block, the whole
			// declaration's otherwise.
			from, to := is.Pos(), is.End()
			if !gd.Lparen.IsValid() {
				from, to = gd.Pos(), gd.End()
			}
			start, end := fc.off(from), fc.off(to)
			if !aloneOnLines(s, start, end) {
				continue
			}
			e := edit{lineStart(s, start), min(lineEnd(s, end)+1, len(s)), ""}
			out = append(out, fc.cand(DropImport, is.Pos(), nil, is, e))
		}
	}
	return out
}

// aloneOnLines reports s[start:end] as the only code on its lines: a
// comment may follow it, another import may not.
func aloneOnLines(s string, start, end int) bool {
	before := s[lineStart(s, start):start]
	after := strings.TrimSpace(s[end:lineEnd(s, end)])
	return strings.TrimSpace(before) == "" && (after == "" || strings.HasPrefix(after, "//"))
}

// spareImports are standard packages few services import; the first one
// a file neither imports nor clashes with by name is the one added.
var spareImports = []string{"bufio", "container/list", "hash/crc32", "container/ring", "hash/adler32", "text/tabwriter", "unicode/utf16", "encoding/csv"}

// unusedImport adds one import the file does not use, in sorted place,
// so the mutant is as gofmt would print it.
func unusedImport(fc *fileCtx) (candidate, bool) {
	taken := map[string]bool{}
	for _, is := range fc.file.Imports {
		p, _ := strconv.Unquote(is.Path.Value)
		taken[p] = true
		name := path.Base(p)
		if is.Name != nil {
			name = is.Name.Name
		}
		taken["name:"+name] = true
	}
	for _, p := range spareImports {
		name := path.Base(p)
		if taken[p] || taken["name:"+name] || fc.pkgNames[name] {
			continue
		}
		e := fc.importInsertion(p)
		c := fc.cand(UnusedImport, fc.tf.Pos(e.start), nil, nil, e)
		c.detail = p
		return c, true
	}
	return candidate{}, false
}

// importInsertion is the edit that adds an import of p: in the first
// import block, in the group of standard packages if there is one,
// before the first path that sorts after p.
func (fc *fileCtx) importInsertion(p string) edit {
	s, quoted := string(fc.src), strconv.Quote(p)
	for _, d := range fc.file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		if !gd.Lparen.IsValid() {
			at := lineStart(s, fc.off(gd.Pos()))
			return edit{at, at, "import " + quoted + "\n"}
		}
		group := fc.stdGroup(gd)
		if len(group) == 0 {
			at := fc.off(gd.Lparen) + 1
			return edit{at, at, "\n\t" + quoted + "\n"}
		}
		for _, is := range group {
			if is.Path.Value > quoted {
				at := lineStart(s, fc.off(is.Pos()))
				return edit{at, at, indent(s, at) + quoted + "\n"}
			}
		}
		last := group[len(group)-1]
		at := min(lineEnd(s, fc.off(last.End()))+1, len(s))
		return edit{at, at, indent(s, lineStart(s, fc.off(last.Pos()))) + quoted + "\n"}
	}
	// No import at all: one after the package clause.
	at := min(lineEnd(s, fc.off(fc.file.Name.End()))+1, len(s))
	return edit{at, at, "\nimport " + quoted + "\n"}
}

// stdGroup is the block's first group (specs on consecutive lines, as
// gofmt sorts them) of standard packages, or its first group.
func (fc *fileCtx) stdGroup(gd *ast.GenDecl) []*ast.ImportSpec {
	var groups [][]*ast.ImportSpec
	lastLine := -1
	for _, spec := range gd.Specs {
		is := spec.(*ast.ImportSpec)
		line := fc.tf.Line(is.Pos())
		if lastLine < 0 || line > lastLine+1 {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], is)
		lastLine = fc.tf.Line(is.End())
	}
	if len(groups) == 0 {
		return nil
	}
	for _, g := range groups {
		first, _ := strconv.Unquote(g[0].Path.Value)
		if !strings.Contains(strings.Split(first, "/")[0], ".") {
			return g
		}
	}
	return groups[0]
}

func indent(s string, lineStart int) string {
	end := lineStart
	for end < len(s) && (s[end] == ' ' || s[end] == '\t') {
		end++
	}
	return s[lineStart:end]
}
