//! sprig's date functions. The clock and time zones are not available offline, so every
//! function that reads them is a known name that refuses to run; `duration` needs neither.

use super::{Args, Ctx, Res, Spec, Ty, f, unsupported, var};
use crate::value::V;

pub(super) fn lookup(name: &str) -> Option<Spec> {
    use Ty::*;
    match name {
        "ago" | "date" | "date_in_zone" | "date_modify" | "dateInZone" | "dateModify"
        | "durationRound" | "htmlDate" | "htmlDateInZone" | "must_date_modify"
        | "mustDateModify" | "mustToDate" | "now" | "toDate" | "unixEpoch" => {
            var(&[], Any, unsupported)
        }
        "duration" => f(&[Any], f_duration),
        _ => None,
    }
}

fn f_duration(_: &mut Ctx, a: Args) -> Res {
    // sprig only understands a decimal string or an int64 here; anything else is 0s.
    let n: i64 = match &a[0] {
        Some(V::Str(s)) => s.parse().unwrap_or(0),
        Some(V::Int64(i)) => *i,
        _ => 0,
    };
    let total = n; // whole seconds
    if total == 0 {
        return Ok(V::str("0s"));
    }
    let neg = total < 0;
    let t = total.unsigned_abs();
    let (h, m, sec) = (t / 3600, (t % 3600) / 60, t % 60);
    let body = if h > 0 {
        format!("{h}h{m}m{sec}s")
    } else if m > 0 {
        format!("{m}m{sec}s")
    } else {
        format!("{sec}s")
    };
    Ok(V::Str(if neg { format!("-{body}") } else { body }))
}
