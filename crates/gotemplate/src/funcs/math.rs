//! sprig's numbers: integer arithmetic (int64, wrapping like Go), the `*f` float functions
//! (shopspring/decimal), conversions (atoi, int, int64, float64, toDecimal) and sequences
//! (until, untilStep, seq).

use std::rc::Rc;

use super::{Args, Ctx, Res, Spec, Ty, any, f, flat, i, s, to_f64, to_i64, var};
use crate::gofmt::{self, sprint_value};
use crate::value::{ListTy, V};

pub(super) fn lookup(name: &str) -> Option<Spec> {
    use Ty::*;
    match name {
        "atoi" => f(&[Str], |_, a| Ok(V::Int(atoi(s(&a[0]))))),
        "int64" => f(&[Any], |_, a| Ok(V::Int64(to_i64(&any(&a[0]))))),
        "int" => f(&[Any], |_, a| Ok(V::Int(to_i64(&any(&a[0]))))),
        "float64" => f(&[Any], |_, a| Ok(V::Float(to_f64(&any(&a[0]))))),
        "seq" => var(&[], Int, f_seq),
        "toDecimal" => f(&[Any], |_, a| {
            let text = sprint_value(&any(&a[0]));
            Ok(V::Int64(i64::from_str_radix(&text, 8).unwrap_or(0)))
        }),
        "until" => f(&[Int], |_, a| {
            let n = i(&a[0]);
            until_step(0, n, if n < 0 { -1 } else { 1 })
        }),
        "untilStep" => f(&[Int, Int, Int], |_, a| {
            until_step(i(&a[0]), i(&a[1]), i(&a[2]))
        }),
        "add1" => f(&[Any], |_, a| {
            Ok(V::Int64(to_i64(&any(&a[0])).wrapping_add(1)))
        }),
        "add" => var(&[], Any, |_, a| {
            Ok(V::Int64(
                flat(a)
                    .iter()
                    .fold(0i64, |acc, v| acc.wrapping_add(to_i64(v))),
            ))
        }),
        "sub" => f(&[Any, Any], |_, a| {
            Ok(V::Int64(
                to_i64(&any(&a[0])).wrapping_sub(to_i64(&any(&a[1]))),
            ))
        }),
        "div" => f(&[Any, Any], |_, a| {
            let (x, y) = (to_i64(&any(&a[0])), to_i64(&any(&a[1])));
            if y == 0 {
                return Err("runtime error: integer divide by zero".into());
            }
            Ok(V::Int64(x.wrapping_div(y)))
        }),
        "mod" => f(&[Any, Any], |_, a| {
            let (x, y) = (to_i64(&any(&a[0])), to_i64(&any(&a[1])));
            if y == 0 {
                return Err("runtime error: integer divide by zero".into());
            }
            Ok(V::Int64(x.wrapping_rem(y)))
        }),
        "mul" => var(&[Any], Any, |_, a| {
            let first = to_i64(&any(&a[0]));
            Ok(V::Int64(
                flat(a)
                    .iter()
                    .skip(1)
                    .fold(first, |acc, v| acc.wrapping_mul(to_i64(v))),
            ))
        }),
        "add1f" => f(&[Any], |_, a| {
            Ok(V::Float(dec_op(to_f64(&any(&a[0])), 1.0, '+')))
        }),
        "addf" => var(&[], Any, |_, a| {
            Ok(V::Float(
                flat(a)
                    .iter()
                    .fold(0.0, |acc, v| dec_op(acc, to_f64(v), '+')),
            ))
        }),
        "subf" => var(&[Any], Any, |_, a| Ok(V::Float(fold_f(a, '-')))),
        "mulf" => var(&[Any], Any, |_, a| Ok(V::Float(fold_f(a, '*')))),
        "divf" => var(&[Any], Any, |_, a| Ok(V::Float(fold_f(a, '/')))),
        "biggest" | "max" => var(&[Any], Any, |_, a| {
            Ok(V::Int64(flat(a).iter().map(to_i64).max().unwrap_or(0)))
        }),
        "min" => var(&[Any], Any, |_, a| {
            Ok(V::Int64(flat(a).iter().map(to_i64).min().unwrap_or(0)))
        }),
        "maxf" => var(&[Any], Any, |_, a| {
            Ok(V::Float(
                flat(a).iter().map(to_f64).fold(f64::NEG_INFINITY, f64::max),
            ))
        }),
        "minf" => var(&[Any], Any, |_, a| {
            Ok(V::Float(
                flat(a).iter().map(to_f64).fold(f64::INFINITY, f64::min),
            ))
        }),
        "ceil" => f(&[Any], |_, a| Ok(V::Float(to_f64(&any(&a[0])).ceil()))),
        "floor" => f(&[Any], |_, a| Ok(V::Float(to_f64(&any(&a[0])).floor()))),
        "round" => var(&[Any, Int], Float, |_, a| {
            let round_on = match a.get(2) {
                Some(Some(V::Float(f))) => *f,
                _ => 0.5,
            };
            let val = to_f64(&any(&a[0]));
            let pow = 10f64.powf(i(&a[1]) as f64);
            let digit = pow * val;
            let div = digit.fract();
            let r = if div >= round_on {
                digit.ceil()
            } else {
                digit.floor()
            };
            Ok(V::Float(r / pow))
        }),
        _ => None,
    }
}

