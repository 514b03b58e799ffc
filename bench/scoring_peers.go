package bench

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/ext"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/smarketing/smarketing/scoring"
)

// The reference rules as a rule-engine user writes them: one program per
// axis, points as integers in units of 10⁻⁴, the host registering three
// small functions (hl: half-life decay with package scoring's table and
// rounding, see [Decayed]; num: parse a whole number or -1; attr: the
// first attribute of an activity with a key). Programs are compiled once;
// each lead gets its own environment (the lead and now).

// One interest rule: an activity filter, points, a half-life in days and
// a cap (0: none).
type ruleSrc struct {
	kind, urlOp, url string
	points, halfDays int64
	cap              int64
}

var interestRules = []ruleSrc{
	{"page_view", "contains", "/pricing", 50000, 14, 300000},
	{"page_view", "prefix", "/blog", 10000, 30, 100000},
	{"page_view", "contains", "/careers", -50000, 30, 0},
	{"email_open", "", "", 10000, 14, 100000},
	{"email_click", "", "", 25000, 14, 200000},
	{"form_fill", "", "", 100000, 30, 400000},
	{"demo_request", "", "", 400000, 30, 0},
	{"webinar", "", "", 150000, 30, 300000},
	{"unsubscribe", "", "", -300000, 30, 0},
	{"email_bounce", "", "", -100000, 30, 200000},
}

// ExprFit and ExprInterest are the expr-lang/expr programs.
var ExprFit = `let emp = num(L.Employees);
let f = (L.Industry in ["saas", "fintech", "ecommerce"] ? 200000 : 0)
  + (L.Country in ["ES", "MX", "AR", "CO"] ? 100000 : 0)
  + (emp >= 50 && emp < 1000 ? 150000 : 0)
  + (emp >= 1000 ? 50000 : 0)
  + (L.Email endsWith "@gmail.com" ? -150000 : 0)
  + (L.Title contains "Head" ? 100000 : 0)
  + (L.Seniority == "executive" ? 100000 : 0)
  + (num(L.Revenue) >= 1000000 ? 105000 : 0)
  + (L.Phone != "" ? 50000 : 0)
  + (L.Website == "" ? -50000 : 0);
min(f, 1000000)`

// ExprInterest is built from interestRules.
var ExprInterest = func() string {
	var terms []string
	for _, r := range interestRules {
		cond := fmt.Sprintf(`.Type == %q`, r.kind)
		switch r.urlOp {
		case "contains":
			cond += fmt.Sprintf(` && attr(#, "url") contains %q`, r.url)
		case "prefix":
			cond += fmt.Sprintf(` && attr(#, "url") startsWith %q`, r.url)
		}
		t := fmt.Sprintf(`sum(L.Activities, %s ? hl(%d, .At, Now, %d) : 0)`, cond, r.points, r.halfDays)
		if r.cap > 0 {
			t = fmt.Sprintf(`max(min(%s, %d), %d)`, t, r.cap, -r.cap)
		}
		terms = append(terms, t)
	}
	return "max(min(" + strings.Join(terms, "\n  + ") + ", 1000000), -500000)"
}()

// ExprEnv is the environment of one lead for the expr programs.
type ExprEnv struct {
	L   *Lead
	Now time.Time
}

// Expr scores leads with the expr-lang/expr programs. It is not safe for
// concurrent use (it reuses one VM).
type Expr struct {
	fit, interest *vm.Program
	vm            vm.VM
}

