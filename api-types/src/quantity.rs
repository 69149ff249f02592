//! Kubernetes resource quantities (`resource.Quantity`): parsing, the canonical
//! string form, ordering and conversion to integer values.
//!
//! A quantity is a fixed-point number with nano precision (values finer than
//! `1n` are rounded up, away from zero, as Kubernetes does) plus the *format*
//! it was written in, which decides how [`Quantity`]'s `Display` prints it:
//!
//! * `DecimalSI`: no suffix or one of `n u m k M G T P E` (`1500m` → `1500m`, `1000m` → `1`);
//! * `BinarySI`: `Ki Mi Gi Ti Pi Ei` (`1.5Gi` → `1536Mi`);
//! * `DecimalExponent`: `e3` / `E3` (`1E3` → `1e3`).
//!
//! The canonical form follows `Quantity.String()` of k8s.io/apimachinery.
//! Differences: the value range is limited to about ±1.7·10²⁹ (Kubernetes uses
//! arbitrary precision but validation limits resources far below that), and a
//! string must contain at least one digit (Kubernetes accepts `"-"` and `"."`
//! as zero). Note that, as in Kubernetes, the exponent format is kept:
//! `1e3` prints as `1e3`, while `1000` prints as `1k`.
//!
//! ```
//! use api_types::quantity::Quantity;
//!
//! let q: Quantity = "1.5Gi".parse().unwrap();
//! assert_eq!(q.to_string(), "1536Mi");
//! assert!(q > Quantity::parse("1G").unwrap());
//! assert_eq!(Quantity::parse("100m").unwrap().milli_value(), Some(100));
//! ```

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity as K8sQuantity;

/// Errors from parsing a quantity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// The string was empty.
    #[error("quantity is empty")]
    Empty,
    /// The numeric part is malformed.
    #[error(
        "quantity {input:?} has an invalid number; expected an optionally signed decimal number such as 1, -0.5 or 1.5"
    )]
    InvalidNumber {
        /// The string that was parsed.
        input: String,
    },
    /// The suffix is not one Kubernetes knows.
    #[error(
        "quantity {input:?} has an unknown suffix {suffix:?}; expected one of n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or an exponent such as e3"
    )]
    InvalidSuffix {
        /// The string that was parsed.
        input: String,
        /// The offending suffix.
        suffix: String,
    },
    /// The value cannot be represented.
    #[error("quantity {input:?} is out of the supported range")]
    OutOfRange {
        /// The string that was parsed.
        input: String,
    },
}

/// How a quantity was written, which decides its canonical string form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Powers of ten with SI suffixes (`m`, `k`, `M`, ...), or no suffix.
    DecimalSI,
    /// Powers of 1024 with `Ki`, `Mi`, ... suffixes.
    BinarySI,
    /// Powers of ten written as `e<n>`.
    DecimalExponent,
}

const NANOS_PER_UNIT: i128 = 1_000_000_000;
/// Binary quantities are capped at `i64::MAX` (Kubernetes' `maxAllowed`).
const BINARY_CAP_NANOS: i128 = (i64::MAX as i128) * NANOS_PER_UNIT;

/// A parsed Kubernetes quantity.
///
/// Equality, hashing and ordering compare the numeric value only, so `1Ki`
/// equals `1024` and `1` is less than `1001m`.
#[derive(Debug, Clone, Copy)]
pub struct Quantity {
    /// The value in units of 10⁻⁹.
    nanos: i128,
    format: Format,
}

impl Quantity {
    /// The zero quantity.
    pub const ZERO: Quantity = Quantity {
        nanos: 0,
        format: Format::DecimalSI,
    };

    /// Parses a quantity string such as `100m`, `1.5Gi`, `1e3` or `-2`.
    pub fn parse(input: &str) -> Result<Self, QuantityError> {
        parse(input)
    }

    /// A quantity of `value` thousandths in `DecimalSI` format.
    pub fn from_milli(value: i64) -> Self {
        Quantity {
            nanos: i128::from(value) * 1_000_000,
            format: Format::DecimalSI,
        }
    }

    /// A quantity of `value` whole units in the given format.
    pub fn from_value(value: i64, format: Format) -> Self {
        Quantity {
            nanos: i128::from(value) * NANOS_PER_UNIT,
            format,
        }
    }

