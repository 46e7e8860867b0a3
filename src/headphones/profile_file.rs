//! One profile file read and checked against the schema (documented in
//! `headphone_profiles/README.md`): the TOML is read into strict raw structs (unknown fields are
//! errors), then every field is validated with its line and name in the message, so a profile
//! author sees "line 12, `sensitivity.value`: …" rather than a serde trace.

use super::catalog::{Profile, SCHEMA_VERSION};
use super::error::ProfileError;
use super::profile::{
    BuiltinDsp, Connection, DeviceKind, DeviceProfile, Enclosure, FullScale, Guidance,
    HeadphoneProfile, Interface, MatchRule, Origin, Pattern, RuleField, Sensitivity,
    SensitivityRef, Sourced, words,
};
use serde::Deserialize;
use std::path::Path;
use toml::Spanned;

/// Parses and validates one profile file. `file` is only used in error messages; the origin is
/// set to "shipped" and corrected by the loader.
pub fn parse_profile(text: &str, file: &Path) -> Result<Profile, ProfileError> {
    parse(text, file).map(|(p, _)| p)
}

/// The profile and the line of its `id` (for duplicate-id errors).
pub(super) fn parse(text: &str, file: &Path) -> Result<(Profile, usize), ProfileError> {
    let toml_error = |e: toml::de::Error| ProfileError::from_toml(file, text, &e);
    let v = Validator { file, text };
    // The kind decides the schema, so it is read first (this pass also reports bad TOML).
    let probe: KindProbe = toml::from_str(text).map_err(toml_error)?;
    let Some(kind) = probe.kind else {
        return Err(v.error(
            0..0,
            "kind",
            "missing field `kind` (headphones, amplifier, dac or source)",
        ));
    };
    if kind.get_ref() == "headphones" {
        let raw: RawHeadphones = toml::from_str(text).map_err(toml_error)?;
        let line = super::error::line_column(text, raw.id.span().start).0;
        Ok((Profile::Headphones(v.headphones(raw)?), line))
    } else if ["amplifier", "dac", "source"].contains(&kind.get_ref().as_str()) {
        let raw: RawDevice = toml::from_str(text).map_err(toml_error)?;
        let line = super::error::line_column(text, raw.id.span().start).0;
        Ok((Profile::Device(v.device(raw)?), line))
    } else {
        Err(v.error(
            kind.span(),
            "kind",
            format!(
                "unknown kind `{}`, expected headphones, amplifier, dac or source",
                kind.get_ref()
            ),
        ))
    }
}

// ---- The file schema (documented in headphone_profiles/README.md) ----

