package review

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strconv"
	"strings"
)

// secretName is a name that holds a secret.
var secretName = regexp.MustCompile(`(?i)(passw(or)?d|passwd|\bpwd|secret|api_?key|api_?token|private_?key|credential|access_?token|auth_?token|bearer|^token$)`)

// todo marks work left undone.
var todo = regexp.MustCompile(`\b(TODO|FIXME|XXX|HACK)\b`)

// printers are the calls that write to a log or the terminal.
var printers = map[string]bool{
	"fmt.Print": true, "fmt.Printf": true, "fmt.Println": true, "fmt.Fprint": true, "fmt.Fprintf": true, "fmt.Fprintln": true,
	"log.Print": true, "log.Printf": true, "log.Println": true, "log.Fatal": true, "log.Fatalf": true, "log.Panicf": true,
	"slog.Info": true, "slog.Debug": true, "slog.Warn": true, "slog.Error": true,
	"println": true, "print": true,
}

// Constructs finds, on the added lines of changed Go files, debug prints
// of secrets and secrets assigned from literals (high), and TODO-style
// comments (low); on other files' added lines, the TODO-style markers.
func Constructs(c Change, read source) []Finding {
	var out []Finding
	for _, f := range c.Files {
		if f.Status == "deleted" || len(f.Added) == 0 {
			continue
		}
		b, err := read(f.Path)
		if err != nil {
			continue
		}
		if !strings.HasSuffix(f.Path, ".go") {
			out = append(out, textTodos(c, f.Path, b)...)
			continue
		}
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, f.Path, b, parser.ParseComments)
		if err != nil {
			continue // gosec and the build say so
		}
		out = append(out, goConstructs(c, f.Path, fset, file)...)
	}
	return out
}

func textTodos(c Change, p string, b []byte) []Finding {
	var out []Finding
	for i, l := range strings.Split(string(b), "\n") {
		if m := todo.FindString(l); m != "" && c.Touches(p, i+1) {
			out = append(out, todoFinding(p, i+1, strings.TrimSpace(l)))
		}
	}
	return out
}

func todoFinding(p string, line int, text string) Finding {
	if len(text) > 100 {
		text = text[:100] + "…"
	}
	return Finding{Check: "constructs", Rule: "todo", Severity: Low, File: p, Line: line, Tool: "orchestrate",
		Message: "work left undone is added: " + text}
}

func goConstructs(c Change, p string, fset *token.FileSet, file *ast.File) []Finding {
	var out []Finding
	added := func(n ast.Node) (int, bool) {
		from, to := fset.Position(n.Pos()).Line, fset.Position(n.End()).Line
		for l := from; l <= to; l++ {
			if c.Touches(p, l) {
				return l, true
			}
		}
		return 0, false
	}
	for _, cg := range file.Comments {
		for _, cm := range cg.List {
			if todo.MatchString(cm.Text) {
				if l, ok := added(cm); ok {
					out = append(out, todoFinding(p, l, cm.Text))
				}
			}
		}
	}
	ast.Inspect(file, func(n ast.Node) bool {
		var f *Finding
		switch x := n.(type) {
		case *ast.CallExpr:
			f = debugPrint(x)
		case *ast.AssignStmt:
			f = literalSecret(x.Lhs, x.Rhs)
		case *ast.ValueSpec:
			var lhs []ast.Expr
			for _, id := range x.Names {
				lhs = append(lhs, id)
			}
			f = literalSecret(lhs, x.Values)
		case *ast.KeyValueExpr:
			f = literalSecret([]ast.Expr{x.Key}, []ast.Expr{x.Value})
		}
		if f != nil {
			if l, ok := added(n); ok {
				f.File, f.Line = p, l
				out = append(out, *f)
			}
		}
		return true
	})
	return out
}

// debugPrint is a call that prints or logs a value whose name says it is
// a secret.
func debugPrint(call *ast.CallExpr) *Finding {
	name := callName(call.Fun)
	if !printers[name] && !isLoggerMethod(call.Fun) {
		return nil
	}
	for _, arg := range call.Args {
		if s := secretIn(arg); s != "" {
			return &Finding{Check: "constructs", Rule: "debug-print-secret", Severity: High, Tool: "orchestrate",
				Message: "a secret (" + s + ") is printed by " + name + ": it ends up in logs; log that it is set, never its value"}
		}
	}
	return nil
}

func callName(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if id, ok := f.X.(*ast.Ident); ok {
			return id.Name + "." + f.Sel.Name
		}
		return "." + f.Sel.Name
	}
	return ""
}

// isLoggerMethod is a method call such as logger.Printf or l.Debug.
func isLoggerMethod(fun ast.Expr) bool {
	sel, ok := fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	switch sel.Sel.Name {
	case "Printf", "Println", "Print", "Debug", "Debugf", "Info", "Infof", "Warn", "Warnf", "Error", "Errorf":
		id, ok := sel.X.(*ast.Ident)
		return !ok || (id.Name != "t" && id.Name != "b" && id.Name != "fmt" && id.Name != "errors")
	}
	return false
}

// secretIn names the secret an expression reads, or "".
func secretIn(e ast.Expr) string {
	found := ""
	ast.Inspect(e, func(n ast.Node) bool {
		if found != "" {
			return false
		}
		switch x := n.(type) {
		case *ast.BasicLit:
			return false // a format string or a label names a secret; it is not one
		case *ast.BinaryExpr:
			switch x.Op {
			case token.EQL, token.NEQ, token.LSS, token.GTR, token.LEQ, token.GEQ:
				return false // whether it is set, not its value
			}
		case *ast.Ident:
			if secretName.MatchString(x.Name) {
				found = x.Name
			}
		case *ast.CallExpr:
			if callName(x.Fun) == "len" {
				return false
			}
			if callName(x.Fun) == "os.Getenv" && len(x.Args) == 1 {
				if lit, ok := x.Args[0].(*ast.BasicLit); ok && secretName.MatchString(lit.Value) {
					found = "os.Getenv(" + lit.Value + ")"
					return false
				}
			}
		}
		return true
	})
	return found
}

// literalSecret is a name that says secret given a string literal.
func literalSecret(lhs, rhs []ast.Expr) *Finding {
	if len(lhs) != len(rhs) {
		return nil
	}
	for i, l := range lhs {
		name := exprName(l)
		lit, ok := rhs[i].(*ast.BasicLit)
		if name == "" || !ok || lit.Kind != token.STRING || !secretName.MatchString(name) {
			continue
		}
		v, err := strconv.Unquote(lit.Value)
		if err != nil || !looksLikeValue(v) {
			continue
		}
		return &Finding{Check: "constructs", Rule: "hardcoded-password", Severity: High, Tool: "orchestrate",
			Message: "a hardcoded credential: " + name + " is given a literal (" + mask(v) + "); read it from the environment or a secret store"}
	}
	return nil
}

func exprName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return x.Sel.Name
	case *ast.BasicLit:
		if s, err := strconv.Unquote(x.Value); err == nil {
			return s
		}
	}
	return ""
}

// looksLikeValue tells a credential from a name, a header or a
// placeholder: NOTIFY_TOKEN, X-Api-Key, ${PASSWORD}, <secret> are not.
func looksLikeValue(v string) bool {
	if len(v) < 6 || strings.ContainsAny(v, " ${}<>") {
		return false
	}
	if strings.ToUpper(v) == v && !strings.ContainsAny(v, "0123456789!@#%^&*") {
		return false // an environment variable's name
	}
	if secretName.MatchString(v) && !strings.ContainsAny(v, "0123456789!@#%^&*") {
		return false // a header or key name such as X-Api-Key
	}
	return true
}