// NewExpr compiles the expr programs.
func NewExpr() (*Expr, error) {
	opts := []expr.Option{
		expr.Env(ExprEnv{}),
		expr.AsInt(),
		expr.Function("num", func(p ...any) (any, error) {
			s, ok := arg[string](p, 0)
			if !ok {
				return nil, errArgs("num", p)
			}
			return int(Num(s)), nil
		}, new(func(string) int)),
		expr.Function("hl", func(p ...any) (any, error) {
			pts, ok0 := arg[int](p, 0)
			at, ok1 := arg[time.Time](p, 1)
			now, ok2 := arg[time.Time](p, 2)
			h, ok3 := arg[int](p, 3)
			if !ok0 || !ok1 || !ok2 || !ok3 {
				return nil, errArgs("hl", p)
			}
			return int(Decayed(int64(pts), at, now, int64(h))), nil
		}, new(func(int, time.Time, time.Time, int) int)),
		expr.Function("attr", func(p ...any) (any, error) {
			a, ok0 := arg[scoring.Activity](p, 0)
			k, ok1 := arg[string](p, 1)
			if !ok0 || !ok1 {
				return nil, errArgs("attr", p)
			}
			return attr(&a, k), nil
		}, new(func(scoring.Activity, string) string)),
	}
	fit, err := expr.Compile(ExprFit, opts...)
	if err != nil {
		return nil, fmt.Errorf("bench: expr fit: %w", err)
	}
	interest, err := expr.Compile(ExprInterest, opts...)
	if err != nil {
		return nil, fmt.Errorf("bench: expr interest: %w", err)
	}
	return &Expr{fit: fit, interest: interest}, nil
}

// arg returns p[i] as a T.
func arg[T any](p []any, i int) (T, bool) {
	var zero T
	if i >= len(p) {
		return zero, false
	}
	v, ok := p[i].(T)
	return v, ok
}

func errArgs(fn string, p []any) error {
	return fmt.Errorf("bench: %s: unexpected arguments %v", fn, p)
}

// Score returns fit and interest in units of 10⁻⁴.
func (e *Expr) Score(l *Lead, now time.Time) (fit, interest int64, err error) {
	env := ExprEnv{L: l, Now: now}
	f, err := e.vm.Run(e.fit, env)
	if err != nil {
		return 0, 0, err
	}
	i, err := e.vm.Run(e.interest, env)
	if err != nil {
		return 0, 0, err
	}
	fi, ok1 := f.(int)
	ii, ok2 := i.(int)
	if !ok1 || !ok2 {
		return 0, 0, fmt.Errorf("bench: expr returned %T and %T", f, i)
	}
	return int64(fi), int64(ii), nil
}

// CELFit and CELInterest are the cel-go programs. CEL has no sum, so the
// host registers one (sum over a list of ints), as it registers hl, num
// and attr.
var CELFit = `cel.bind(emp, num(lead.Employees), cel.bind(f,
  (lead.Industry in ["saas", "fintech", "ecommerce"] ? 200000 : 0)
  + (lead.Country in ["ES", "MX", "AR", "CO"] ? 100000 : 0)
  + (emp >= 50 && emp < 1000 ? 150000 : 0)
  + (emp >= 1000 ? 50000 : 0)
  + (lead.Email.endsWith("@gmail.com") ? -150000 : 0)
  + (lead.Title.contains("Head") ? 100000 : 0)
  + (lead.Seniority == "executive" ? 100000 : 0)
  + (num(lead.Revenue) >= 1000000 ? 105000 : 0)
  + (lead.Phone != "" ? 50000 : 0)
  + (lead.Website == "" ? -50000 : 0),
  math.least(f, 1000000)))`

// CELInterest is built from interestRules.
var CELInterest = func() string {
	var terms []string
	for _, r := range interestRules {
		cond := fmt.Sprintf(`a.Type == %q`, r.kind)
		switch r.urlOp {
		case "contains":
			cond += fmt.Sprintf(` && attr(a.Attrs, "url").contains(%q)`, r.url)
		case "prefix":
			cond += fmt.Sprintf(` && attr(a.Attrs, "url").startsWith(%q)`, r.url)
		}
		t := fmt.Sprintf(`sum(lead.Activities.map(a, %s ? hl(%d, a.At, now, %d) : 0))`, cond, r.points, r.halfDays)
		if r.cap > 0 {
			t = fmt.Sprintf(`math.greatest(math.least(%s, %d), %d)`, t, r.cap, -r.cap)
		}
		terms = append(terms, t)
	}
	return "math.greatest(math.least(" + strings.Join(terms, "\n  + ") + ", 1000000), -500000)"
}()

// CEL scores leads with the cel-go programs. It is safe for concurrent
// use.
type CEL struct {
	fit, interest cel.Program
}

