package mutate

import (
	"go/ast"
	"go/token"
	"strconv"
	"strings"
)

// nilMap writes to a nil map as a handler's first statement, so the
// request that reaches it panics. Which handlers qualify (not health, not
// middleware) is decided package-wide: Sites keeps the roots.
func nilMap(fc *fileCtx, ft *ast.FuncType, body *ast.BlockStmt, stack []ast.Node) []candidate {
	req, ok := handlerRequest(ft, fc.http)
	if !ok || req == "" || req == "_" || body == nil {
		return nil
	}
	name := freeName(stack[len(stack)-1], "injected")
	stmts := []string{"var " + name + " map[string]int", name + "[" + req + ".Method]++"}
	s := string(fc.src)
	lb := fc.off(body.Lbrace)
	rest := strings.TrimSpace(s[lb+1 : lineEnd(s, lb)])
	var e edit
	if rest == "" || strings.HasPrefix(rest, "//") {
		at := min(lineEnd(s, lb)+1, len(s))
		in := indent(s, lineStart(s, lb)) + "\t"
		e = edit{at, at, in + stmts[0] + "\n" + in + stmts[1] + "\n"}
	} else {
		e = edit{lb + 1, lb + 1, "\n" + stmts[0] + "\n" + stmts[1] + "\n"}
	}
	return []candidate{fc.cand(NilMap, body.Lbrace, stack, nil, e)}
}

// handlerRequest reports a function with an http.ResponseWriter and an
// *http.Request parameter, and the request's name ("" when unnamed).
func handlerRequest(ft *ast.FuncType, httpName string) (string, bool) {
	if httpName == "" || ft.Params == nil {
		return "", false
	}
	writer, req, found := false, "", false
	for _, f := range ft.Params.List {
		switch {
		case isHTTP(f.Type, httpName, "ResponseWriter"):
			writer = true
		case isStarHTTP(f.Type, httpName, "Request"):
			found = true
			if len(f.Names) > 0 {
				req = f.Names[0].Name
			}
		}
	}
	return req, writer && found
}

func isHTTP(e ast.Expr, httpName, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == httpName && sel.Sel.Name == name
}

func isStarHTTP(e ast.Expr, httpName, name string) bool {
	s, ok := e.(*ast.StarExpr)
	return ok && isHTTP(s.X, httpName, name)
}

// freeName is base, or base with a number, whichever fn does not use: the
// declaration must not clash with a parameter or a later local.
func freeName(fn ast.Node, base string) string {
	used := map[string]bool{}
	ast.Inspect(fn, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			used[id.Name] = true
		}
		return true
	})
	name := base
	for i := 1; used[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	return name
}

// health is what is registered on a health path: a fault there fails the
// deploy's healthcheck rather than a request a test makes.
type health struct {
	lits    map[*ast.FuncLit]bool
	names   map[string]bool // functions and methods, by name
	servers map[string]bool // types whose ServeHTTP is registered
}

// findHealth looks for registrations like mux.HandleFunc("GET /healthz", h):
// a call whose first argument is a route, and the handlers after it.
func findHealth(files []*ast.File) health {
	h := health{lits: map[*ast.FuncLit]bool{}, names: map[string]bool{}, servers: map[string]bool{}}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if route, err := strconv.Unquote(lit.Value); err == nil && isHealthRoute(route) {
				for _, a := range call.Args[1:] {
					h.add(a)
				}
			}
			return true
		})
	}
	return h
}

func (h health) add(e ast.Expr) {
	switch e := e.(type) {
	case *ast.FuncLit:
		h.lits[e] = true
	case *ast.Ident:
		h.names[e.Name] = true
	case *ast.SelectorExpr:
		h.names[e.Sel.Name] = true
	case *ast.ParenExpr:
		h.add(e.X)
	case *ast.UnaryExpr:
		h.add(e.X)
	case *ast.CompositeLit:
		if id, ok := e.Type.(*ast.Ident); ok {
			h.servers[id.Name] = true
		}
	case *ast.CallExpr:
		// http.HandlerFunc(h), or a wrapper around the handler.
		for _, a := range e.Args {
			h.add(a)
		}
	}
}

func isHealthRoute(route string) bool {
	route = strings.ToLower(route)
	if !strings.Contains(route, "/") {
		return false
	}
	if strings.Contains(route, "health") {
		return true
	}
	last := route[strings.LastIndexByte(strings.TrimSuffix(route, "/"), '/')+1:]
	switch strings.TrimSuffix(last, "/") {
	case "live", "livez", "ready", "readyz", "ping":
		return true
	}
	return false
}

// isRoot reports a request handler a fault can be planted in: not a
// health handler, and not middleware, which sits in front of the health
// handler too.
func (h health) isRoot(fn ast.Node, fc *fileCtx) bool {
	var ft *ast.FuncType
	var body *ast.BlockStmt
	switch fn := fn.(type) {
	case *ast.FuncLit:
		if h.lits[fn] {
			return false
		}
		ft, body = fn.Type, fn.Body
	case *ast.FuncDecl:
		if h.healthDecl(fn) {
			return false
		}
		ft, body = fn.Type, fn.Body
	default:
		return false
	}
	if _, ok := handlerRequest(ft, fc.http); !ok || body == nil {
		return false
	}
	return !callsServeHTTP(body)
}

func (h health) healthDecl(fd *ast.FuncDecl) bool {
	if strings.Contains(strings.ToLower(declName(fd)), "health") || h.names[fd.Name.Name] {
		return true
	}
	if fd.Name.Name != "ServeHTTP" {
		return false
	}
	name := declName(fd)
	name = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(name, ".ServeHTTP"), "(*"), ")")
	return h.servers[name]
}

func callsServeHTTP(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "ServeHTTP" {
				found = true
			}
		}
		return !found
	})
	return found
}
