//! The `--kube-version` Argo CD passes to `helm template`: `parseKubeVersion` in
//! `reposerver/repository/repository.go` (v3.3+), which reprints the version through
//! `k8s.io/apimachinery/pkg/util/version.ParseGeneric(...).String()`.
//!
//! This matters because Helm 3 and Helm 4 read `--kube-version` differently: Helm 3.17 keeps a
//! pre-release or build suffix (`v1.35.2-eks-1`, which then fails `kubeVersion: ">=1.30.0"`
//! constraints), Helm 4 drops it. Argo CD strips it before either sees it, so the gate does too.

/// `parseKubeVersion`: empty stays empty; otherwise the numeric components of a generic version,
/// joined by dots, without `v` and without anything after the last number.
pub fn parse_kube_version(version: &str) -> Result<String, String> {
    if version.is_empty() {
        return Ok(String::new());
    }
    parse_generic(version).map(|components| {
        components
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(".")
    })
}

/// `ParseGeneric` (`versionMatchRE` = `^\s*v?([0-9]+(?:\.[0-9]+)*)(.*)*$`): two or more
/// dot-separated numbers, the first without a leading zero; whatever follows is ignored.
fn parse_generic(version: &str) -> Result<Vec<u64>, String> {
    let unparsable = || format!("could not parse {version:?} as version");
    let rest = version.trim_start_matches(go_space);
    let rest = rest.strip_prefix('v').unwrap_or(rest);
    // The longest `[0-9]+(\.[0-9]+)*` prefix: a trailing `.` not followed by a digit is "extra".
    let bytes = rest.as_bytes();
    let mut end = 0;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        end += 1;
    }
    if end == 0 {
        return Err(unparsable());
    }
    loop {
        let next = end + 1;
        if bytes.get(end) != Some(&b'.') || !bytes.get(next).is_some_and(u8::is_ascii_digit) {
            break;
        }
        end = next;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
    }
    // `.` does not match a newline and `$` is the end of the text: an extra part with one fails.
    if rest[end..].contains('\n') {
        return Err(unparsable());
    }
    let components: Vec<&str> = rest[..end].split('.').collect();
    if components.len() < 2 {
        return Err(format!("illegal version string {version:?}"));
    }
    components
        .iter()
        .enumerate()
        .map(|(i, component)| {
            if i == 0 && component.starts_with('0') && *component != "0" {
                return Err(format!(
                    "illegal zero-prefixed version component {component:?} in {version:?}"
                ));
            }
            // strconv.ParseUint(comp, 10, 0): 64 bits on the platforms Argo CD ships for.
            component.parse::<u64>().map_err(|_| {
                format!(
                    "illegal non-numeric version component {component:?} in {version:?}: value out of range"
                )
            })
        })
        .collect()
}

/// `\s` in Go's RE2: ASCII whitespace only.
fn go_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{c}' | '\r')
}

#[cfg(test)]
mod tests {
    use super::parse_kube_version;

    // parseKubeVersion: `if version == "" { return "", nil }`.
    #[test]
    fn empty_stays_empty() {
        assert_eq!(parse_kube_version("").unwrap(), "");
    }

    // ParseGeneric accepts a leading `v` and leading whitespace; String() prints no `v`.
    #[test]
    fn the_v_prefix_and_leading_space_go() {
        assert_eq!(parse_kube_version("v1.33.0").unwrap(), "1.33.0");
        assert_eq!(parse_kube_version(" \tv1.33.0").unwrap(), "1.33.0");
    }

    // Generic versions keep their arity: `1.35` stays two components (Helm 4 then prints v1.35).
    #[test]
    fn two_or_more_components_are_kept_as_given() {
        assert_eq!(parse_kube_version("1.35").unwrap(), "1.35");
        assert_eq!(parse_kube_version("1.35.2.7").unwrap(), "1.35.2.7");
    }

    // The "extra" group is ignored outside semver: pre-release, build metadata, vendor suffixes.
    #[test]
    fn anything_after_the_numbers_is_dropped() {
        assert_eq!(parse_kube_version("v1.35.2+k3s1").unwrap(), "1.35.2");
        assert_eq!(parse_kube_version("v1.35.2-eks-1234").unwrap(), "1.35.2");
        assert_eq!(parse_kube_version("1.30.4-gke.1348000").unwrap(), "1.30.4");
        assert_eq!(parse_kube_version("1.30.").unwrap(), "1.30");
        assert_eq!(parse_kube_version("1.30x").unwrap(), "1.30");
    }

    // Only the first component refuses a leading zero in a generic version; the others are
    // parsed as numbers.
    #[test]
    fn leading_zeroes() {
        assert!(parse_kube_version("01.30").is_err());
        assert_eq!(parse_kube_version("1.030").unwrap(), "1.30");
        assert_eq!(parse_kube_version("0.30").unwrap(), "0.30");
    }

    // `len(components) < 2` and a string without numbers are errors; Argo CD then fails the
    // manifest generation with "could not parse kubernetes version".
    #[test]
    fn errors() {
        assert!(parse_kube_version("1").is_err());
        assert!(parse_kube_version("v").is_err());
        assert!(parse_kube_version("latest").is_err());
        assert!(parse_kube_version("1.99999999999999999999").is_err());
        assert!(parse_kube_version("1.30\n").is_err());
        assert_eq!(parse_kube_version("\n1.30").unwrap(), "1.30");
    }
}