    /// The format used by the canonical string form.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The exact value in units of 10⁻⁹.
    pub fn as_nanos(&self) -> i128 {
        self.nanos
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }

    /// The value in thousandths, rounded away from zero like Kubernetes'
    /// `MilliValue()`; `None` if it does not fit an `i64`.
    pub fn milli_value(&self) -> Option<i64> {
        i64::try_from(div_away_from_zero(self.nanos, 1_000_000)).ok()
    }

    /// The value in whole units, rounded away from zero like Kubernetes'
    /// `Value()`; `None` if it does not fit an `i64`.
    pub fn value(&self) -> Option<i64> {
        i64::try_from(div_away_from_zero(self.nanos, NANOS_PER_UNIT)).ok()
    }

    /// The sum, keeping `self`'s format; `None` on overflow.
    pub fn checked_add(&self, other: &Quantity) -> Option<Quantity> {
        Some(Quantity {
            nanos: self.nanos.checked_add(other.nanos)?,
            format: self.format,
        })
    }

    /// The difference, keeping `self`'s format; `None` on overflow.
    pub fn checked_sub(&self, other: &Quantity) -> Option<Quantity> {
        Some(Quantity {
            nanos: self.nanos.checked_sub(other.nanos)?,
            format: self.format,
        })
    }

    /// The canonical string form (same as `to_string()`).
    pub fn canonical(&self) -> String {
        self.to_string()
    }

    /// This quantity as the `k8s-openapi` string newtype, in canonical form.
    pub fn to_k8s(&self) -> K8sQuantity {
        K8sQuantity(self.to_string())
    }
}

/// Parses the `k8s-openapi` quantity newtype.
pub fn parse_k8s(quantity: &K8sQuantity) -> Result<Quantity, QuantityError> {
    parse(&quantity.0)
}

/// Rewrites a `k8s-openapi` quantity in canonical form (`1000m` → `1`).
pub fn canonicalize(quantity: &K8sQuantity) -> Result<K8sQuantity, QuantityError> {
    Ok(parse_k8s(quantity)?.to_k8s())
}

/// A bad quantity in a resource list, naming the resource.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid quantity for resource {resource:?}: {source}")]
pub struct ResourceListError {
    /// The resource name (`cpu`, `memory`, ...).
    pub resource: String,
    /// What was wrong with its quantity.
    #[source]
    pub source: QuantityError,
}

/// Rewrites every quantity of a resource list (`requests`, `limits`,
/// `capacity`, `allocatable`, `hard`, ...) in canonical form, as the
/// Kubernetes API server does when it stores an object (`1024Mi` → `1Gi`).
pub fn canonicalize_resource_list(
    list: &mut std::collections::BTreeMap<String, K8sQuantity>,
) -> Result<(), ResourceListError> {
    for (resource, quantity) in list.iter_mut() {
        *quantity = canonicalize(quantity).map_err(|source| ResourceListError {
            resource: resource.clone(),
            source,
        })?;
    }
    Ok(())
}

impl TryFrom<&K8sQuantity> for Quantity {
    type Error = QuantityError;
    fn try_from(value: &K8sQuantity) -> Result<Self, Self::Error> {
        parse_k8s(value)
    }
}

impl From<Quantity> for K8sQuantity {
    fn from(value: Quantity) -> Self {
        value.to_k8s()
    }
}

impl FromStr for Quantity {
    type Err = QuantityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.nanos == other.nanos
    }
}

impl Eq for Quantity {}

impl Hash for Quantity {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.nanos.hash(state);
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

impl serde::Serialize for Quantity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Kubernetes accepts both `"1Gi"` and a bare JSON number.
        let value = serde_json::Value::deserialize(deserializer)?;
        let text = match &value {
            // Kubernetes trims surrounding whitespace when decoding JSON.
            serde_json::Value::String(s) => s.trim().to_string(),
            serde_json::Value::Number(n) => n.to_string(),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "quantity must be a string or a number, got {other}"
                )));
            }
        };
        parse(&text).map_err(serde::de::Error::custom)
    }
}

fn div_away_from_zero(value: i128, divisor: i128) -> i128 {
    let quotient = value / divisor;
    if value % divisor == 0 {
        quotient
    } else if value > 0 {
        quotient + 1
    } else {
        quotient - 1
    }
}

enum Suffix {
    Decimal(i32),
    Binary(u32),
    Exponent(i32),
}