#[derive(Deserialize)]
struct KindProbe {
    kind: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeadphones {
    schema_version: Spanned<i64>,
    #[allow(dead_code)] // Read by the probe; listed so the strict schema accepts it.
    kind: String,
    id: Spanned<String>,
    maker: Spanned<String>,
    model: Spanned<String>,
    #[serde(default)]
    variant: String,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    guidance: Guidance,
    enclosure: Enclosure,
    #[serde(default)]
    connection: Connection,
    #[serde(default)]
    note: String,
    impedance: Option<RawOhms>,
    sensitivity: Option<RawSensitivity>,
    #[serde(default, rename = "match")]
    rules: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDevice {
    schema_version: Spanned<i64>,
    kind: DeviceKind,
    id: Spanned<String>,
    maker: Spanned<String>,
    model: Spanned<String>,
    #[serde(default)]
    variant: String,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    #[serde(default)]
    full_scale: Vec<RawFullScale>,
    output_impedance: Option<RawOhms>,
    #[serde(default)]
    builtin_dsp: Vec<BuiltinDsp>,
    #[serde(default)]
    bluetooth: bool,
    #[serde(default)]
    note: String,
    #[serde(default, rename = "match")]
    rules: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOhms {
    ohm: Spanned<f64>,
    source: Spanned<String>,
    verified: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSensitivity {
    db_spl: Spanned<f64>,
    per: SensitivityRef,
    at_hz: Option<Spanned<f64>>,
    source: Spanned<String>,
    verified: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFullScale {
    vrms: Spanned<f64>,
    min_load_ohm: Option<Spanned<f64>>,
    source: Spanned<String>,
    verified: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    #[serde(default)]
    field: RuleField,
    words: Option<Spanned<String>>,
    contains: Option<Spanned<String>>,
    prefix: Option<Spanned<String>>,
    equals: Option<Spanned<String>>,
    #[serde(default)]
    unless: Vec<Spanned<String>>,
    interface: Option<Interface>,
}

/// Checks values the schema cannot: ranges, empty texts, rule shape.
struct Validator<'a> {
    file: &'a Path,
    text: &'a str,
}

impl Validator<'_> {
    fn error(
        &self,
        span: std::ops::Range<usize>,
        field: &str,
        problem: impl Into<String>,
    ) -> ProfileError {
        ProfileError::at(self.file, self.text, span, field, problem)
    }

    fn version(&self, v: &Spanned<i64>) -> Result<(), ProfileError> {
        if *v.get_ref() == SCHEMA_VERSION {
            Ok(())
        } else {
            Err(self.error(
                v.span(),
                "schema_version",
                format!(
                    "schema version {} is not supported; this Earmark reads version {SCHEMA_VERSION}",
                    v.get_ref()
                ),
            ))
        }
    }

    fn text(&self, s: &Spanned<String>, field: &str) -> Result<String, ProfileError> {
        let t = s.get_ref().trim();
        if t.is_empty() {
            Err(self.error(s.span(), field, "must not be empty"))
        } else {
            Ok(t.to_owned())
        }
    }

    fn id(&self, s: &Spanned<String>) -> Result<String, ProfileError> {
        let id = self.text(s, "id")?;
        let ok = id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
        if ok {
            Ok(id)
        } else {
            Err(self.error(
                s.span(),
                "id",
                format!("`{id}` may hold only a-z, 0-9, `.`, `-` and `_`"),
            ))
        }
    }

    fn aliases(&self, aliases: &[Spanned<String>]) -> Result<Vec<String>, ProfileError> {
        aliases.iter().map(|a| self.text(a, "aliases")).collect()
    }

    /// A finite number within `range` (inclusive).
    fn number(
        &self,
        v: &Spanned<f64>,
        field: &str,
        unit: &str,
        range: std::ops::RangeInclusive<f64>,
    ) -> Result<f64, ProfileError> {
        let x = *v.get_ref();
        if x.is_finite() && range.contains(&x) {
            return Ok(x);
        }
        let (lo, hi) = (range.start(), range.end());
        let problem = if *lo == 0.0 && x < 0.0 {
            format!("must not be negative (got {x} {unit})")
        } else {
            format!("must be from {lo} to {hi} {unit} (got {x})")
        };
        Err(self.error(v.span(), field, problem))
    }

    fn ohms(
        &self,
        raw: &RawOhms,
        table: &str,
        allow_zero: bool,
    ) -> Result<Sourced<f64>, ProfileError> {
        let field = format!("{table}.ohm");
        let value = self.number(&raw.ohm, &field, "Ω", 0.0..=100_000.0)?;
        if value == 0.0 && !allow_zero {
            return Err(self.error(raw.ohm.span(), &field, "must be more than 0 Ω"));
        }
        Ok(Sourced {
            value,
            source: self.text(&raw.source, &format!("{table}.source"))?,
            verified: raw.verified,
        })
    }

    fn sensitivity(&self, raw: &RawSensitivity) -> Result<Sourced<Sensitivity>, ProfileError> {
        let db_spl = self.number(&raw.db_spl, "sensitivity.db_spl", "dB SPL", 60.0..=150.0)?;
        let at_hz = match &raw.at_hz {
            Some(spanned) => {
                let hz = self.number(spanned, "sensitivity.at_hz", "Hz", 0.0..=100_000.0)?;
                if hz == 0.0 {
                    return Err(self.error(
                        spanned.span(),
                        "sensitivity.at_hz",
                        "must be more than 0 Hz",
                    ));
                }
                Some(hz)
            }
            None => None,
        };
        Ok(Sourced {
            value: Sensitivity {
                db_spl,
                per: raw.per,
                at_hz,
            },
            source: self.text(&raw.source, "sensitivity.source")?,
            verified: raw.verified,
        })
    }

    fn rules(&self, raw: &[Spanned<RawRule>]) -> Result<Vec<MatchRule>, ProfileError> {
        raw.iter()
            .enumerate()
            .map(|(i, r)| self.rule(r, &format!("match[{}]", i + 1)))
            .collect()
    }

    fn rule(&self, spanned: &Spanned<RawRule>, table: &str) -> Result<MatchRule, ProfileError> {
        let r = spanned.get_ref();
        let given: Vec<(&str, &Spanned<String>)> = [
            ("words", &r.words),
            ("contains", &r.contains),
            ("prefix", &r.prefix),
            ("equals", &r.equals),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
        .collect();
        let (key, value) = match given.as_slice() {
            [one] => *one,
            [] => {
                return Err(self.error(
                    spanned.span(),
                    table,
                    "empty match rule: give one of `words`, `contains`, `prefix` or `equals`",
                ));
            }
            [_, (second, v), ..] => {
                return Err(self.error(
                    v.span(),
                    &format!("{table}.{second}"),
                    "a rule takes only one of `words`, `contains`, `prefix` or `equals`; write two rules",
                ));
            }
        };
        let field = format!("{table}.{key}");
        let text = self.text(value, &field)?;
        if key == "words" && words(&text).is_empty() {
            return Err(self.error(value.span(), &field, "has no letters or digits"));
        }
        let pattern = match key {
            "words" => Pattern::Words(text),
            "contains" => Pattern::Contains(text),
            "prefix" => Pattern::Prefix(text),
            _ => Pattern::Equals(text),
        };
        let unless = r
            .unless
            .iter()
            .map(|u| {
                let field = format!("{table}.unless");
                let t = self.text(u, &field)?;
                if words(&t).is_empty() {
                    Err(self.error(u.span(), &field, "has no letters or digits"))
                } else {
                    Ok(t)
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(MatchRule {
            field: r.field,
            pattern,
            unless,
            interface: r.interface,
        })
    }

    fn headphones(&self, raw: RawHeadphones) -> Result<HeadphoneProfile, ProfileError> {
        self.version(&raw.schema_version)?;
        let mut profile = HeadphoneProfile {
            id: self.id(&raw.id)?,
            maker: self.text(&raw.maker, "maker")?,
            model: self.text(&raw.model, "model")?,
            variant: raw.variant.trim().to_owned(),
            aliases: self.aliases(&raw.aliases)?,
            guidance: raw.guidance,
            enclosure: raw.enclosure,
            connection: raw.connection,
            impedance_ohm: raw
                .impedance
                .as_ref()
                .map(|z| self.ohms(z, "impedance", false))
                .transpose()?,
            sensitivity: raw
                .sensitivity
                .as_ref()
                .map(|s| self.sensitivity(s))
                .transpose()?,
            db_spl_per_v: None,
            rules: self.rules(&raw.rules)?,
            note: raw.note.trim().to_owned(),
            origin: Origin::Shipped {
                file: String::new(),
            },
        };
        profile.derive();
        Ok(profile)
    }

    fn device(&self, raw: RawDevice) -> Result<DeviceProfile, ProfileError> {
        self.version(&raw.schema_version)?;
        let mut full_scale = raw
            .full_scale
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let table = format!("full_scale[{}]", i + 1);
                let vrms = self.number(&f.vrms, &format!("{table}.vrms"), "Vrms", 0.0..=100.0)?;
                if vrms == 0.0 {
                    return Err(self.error(
                        f.vrms.span(),
                        &format!("{table}.vrms"),
                        "must be more than 0 Vrms",
                    ));
                }
                let min_load_ohm = match &f.min_load_ohm {
                    Some(z) => {
                        self.number(z, &format!("{table}.min_load_ohm"), "Ω", 0.0..=100_000.0)?
                    }
                    None => 0.0,
                };
                Ok(FullScale {
                    vrms: Sourced {
                        value: vrms,
                        source: self.text(&f.source, &format!("{table}.source"))?,
                        verified: f.verified,
                    },
                    min_load_ohm,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        full_scale.sort_by(|a, b| a.min_load_ohm.total_cmp(&b.min_load_ohm));
        let mut builtin_dsp = raw.builtin_dsp;
        builtin_dsp.dedup();
        Ok(DeviceProfile {
            id: self.id(&raw.id)?,
            maker: self.text(&raw.maker, "maker")?,
            model: self.text(&raw.model, "model")?,
            variant: raw.variant.trim().to_owned(),
            aliases: self.aliases(&raw.aliases)?,
            kind: raw.kind,
            full_scale,
            output_impedance_ohm: raw
                .output_impedance
                .as_ref()
                .map(|z| self.ohms(z, "output_impedance", true))
                .transpose()?,
            builtin_dsp,
            bluetooth: raw.bluetooth,
            rules: self.rules(&raw.rules)?,
            note: raw.note.trim().to_owned(),
            origin: Origin::Shipped {
                file: String::new(),
            },
        })
    }
}