// NewCEL compiles the cel-go programs, with the workload's Go types
// exposed through ext.NativeTypes.
func NewCEL() (*CEL, error) {
	env, err := cel.NewEnv(
		ext.NativeTypes(reflect.TypeFor[Lead](), reflect.TypeFor[scoring.Activity](), reflect.TypeFor[scoring.Attr]()),
		ext.Bindings(),
		ext.Math(),
		cel.Variable("lead", cel.ObjectType("bench.Lead")),
		cel.Variable("now", cel.TimestampType),
		cel.Function("num", cel.Overload("num_string", []*cel.Type{cel.StringType}, cel.IntType,
			cel.UnaryBinding(func(v ref.Val) ref.Val {
				s, ok := v.(types.String)
				if !ok {
					return types.MaybeNoSuchOverloadErr(v)
				}
				return types.Int(Num(string(s)))
			}))),
		cel.Function("hl", cel.Overload("hl_int_ts_ts_int", []*cel.Type{cel.IntType, cel.TimestampType, cel.TimestampType, cel.IntType}, cel.IntType,
			cel.FunctionBinding(func(v ...ref.Val) ref.Val {
				p, ok0 := v[0].(types.Int)
				at, ok1 := v[1].(types.Timestamp)
				now, ok2 := v[2].(types.Timestamp)
				h, ok3 := v[3].(types.Int)
				if !ok0 || !ok1 || !ok2 || !ok3 {
					return types.NewErr("hl: bad arguments")
				}
				return types.Int(Decayed(int64(p), at.Time, now.Time, int64(h)))
			}))),
		cel.Function("attr", cel.Overload("attr_list_string", []*cel.Type{cel.ListType(cel.ObjectType("scoring.Attr")), cel.StringType}, cel.StringType,
			cel.BinaryBinding(func(l, k ref.Val) ref.Val {
				key, ok := k.(types.String)
				if !ok {
					return types.MaybeNoSuchOverloadErr(k)
				}
				attrs, ok := l.Value().([]scoring.Attr)
				if !ok {
					return types.NewErr("attr: %T is not []scoring.Attr", l.Value())
				}
				for _, x := range attrs {
					if x.Key == string(key) {
						return types.String(x.Value)
					}
				}
				return types.String("")
			}))),
		cel.Function("sum", cel.Overload("sum_list_int", []*cel.Type{cel.ListType(cel.IntType)}, cel.IntType,
			cel.UnaryBinding(func(v ref.Val) ref.Val {
				l, ok := v.(traits.Lister)
				if !ok {
					return types.MaybeNoSuchOverloadErr(v)
				}
				var s types.Int
				it := l.Iterator()
				for it.HasNext() == types.True {
					n, ok := it.Next().(types.Int)
					if !ok {
						return types.NewErr("sum: not an int")
					}
					s += n
				}
				return s
			}))),
	)
	if err != nil {
		return nil, fmt.Errorf("bench: cel env: %w", err)
	}
	c := &CEL{}
	for _, p := range []struct {
		src string
		dst *cel.Program
	}{{CELFit, &c.fit}, {CELInterest, &c.interest}} {
		ast, iss := env.Compile(p.src)
		if iss.Err() != nil {
			return nil, fmt.Errorf("bench: cel compile: %w", iss.Err())
		}
		prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
		if err != nil {
			return nil, fmt.Errorf("bench: cel program: %w", err)
		}
		*p.dst = prg
	}
	return c, nil
}

// Score returns fit and interest in units of 10⁻⁴.
func (c *CEL) Score(l *Lead, now time.Time) (fit, interest int64, err error) {
	act := map[string]any{"lead": l, "now": now}
	f, _, err := c.fit.Eval(act)
	if err != nil {
		return 0, 0, err
	}
	i, _, err := c.interest.Eval(act)
	if err != nil {
		return 0, 0, err
	}
	fi, ok1 := f.(types.Int)
	ii, ok2 := i.(types.Int)
	if !ok1 || !ok2 {
		return 0, 0, fmt.Errorf("bench: cel returned %s and %s", f.Type(), i.Type())
	}
	return int64(fi), int64(ii), nil
}
