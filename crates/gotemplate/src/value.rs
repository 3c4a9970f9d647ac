//! The runtime value model: a small mirror of the Go values a template sees when Argo CD hands
//! it a `map[string]interface{}` decoded from JSON, plus the typed values sprig functions return.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::Value as Json;

/// Go's static element type of a slice, kept so `typeOf` and argument checks can tell a
/// `[]string` (what `splitList` returns) from a `[]interface{}` (what `list` returns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListTy {
    Any,
    Str,
    Int,
    Nested,
}

/// Go's static type of a map: `map[string]interface{}` or `map[string]string` (from `split`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MapTy {
    Any,
    Str,
}

pub(crate) type MapRef = Rc<RefCell<BTreeMap<String, V>>>;

/// A Go value. `Nil` is a nil `interface{}`; maps are shared and mutable because sprig's
/// `set`/`unset`/`merge` mutate them in place, exactly like Go maps. Keys are kept sorted,
/// which is the order Go uses whenever it prints or ranges over a map.
#[derive(Debug, Clone)]
pub(crate) enum V {
    Nil,
    Bool(bool),
    /// Go `int`.
    Int(i64),
    /// Go `int64` (what sprig's arithmetic returns).
    Int64(i64),
    /// Go `uint8` (indexing a string yields a byte).
    Byte(u8),
    Float(f64),
    Str(String),
    List(Rc<Vec<V>>, ListTy),
    Map(MapRef, MapTy),
}

impl V {
    pub(crate) fn str(s: impl Into<String>) -> V {
        V::Str(s.into())
    }

    pub(crate) fn list(items: Vec<V>) -> V {
        V::List(Rc::new(items), ListTy::Any)
    }

    pub(crate) fn str_list(items: Vec<String>) -> V {
        V::List(
            Rc::new(items.into_iter().map(V::Str).collect()),
            ListTy::Str,
        )
    }

    pub(crate) fn map(m: BTreeMap<String, V>) -> V {
        V::Map(Rc::new(RefCell::new(m)), MapTy::Any)
    }

    /// Converts decoded JSON data. Numbers that serde_json holds as floats are Go float64;
    /// integers are Go int (the caller's convention, see the module docs).
    pub(crate) fn from_json(j: &Json) -> V {
        match j {
            Json::Null => V::Nil,
            Json::Bool(b) => V::Bool(*b),
            Json::Number(n) => {
                if n.is_f64() {
                    V::Float(n.as_f64().unwrap_or(0.0))
                } else if let Some(i) = n.as_i64() {
                    V::Int(i)
                } else {
                    V::Float(n.as_f64().unwrap_or(0.0))
                }
            }
            Json::String(s) => V::Str(s.clone()),
            Json::Array(a) => V::list(a.iter().map(V::from_json).collect()),
            Json::Object(o) => V::map(
                o.iter()
                    .map(|(k, v)| (k.clone(), V::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Like [`V::from_json`] but every number becomes a float64, which is what Go's
    /// `json.Unmarshal` into `interface{}` produces (fromJson, fromYaml via sigs.k8s.io/yaml).
    pub(crate) fn from_json_as_go(j: &Json) -> V {
        match j {
            Json::Number(n) => V::Float(n.as_f64().unwrap_or(0.0)),
            Json::Array(a) => V::list(a.iter().map(V::from_json_as_go).collect()),
            Json::Object(o) => V::map(
                o.iter()
                    .map(|(k, v)| (k.clone(), V::from_json_as_go(v)))
                    .collect(),
            ),
            other => V::from_json(other),
        }
    }

    /// Go's `%T` spelling of the dynamic type.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            V::Nil => "<nil>",
            V::Bool(_) => "bool",
            V::Int(_) => "int",
            V::Int64(_) => "int64",
            V::Byte(_) => "uint8",
            V::Float(_) => "float64",
            V::Str(_) => "string",
            V::List(_, ListTy::Any) => "[]interface {}",
            V::List(_, ListTy::Str) => "[]string",
            V::List(_, ListTy::Int) => "[]int",
            V::List(_, ListTy::Nested) => "[][]interface {}",
            V::Map(_, MapTy::Any) => "map[string]interface {}",
            V::Map(_, MapTy::Str) => "map[string]string",
        }
    }

    /// Go's reflect `Kind` name.
    pub(crate) fn kind_name(&self) -> &'static str {
        match self {
            V::Nil => "invalid",
            V::Bool(_) => "bool",
            V::Int(_) => "int",
            V::Int64(_) => "int64",
            V::Byte(_) => "uint8",
            V::Float(_) => "float64",
            V::Str(_) => "string",
            V::List(..) => "slice",
            V::Map(..) => "map",
        }
    }

    /// Truth as text/template's `isTrue` defines it (exec.go).
    pub(crate) fn truthy(&self) -> bool {
        match self {
            V::Nil => false,
            V::Bool(b) => *b,
            V::Int(i) | V::Int64(i) => *i != 0,
            V::Byte(b) => *b != 0,
            V::Float(f) => *f != 0.0,
            V::Str(s) => !s.is_empty(),
            V::List(l, _) => !l.is_empty(),
            V::Map(m, _) => !m.borrow().is_empty(),
        }
    }

    /// sprig's `empty` (defaults.go): zero value of its type.
    pub(crate) fn is_empty(&self) -> bool {
        !self.truthy()
    }

    /// A deep copy, so that later in-place mutation of one does not show in the other.
    pub(crate) fn deep_copy(&self) -> V {
        match self {
            V::List(l, t) => V::List(Rc::new(l.iter().map(V::deep_copy).collect()), *t),
            V::Map(m, t) => V::Map(
                Rc::new(RefCell::new(
                    m.borrow()
                        .iter()
                        .map(|(k, v)| (k.clone(), v.deep_copy()))
                        .collect(),
                )),
                *t,
            ),
            other => other.clone(),
        }
    }

    /// Go's `reflect.DeepEqual` on these values (sprig's `has`, `uniq`, `without`).
    pub(crate) fn deep_equal(&self, other: &V) -> bool {
        match (self, other) {
            (V::Nil, V::Nil) => true,
            (V::Bool(a), V::Bool(b)) => a == b,
            (V::Int(a), V::Int(b)) | (V::Int64(a), V::Int64(b)) => a == b,
            (V::Byte(a), V::Byte(b)) => a == b,
            (V::Float(a), V::Float(b)) => a == b,
            (V::Str(a), V::Str(b)) => a == b,
            (V::List(a, ta), V::List(b, tb)) => {
                ta == tb
                    && a.len() == b.len()
                    && a.iter().zip(b.iter()).all(|(x, y)| x.deep_equal(y))
            }
            (V::Map(a, ta), V::Map(b, tb)) => {
                if Rc::ptr_eq(a, b) {
                    return ta == tb;
                }
                let (a, b) = (a.borrow(), b.borrow());
                ta == tb
                    && a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k).is_some_and(|w| v.deep_equal(w)))
            }
            _ => false,
        }
    }
}

/// Nesting limit for recursive walks over values; a map can be made to contain itself with
/// `set`, and Go would recurse forever there.
pub(crate) const MAX_DEPTH: usize = 200;