fn parse_suffix(suffix: &str) -> Option<Suffix> {
    Some(match suffix {
        "" => Suffix::Decimal(0),
        "n" => Suffix::Decimal(-9),
        "u" => Suffix::Decimal(-6),
        "m" => Suffix::Decimal(-3),
        "k" => Suffix::Decimal(3),
        "M" => Suffix::Decimal(6),
        "G" => Suffix::Decimal(9),
        "T" => Suffix::Decimal(12),
        "P" => Suffix::Decimal(15),
        "E" => Suffix::Decimal(18),
        "Ki" => Suffix::Binary(10),
        "Mi" => Suffix::Binary(20),
        "Gi" => Suffix::Binary(30),
        "Ti" => Suffix::Binary(40),
        "Pi" => Suffix::Binary(50),
        "Ei" => Suffix::Binary(60),
        _ => {
            let rest = suffix.strip_prefix(['e', 'E'])?;
            let digits = rest.strip_prefix(['+', '-']).unwrap_or(rest);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Suffix::Exponent(rest.parse().ok()?)
        }
    })
}

fn parse(input: &str) -> Result<Quantity, QuantityError> {
    if input.is_empty() {
        return Err(QuantityError::Empty);
    }
    let bytes = input.as_bytes();
    let mut pos = 0;
    let negative = match bytes[0] {
        b'-' => {
            pos = 1;
            true
        }
        b'+' => {
            pos = 1;
            false
        }
        _ => false,
    };
    let int_start = pos;
    while pos < bytes.len() && bytes[pos].is_ascii_digit() {
        pos += 1;
    }
    let int_part = &input[int_start..pos];
    let mut frac_part = "";
    if pos < bytes.len() && bytes[pos] == b'.' {
        pos += 1;
        let frac_start = pos;
        while pos < bytes.len() && bytes[pos].is_ascii_digit() {
            pos += 1;
        }
        frac_part = &input[frac_start..pos];
    }
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(QuantityError::InvalidNumber {
            input: input.to_string(),
        });
    }
    let suffix_text = &input[pos..];
    let suffix = parse_suffix(suffix_text).ok_or_else(|| QuantityError::InvalidSuffix {
        input: input.to_string(),
        suffix: suffix_text.to_string(),
    })?;
    let out_of_range = || QuantityError::OutOfRange {
        input: input.to_string(),
    };

    // All significant digits, without leading zeros; the value is
    // digits × 10^(-frac_len) × multiplier.
    let mut digits = String::with_capacity(int_part.len() + frac_part.len());
    digits.push_str(int_part);
    digits.push_str(frac_part);
    let digits = digits.trim_start_matches('0');
    let frac_len = i64::try_from(frac_part.len()).map_err(|_| out_of_range())?;

    let (magnitude, format) = match suffix {
        Suffix::Decimal(exp) | Suffix::Exponent(exp) => {
            let format = if matches!(suffix, Suffix::Decimal(_)) {
                Format::DecimalSI
            } else {
                Format::DecimalExponent
            };
            let power = i64::from(exp) - frac_len + 9;
            (
                decimal_nanos(digits, power).ok_or_else(out_of_range)?,
                format,
            )
        }
        Suffix::Binary(shift) => {
            let nanos = binary_nanos(digits, frac_len, shift).ok_or_else(out_of_range)?;
            // Fractions of one are not representable in binary form.
            let format = if nanos < NANOS_PER_UNIT {
                Format::DecimalSI
            } else {
                Format::BinarySI
            };
            (nanos, format)
        }
    };
    let nanos = if negative { -magnitude } else { magnitude };
    Ok(Quantity { nanos, format })
}

/// `digits × 10^power`, rounded up to an integer; `None` if out of range.
fn decimal_nanos(digits: &str, power: i64) -> Option<i128> {
    if digits.is_empty() {
        return Some(0);
    }
    let len = i64::try_from(digits.len()).ok()?;
    if power >= 0 {
        if len + power > 39 {
            return None;
        }
        let base: i128 = digits.parse().ok()?;
        base.checked_mul(10i128.checked_pow(u32::try_from(power).ok()?)?)
    } else {
        let dropped = -power;
        if dropped >= len {
            // Less than one nano, but non-zero: round up to the smallest unit.
            return Some(1);
        }
        let keep = usize::try_from(len - dropped).ok()?;
        if keep > 39 {
            return None;
        }
        let kept: i128 = digits[..keep].parse().ok()?;
        let round_up = digits[keep..].bytes().any(|b| b != b'0');
        kept.checked_add(i128::from(round_up))
    }
}

