package mutate

import (
	"go/ast"
	"go/constant"
	"go/token"
	"math"
	"strconv"
	"strings"
)

var flipped = map[token.Token]token.Token{token.LSS: token.LEQ, token.LEQ: token.LSS, token.GTR: token.GEQ, token.GEQ: token.GTR}

// boundary flips < and <=, > and >=. Not in a for loop's condition: there
// the mutant indexes past the end and panics, which is not the logic bug
// this operator stands for.
func boundary(fc *fileCtx, n *ast.BinaryExpr, stack []ast.Node) []candidate {
	to, ok := flipped[n.Op]
	if !ok || inForCond(stack) {
		return nil
	}
	start := fc.off(n.OpPos)
	e := edit{start, start + len(n.Op.String()), to.String()}
	if fc.redundant(stack, len(stack)-1, e) {
		return nil
	}
	return []candidate{fc.cand(Boundary, n.OpPos, stack, n, e)}
}

// redundant reports a mutant that makes the comparison stack[i] the same
// as another operand of its && or || chain: vet's bools check would fail
// `go test` on it, a vet failure rather than the operator's class.
func (fc *fileCtx) redundant(stack []ast.Node, i int, e edit) bool {
	cmp := stack[i]
	s := string(fc.src)
	start, end := fc.off(cmp.Pos()), fc.off(cmp.End())
	mutated := squash(s[start:e.start] + e.text + s[e.end:end])
	var top ast.Node
	for j := i - 1; j >= 0; j-- {
		if b, ok := stack[j].(*ast.BinaryExpr); ok && (b.Op == token.LAND || b.Op == token.LOR) {
			top = b
		} else if _, ok := stack[j].(*ast.ParenExpr); !ok {
			break
		}
	}
	if top == nil {
		return false
	}
	var leaves []ast.Expr
	flatten(top.(ast.Expr), &leaves)
	for _, l := range leaves {
		if l != cmp && squash(s[fc.off(l.Pos()):fc.off(l.End())]) == mutated {
			return true
		}
	}
	return false
}

func flatten(e ast.Expr, out *[]ast.Expr) {
	e = ast.Unparen(e)
	if b, ok := e.(*ast.BinaryExpr); ok && (b.Op == token.LAND || b.Op == token.LOR) {
		flatten(b.X, out)
		flatten(b.Y, out)
		return
	}
	*out = append(*out, e)
}

func squash(s string) string { return strings.Join(strings.Fields(s), "") }

func inForCond(stack []ast.Node) bool {
	for i := 0; i+1 < len(stack); i++ {
		if f, ok := stack[i].(*ast.ForStmt); ok && f.Cond != nil && stack[i+1] == f.Cond {
			return true
		}
	}
	return false
}

// negate wraps an if condition in !( ). Which conditions are worth it (no
// error checks) needs types: Sites decides, in keepNegate.
func negate(fc *fileCtx, n *ast.IfStmt, stack []ast.Node) []candidate {
	start, end := fc.off(n.Cond.Pos()), fc.off(n.Cond.End())
	text := "!(" + string(fc.src[start:end]) + ")"
	return []candidate{fc.cand(Negate, n.Cond.Pos(), stack, n, edit{start, end, text})}
}

// status swaps an http.StatusXxx passed to a call for another status a
// client tells apart.
func status(fc *fileCtx, n *ast.CallExpr, stack []ast.Node) []candidate {
	if fc.http == "" {
		return nil
	}
	var out []candidate
	for _, a := range n.Args {
		sel, ok := a.(*ast.SelectorExpr)
		if !ok {
			continue
		}
		x, ok := sel.X.(*ast.Ident)
		code, known := statusCodes[sel.Sel.Name]
		if !ok || x.Name != fc.http || !known {
			continue
		}
		start, end := fc.off(sel.Sel.Pos()), fc.off(sel.Sel.End())
		out = append(out, fc.cand(Status, sel.Pos(), stack, sel, edit{start, end, statusNames[otherStatus(code)]}))
	}
	return out
}

// otherStatus is the status a handler gets wrong: another success for a
// success, a neighbouring client error for a client error, and 500 for
// the rest.
func otherStatus(code int) int {
	switch {
	case code == 200:
		return 201
	case code >= 200 && code < 300:
		return 200
	case code == 400:
		return 422
	case code == 404, code == 422:
		return 400
	case code == 500:
		return 503
	}
	return 500
}