fn atoi(s: &str) -> i64 {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    s.parse().unwrap_or(0)
}

/// shopspring/decimal arithmetic as sprig's *f functions use it: operands are taken at their
/// shortest decimal value, so `addf 0.1 0.2` is 0.3 (division keeps 16 decimal places).
fn dec_op(a: f64, b: f64, op: char) -> f64 {
    fn parts(f: f64) -> Option<(i128, i32)> {
        let s = gofmt::format_float(f, 'e', -1);
        let (m, e) = s.split_once('e')?;
        let e: i32 = e.parse().ok()?;
        let neg = m.starts_with('-');
        let digits: String = m.chars().filter(char::is_ascii_digit).collect();
        let frac = digits.len() as i32 - 1;
        let mant: i128 = digits.parse().ok()?;
        Some((if neg { -mant } else { mant }, e - frac))
    }
    let exact = || -> Option<f64> {
        let (ma, ea) = parts(a)?;
        let (mb, eb) = parts(b)?;
        let (m, e) = match op {
            '+' | '-' => {
                let e = ea.min(eb);
                let sa = ma.checked_mul(10i128.checked_pow((ea - e) as u32)?)?;
                let sb = mb.checked_mul(10i128.checked_pow((eb - e) as u32)?)?;
                (
                    if op == '+' {
                        sa.checked_add(sb)?
                    } else {
                        sa.checked_sub(sb)?
                    },
                    e,
                )
            }
            '*' => (ma.checked_mul(mb)?, ea + eb),
            _ => return None,
        };
        format!("{m}e{e}").parse().ok()
    };
    if !a.is_finite() || !b.is_finite() {
        return match op {
            '+' => a + b,
            '-' => a - b,
            '*' => a * b,
            _ => a / b,
        };
    }
    match op {
        '/' => {
            if b == 0.0 {
                return 0.0;
            }
            let q = a / b;
            format!("{q:.16}").parse().unwrap_or(q)
        }
        _ => exact().unwrap_or(match op {
            '+' => a + b,
            '-' => a - b,
            _ => a * b,
        }),
    }
}

fn fold_f(a: Args, op: char) -> f64 {
    let v = flat(a);
    let mut it = v.iter().map(to_f64);
    let first = it.next().unwrap_or(0.0);
    it.fold(first, |acc, x| dec_op(acc, x, op))
}

fn until_step(start: i64, stop: i64, step: i64) -> Res {
    let mut v = Vec::new();
    let mut cur = start;
    let push = |v: &mut Vec<V>, x: i64| -> Result<(), String> {
        if v.len() >= 1_000_000 {
            return Err("sequence too long".into());
        }
        v.push(V::Int(x));
        Ok(())
    };
    if stop < start {
        if step >= 0 {
            return Ok(V::List(Rc::new(v), ListTy::Int));
        }
        while cur > stop {
            push(&mut v, cur)?;
            cur = match cur.checked_add(step) {
                Some(c) => c,
                None => break,
            };
        }
    } else if step > 0 {
        while cur < stop {
            push(&mut v, cur)?;
            cur = match cur.checked_add(step) {
                Some(c) => c,
                None => break,
            };
        }
    }
    Ok(V::List(Rc::new(v), ListTy::Int))
}

fn f_seq(_: &mut Ctx, a: Args) -> Res {
    let p: Vec<i64> = a.iter().map(i).collect();
    let (start, end, step) = match p.len() {
        1 => {
            let inc = if p[0] < 1 { -1 } else { 1 };
            (1, p[0].saturating_add(inc), inc)
        }
        2 => {
            let st = if p[1] < p[0] { -1 } else { 1 };
            (p[0], p[1].saturating_add(st), st)
        }
        3 => {
            let (start, step, end) = (p[0], p[1], p[2]);
            let inc = if end < start {
                if step > 0 {
                    return Ok(V::str(""));
                }
                -1
            } else {
                1
            };
            (start, end.saturating_add(inc), step)
        }
        _ => return Ok(V::str("")),
    };
    let V::List(l, _) = until_step(start, end, step)? else {
        return Ok(V::str(""));
    };
    let parts: Vec<String> = l.iter().map(sprint_value).collect();
    Ok(V::Str(parts.join(" ")))
}
