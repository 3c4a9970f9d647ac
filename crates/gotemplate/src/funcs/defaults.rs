//! sprig's defaults.go and reflect.go: default, empty, coalesce, all, any, ternary, deepCopy,
//! the type and kind tests, deepEqual; and `fail`.

use super::{Spec, Ty, any, f, flat, s, var};
use crate::value::V;

pub(super) fn lookup(name: &str) -> Option<Spec> {
    use Ty::*;
    match name {
        "default" => var(&[Any], Any, |_, a| {
            let given = a.get(1).map(any);
            Ok(match given {
                Some(g) if !g.is_empty() => g,
                _ => any(&a[0]),
            })
        }),
        "empty" => f(&[Any], |_, a| Ok(V::Bool(any(&a[0]).is_empty()))),
        "coalesce" => var(&[], Any, |_, a| {
            Ok(flat(a)
                .into_iter()
                .find(|v| !v.is_empty())
                .unwrap_or(V::Nil))
        }),
        "all" => var(&[], Any, |_, a| {
            Ok(V::Bool(flat(a).iter().all(|v| !v.is_empty())))
        }),
        "any" => var(&[], Any, |_, a| {
            Ok(V::Bool(flat(a).iter().any(|v| !v.is_empty())))
        }),
        "ternary" => f(&[Any, Any, Bool], |_, a| {
            Ok(if matches!(a[2], Some(V::Bool(true))) {
                any(&a[0])
            } else {
                any(&a[1])
            })
        }),
        "deepCopy" | "mustDeepCopy" => f(&[Any], |_, a| Ok(any(&a[0]).deep_copy())),
        "typeOf" => f(&[Any], |_, a| Ok(V::str(any(&a[0]).type_name()))),
        "typeIs" => f(&[Str, Any], |_, a| {
            Ok(V::Bool(s(&a[0]) == any(&a[1]).type_name()))
        }),
        "typeIsLike" => f(&[Str, Any], |_, a| {
            let t = any(&a[1]).type_name();
            Ok(V::Bool(s(&a[0]) == t || format!("*{}", s(&a[0])) == t))
        }),
        "kindOf" => f(&[Any], |_, a| Ok(V::str(any(&a[0]).kind_name()))),
        "kindIs" => f(&[Str, Any], |_, a| {
            Ok(V::Bool(s(&a[0]) == any(&a[1]).kind_name()))
        }),
        "deepEqual" => f(&[Any, Any], |_, a| {
            Ok(V::Bool(any(&a[0]).deep_equal(&any(&a[1]))))
        }),
        "fail" => f(&[Str], |_, a| Err(s(&a[0]).to_string())),
        _ => None,
    }
}