var statusNames = map[int]string{200: "StatusOK", 201: "StatusCreated", 400: "StatusBadRequest",
	422: "StatusUnprocessableEntity", 500: "StatusInternalServerError", 503: "StatusServiceUnavailable"}

// arith adds one to a number that is an operand of + - * / %, or that a
// comparison compares against (zero aside: > 0 and == 0 are guards, not
// arithmetic). Not where the number is an index, a size, a status code
// or a duration: there the mutant panics or changes nothing a test sees.
func arith(fc *fileCtx, n *ast.BasicLit, stack []ast.Node) []candidate {
	if n.Kind != token.INT && n.Kind != token.FLOAT || len(stack) < 2 {
		return nil
	}
	parent, ok := stack[len(stack)-2].(*ast.BinaryExpr)
	if !ok {
		return nil
	}
	v := constant.MakeFromLiteral(n.Value, n.Kind, 0)
	switch parent.Op {
	case token.ADD, token.SUB, token.MUL, token.QUO, token.REM:
	case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ:
		if constant.Sign(v) == 0 {
			return nil
		}
	default:
		return nil
	}
	other := parent.X
	if other == ast.Expr(n) {
		other = parent.Y
	}
	if v.Kind() == constant.Unknown || inForCond(stack) || inIndexOrMake(stack) || fc.isStatusNumber(v, other) || fc.isDuration(stack) {
		return nil
	}
	start, end := fc.off(n.Pos()), fc.off(n.End())
	e := edit{start, end, plusOne(v, n.Kind)}
	if fc.redundant(stack, len(stack)-2, e) {
		return nil
	}
	return []candidate{fc.cand(Arith, n.Pos(), stack, n, e)}
}

func plusOne(v constant.Value, kind token.Token) string {
	sum := constant.BinaryOp(v, token.ADD, constant.MakeInt64(1))
	if kind == token.INT {
		return sum.ExactString()
	}
	f, _ := constant.Float64Val(sum)
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return v.ExactString() + "+1"
	}
	if !strings.ContainsAny(s, ".e") {
		s += ".0" // stays a float literal: 2.0 / 3 must not become integer division
	}
	return s
}

// inIndexOrMake reports a number inside an index, a slice bound or the
// arguments of make.
func inIndexOrMake(stack []ast.Node) bool {
	for i := 0; i+1 < len(stack); i++ {
		child := stack[i+1]
		switch p := stack[i].(type) {
		case *ast.IndexExpr:
			if child == p.Index {
				return true
			}
		case *ast.IndexListExpr, *ast.ArrayType:
			return true
		case *ast.SliceExpr:
			if child == p.Low || child == p.High || child == p.Max {
				return true
			}
		case *ast.CallExpr:
			if id, ok := p.Fun.(*ast.Ident); ok && id.Name == "make" && child != p.Fun {
				return true
			}
		}
	}
	return false
}

// isStatusNumber reports a number like 404 compared with or added to
// something called a status or a code.
func (fc *fileCtx) isStatusNumber(v constant.Value, other ast.Expr) bool {
	if v.Kind() != constant.Int {
		return false
	}
	n, ok := constant.Int64Val(v)
	if !ok || n < 100 || n > 599 {
		return false
	}
	s := strings.ToLower(string(fc.src[fc.off(other.Pos()):fc.off(other.End())]))
	return strings.Contains(s, "status") || strings.Contains(s, "code")
}

// isDuration reports a number in a product with time.Second and the
// like: 5 * time.Second, 2 * 60 * time.Second.
func (fc *fileCtx) isDuration(stack []ast.Node) bool {
	if fc.time == "" {
		return false
	}
	for i := len(stack) - 2; i >= 0; i-- {
		if _, ok := stack[i].(*ast.ParenExpr); ok {
			continue
		}
		b, ok := stack[i].(*ast.BinaryExpr)
		if !ok {
			return false
		}
		for _, e := range []ast.Expr{b.X, b.Y} {
			if sel, ok := e.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == fc.time {
					return true
				}
			}
		}
	}
	return false
}