/// `digits × 10^(-frac_len) × 2^shift` in nanos, rounded up and capped at
/// `i64::MAX` units; `None` if the input has too many digits to compute.
fn binary_nanos(digits: &str, frac_len: i64, shift: u32) -> Option<i128> {
    if digits.is_empty() {
        return Some(0);
    }
    let len = i64::try_from(digits.len()).ok()?;
    if len - frac_len > 20 {
        return Some(BINARY_CAP_NANOS);
    }
    if len > 38 {
        return None;
    }
    let base: u128 = digits.parse().ok()?;
    let scaled = base.checked_mul(1u128 << shift)?;
    let nanos: u128 = if frac_len <= 9 {
        let factor = 10u128.pow(u32::try_from(9 - frac_len).ok()?);
        match scaled.checked_mul(factor) {
            Some(v) => v,
            None => return Some(BINARY_CAP_NANOS),
        }
    } else {
        match 10u128.checked_pow(u32::try_from(frac_len - 9).ok()?) {
            Some(divisor) => scaled.div_ceil(divisor),
            None => 1,
        }
    };
    let nanos = i128::try_from(nanos).unwrap_or(i128::MAX);
    Some(nanos.min(BINARY_CAP_NANOS))
}

const DECIMAL_SUFFIXES: [(i32, &str); 10] = [
    (-9, "n"),
    (-6, "u"),
    (-3, "m"),
    (0, ""),
    (3, "k"),
    (6, "M"),
    (9, "G"),
    (12, "T"),
    (15, "P"),
    (18, "E"),
];

