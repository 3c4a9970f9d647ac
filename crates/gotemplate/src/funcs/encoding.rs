//! sprig's hashes (sha1sum, sha256sum, sha512sum, adler32sum), base64/base32 and JSON
//! functions. The crypto functions that need randomness or keys are known names that refuse to
//! run.

use super::{Res, Spec, Ty, any, f, s, unsupported, var};
use crate::crypto;
use crate::gofmt;
use crate::value::V;

pub(super) fn lookup(name: &str) -> Option<Spec> {
    use Ty::*;
    match name {
        "sha1sum" => f(&[Str], |_, a| {
            Ok(V::Str(crypto::sha1_hex(s(&a[0]).as_bytes())))
        }),
        "sha256sum" => f(&[Str], |_, a| {
            Ok(V::Str(crypto::sha256_hex(s(&a[0]).as_bytes())))
        }),
        "sha512sum" => f(&[Str], |_, a| {
            Ok(V::Str(crypto::sha512_hex(s(&a[0]).as_bytes())))
        }),
        "adler32sum" => f(&[Str], |_, a| {
            Ok(V::Str(crypto::adler32(s(&a[0]).as_bytes()).to_string()))
        }),
        "b64enc" => f(&[Str], |_, a| {
            Ok(V::Str(crypto::b64_encode(s(&a[0]).as_bytes())))
        }),
        "b64dec" => f(&[Str], |_, a| {
            Ok(V::Str(match crypto::b64_decode(s(&a[0])) {
                Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                Err(e) => e,
            }))
        }),
        "b32enc" => f(&[Str], |_, a| {
            Ok(V::Str(crypto::b32_encode(s(&a[0]).as_bytes())))
        }),
        "b32dec" => f(&[Str], |_, a| {
            Ok(V::Str(match crypto::b32_decode(s(&a[0])) {
                Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                Err(e) => e,
            }))
        }),
        "fromJson" => f(&[Str], |_, a| Ok(from_json(s(&a[0])).unwrap_or(V::Nil))),
        "mustFromJson" => f(&[Str], |_, a| from_json(s(&a[0]))),
        "toJson" => f(&[Any], |_, a| {
            Ok(V::Str(
                gofmt::to_json(&any(&a[0]), None, true).unwrap_or_default(),
            ))
        }),
        "mustToJson" => f(&[Any], |_, a| {
            gofmt::to_json(&any(&a[0]), None, true).map(V::Str)
        }),
        "toPrettyJson" => f(&[Any], |_, a| {
            Ok(V::Str(
                gofmt::to_json(&any(&a[0]), Some("  "), true).unwrap_or_default(),
            ))
        }),
        "mustToPrettyJson" => f(&[Any], |_, a| {
            gofmt::to_json(&any(&a[0]), Some("  "), true).map(V::Str)
        }),
        "toRawJson" => f(&[Any], |_, a| {
            Ok(V::Str(
                gofmt::to_json(&any(&a[0]), None, false).unwrap_or_default(),
            ))
        }),
        "mustToRawJson" => f(&[Any], |_, a| {
            gofmt::to_json(&any(&a[0]), None, false).map(V::Str)
        }),
        "bcrypt"
        | "htpasswd"
        | "genPrivateKey"
        | "derivePassword"
        | "buildCustomCert"
        | "genCA"
        | "genCAWithKey"
        | "genSelfSignedCert"
        | "genSelfSignedCertWithKey"
        | "genSignedCert"
        | "genSignedCertWithKey"
        | "encryptAES"
        | "decryptAES" => var(&[], Any, unsupported),
        _ => None,
    }
}

fn from_json(s: &str) -> Res {
    serde_json::from_str::<serde_json::Value>(s)
        .map(|j| V::from_json_as_go(&j))
        .map_err(|e| e.to_string())
}