const BINARY_SUFFIXES: [&str; 7] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos == 0 {
            return f.write_str("0");
        }
        let mut format = self.format;
        if format == Format::BinarySI
            && (self.nanos.abs() < 1024 * NANOS_PER_UNIT || self.nanos % NANOS_PER_UNIT != 0)
        {
            // Small or fractional binary values would need rounding: Kubernetes
            // shows them in decimal instead.
            format = Format::DecimalSI;
        }
        if format == Format::BinarySI {
            let mut units = self.nanos / NANOS_PER_UNIT;
            let mut exponent = 0;
            while exponent < BINARY_SUFFIXES.len() - 1 && units % 1024 == 0 {
                units /= 1024;
                exponent += 1;
            }
            return write!(f, "{units}{}", BINARY_SUFFIXES[exponent]);
        }
        // Move factors of ten into the exponent, then make the exponent a
        // multiple of three (rounding it down).
        let mut mantissa = self.nanos;
        let mut exponent: i32 = -9;
        while mantissa % 10 == 0 {
            mantissa /= 10;
            exponent += 1;
        }
        while exponent.rem_euclid(3) != 0 {
            mantissa *= 10;
            exponent -= 1;
        }
        match format {
            Format::DecimalExponent => {
                if exponent == 0 {
                    write!(f, "{mantissa}")
                } else {
                    write!(f, "{mantissa}e{exponent}")
                }
            }
            _ => match DECIMAL_SUFFIXES.iter().find(|(e, _)| *e == exponent) {
                Some((_, suffix)) => write!(f, "{mantissa}{suffix}"),
                // Beyond `E` there is no SI suffix: Kubernetes falls back to
                // exponent notation rather than losing the magnitude.
                None => write!(f, "{mantissa}e{exponent}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn canon(s: &str) -> String {
        Quantity::parse(s).unwrap().to_string()
    }

    #[test]
    fn canonical_forms_match_kubernetes() {
        let cases = [
            ("0", "0"),
            ("0000", "0"),
            ("-0", "0"),
            ("0Gi", "0"),
            ("1000m", "1"),
            ("1500m", "1500m"),
            ("0.1", "100m"),
            ("0.5", "500m"),
            ("1.5Gi", "1536Mi"),
            ("1Gi", "1Gi"),
            ("1024Mi", "1Gi"),
            ("1024", "1024"),
            ("1Ki", "1Ki"),
            ("0.5Ki", "512"),
            ("1.1Ki", "1126400m"),
            ("0.5Mi", "512Ki"),
            ("1023Ki", "1023Ki"),
            ("1e3", "1e3"),
            ("1E3", "1e3"),
            ("1e-3", "1e-3"),
            ("100e-3", "100e-3"),
            ("1000e0", "1e3"),
            ("12e1", "120"),
            ("1k", "1k"),
            ("1000", "1k"),
            ("1000000", "1M"),
            ("1500", "1500"),
            ("1.5k", "1500"),
            ("1.5M", "1500k"),
            ("100M", "100M"),
            ("0.001", "1m"),
            ("0.0001", "100u"),
            ("1n", "1n"),
            ("0.1n", "1n"),
            ("1.0000000001", "1000000001n"),
            ("-1.5", "-1500m"),
            ("+1.5", "1500m"),
            ("-1Gi", "-1Gi"),
            ("1.", "1"),
            (".5", "500m"),
            ("1.G", "1G"),
            ("1E", "1E"),
            ("1000E", "1e21"),
            ("5000E", "5e21"),
            ("1e21", "1e21"),
            ("100.035k", "100035"),
            ("10.035M", "10035k"),
            ("1.2e3", "1200"),
            ("1.3E+6", "1300e3"),
            ("1.7E18", "1700e15"),
            ("7.123456M", "7123456"),
            ("2.5P", "2500T"),
            ("1.01E", "1010P"),
            ("3.001n", "4n"),
            ("1.1E-9", "2e-9"),
            ("0.0000000005", "1n"),
            ("0.00000012345", "124n"),
            ("12E", "12E"),
            ("100.035Ki", "102435840m"),
            ("0.05Gi", "53687091200m"),
            (".001Ki", "1024m"),
            (".000000001Ki", "1024n"),
            (".000000000001Ki", "2n"),
            ("-.000000000001Ki", "-2n"),
            ("300Mi", "300Mi"),
            ("307200Ki", "300Mi"),
            ("1025Ki", "1025Ki"),
            ("1.08", "1080m"),
            ("1000u", "1m"),
            (".001e12", "1e9"),
            ("0.001e0", "1e-3"),
            ("1000e-12", "1e-9"),
            ("00", "0"),
            ("8Ei", "9223372036854775807"),
            ("100Ei", "9223372036854775807"),
        ];
        for (input, want) in cases {
            assert_eq!(canon(input), want, "canonical form of {input:?}");
        }
    }

    #[test]
    fn parse_errors_are_clear() {
        assert_eq!(Quantity::parse(""), Err(QuantityError::Empty));
        for bad in ["-", ".", "abc", "Gi", " 1"] {
            assert!(
                matches!(
                    Quantity::parse(bad),
                    Err(QuantityError::InvalidNumber { .. })
                ),
                "{bad}"
            );
        }
        for bad in [
            "1K", "1Kib", "1 Gi", "1e", "1e+", "1ee3", "1i", "1.5.5", "1e3.5",
        ] {
            let err = Quantity::parse(bad).unwrap_err();
            assert!(
                matches!(err, QuantityError::InvalidSuffix { .. }),
                "{bad}: {err}"
            );
        }
        let err = Quantity::parse("1Kb").unwrap_err();
        assert!(err.to_string().contains("unknown suffix \"Kb\""), "{err}");
        assert!(matches!(
            Quantity::parse("1e100"),
            Err(QuantityError::OutOfRange { .. })
        ));
    }

    #[test]
    fn values_round_away_from_zero() {
        let q = Quantity::parse("1.5").unwrap();
        assert_eq!(q.value(), Some(2));
        assert_eq!(q.milli_value(), Some(1500));
        let q = Quantity::parse("-1.5").unwrap();
        assert_eq!(q.value(), Some(-2));
        assert_eq!(Quantity::parse("1n").unwrap().milli_value(), Some(1));
        assert_eq!(Quantity::parse("1Gi").unwrap().value(), Some(1 << 30));
        assert_eq!(Quantity::parse("100m").unwrap().milli_value(), Some(100));
        assert_eq!(Quantity::parse("100P").unwrap().milli_value(), None);
    }

    #[test]
    fn ordering_spans_formats() {
        let q = |s: &str| Quantity::parse(s).unwrap();
        assert_eq!(q("1Ki"), q("1024"));
        assert_eq!(q("1k"), q("1e3"));
        assert!(q("1") < q("1001m"));
        assert!(q("1Gi") > q("1G"));
        assert!(q("-1") < q("0"));
        let mut list = [q("2"), q("1Ki"), q("500m"), q("1e3")];
        list.sort();
        let printed: Vec<String> = list.iter().map(Quantity::to_string).collect();
        assert_eq!(printed, ["500m", "2", "1e3", "1Ki"]);
    }

    #[test]
    fn k8s_openapi_helpers() {
        let k = K8sQuantity("1000m".to_string());
        assert_eq!(canonicalize(&k).unwrap(), K8sQuantity("1".to_string()));
        let q = Quantity::try_from(&K8sQuantity("2Gi".to_string())).unwrap();
        assert_eq!(K8sQuantity::from(q).0, "2Gi");
        let sum = q.checked_add(&Quantity::parse("512Mi").unwrap()).unwrap();
        assert_eq!(sum.to_string(), "2560Mi");
        assert_eq!(Quantity::from_milli(1500).to_string(), "1500m");
        assert_eq!(
            Quantity::from_value(2048, Format::BinarySI).to_string(),
            "2Ki"
        );
    }

    #[test]
    fn resource_lists_are_canonicalized() {
        let mut list: std::collections::BTreeMap<String, K8sQuantity> =
            [("cpu", "1000m"), ("memory", "1024Mi"), ("pods", "110")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), K8sQuantity(v.to_string())))
                .collect();
        canonicalize_resource_list(&mut list).unwrap();
        assert_eq!(list["cpu"].0, "1");
        assert_eq!(list["memory"].0, "1Gi");
        assert_eq!(list["pods"].0, "110");
        list.insert("gpu".into(), K8sQuantity("lots".into()));
        let err = canonicalize_resource_list(&mut list).unwrap_err();
        assert_eq!(err.resource, "gpu");
        assert!(err.to_string().contains("\"gpu\""), "{err}");
    }

    #[test]
    fn serde_accepts_strings_and_numbers() {
        let q: Quantity = serde_json::from_str("\"1.5Gi\"").unwrap();
        assert_eq!(serde_json::to_string(&q).unwrap(), "\"1536Mi\"");
        let q: Quantity = serde_json::from_str("\" 1 \"").unwrap();
        assert_eq!(q.to_string(), "1");
        let q: Quantity = serde_json::from_str("2").unwrap();
        assert_eq!(q.value(), Some(2));
        assert!(serde_json::from_str::<Quantity>("true").is_err());
    }

    fn quantity_string() -> impl Strategy<Value = String> {
        (
            prop::option::of(prop_oneof![Just("-"), Just("+")]),
            0u64..100_000_000,
            prop::option::of(0u32..1_000_000),
            prop_oneof![
                Just(String::new()),
                prop::sample::select(vec![
                    "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"
                ])
                .prop_map(str::to_string),
                (-12i32..12).prop_map(|e| format!("e{e}")),
            ],
        )
            .prop_map(|(sign, int, frac, suffix)| {
                let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
                format!("{}{int}{frac}{suffix}", sign.unwrap_or(""))
            })
    }

    proptest! {
        #[test]
        fn canonical_form_reparses_equal(s in quantity_string()) {
            let q = Quantity::parse(&s).unwrap();
            let printed = q.to_string();
            let again = Quantity::parse(&printed).unwrap();
            prop_assert_eq!(q, again);
            // The canonical form is a fixed point.
            prop_assert_eq!(again.to_string(), printed);
        }

        #[test]
        fn ordering_matches_milli_values(a in quantity_string(), b in quantity_string()) {
            let qa = Quantity::parse(&a).unwrap();
            let qb = Quantity::parse(&b).unwrap();
            if let (Some(ma), Some(mb)) = (qa.milli_value(), qb.milli_value()) {
                // Milli values round, so they can only tie where the exact values differ.
                if ma != mb {
                    prop_assert_eq!(qa.cmp(&qb), ma.cmp(&mb));
                }
                if qa == qb {
                    prop_assert_eq!(ma, mb);
                }
            }
        }

        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = Quantity::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_numberish(s in "[-+]?[0-9]{0,45}\\.?[0-9]{0,45}(e|E|Ki|Ei|E|n|e-?[0-9]{1,12})?") {
            if let Ok(q) = Quantity::parse(&s) {
                let _ = q.to_string();
            }
        }
    }
}
