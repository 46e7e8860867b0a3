//! `earmark headphones list [--json]` and `earmark headphones match "DEVICE NAME" [--json]`: the
//! profile catalogue and what Earmark makes of an output device, for people checking their
//! setup, for authors of profiles (every bad file is reported and the rest still listed) and for
//! scripts (JSON with stable keys).

use super::{InterfaceArg, Outcome, choice};
use crate::headphones::{
    Catalog, Declaration, Declarations, DeviceInfo, Identified, IdentifiedBy, Interface,
    LoadReport, Recognition, recognise,
};
use clap::Subcommand;
use serde_json::{Value, json};
use std::io::Write as _;

/// `earmark headphones …`.
#[derive(Debug, Subcommand)]
pub enum HeadphonesCommand {
    /// List the headphone, amplifier, DAC and source profiles; problems with any profile file go
    /// to stderr.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show which profiles match an output device, by which rule, and the warnings.
    Match {
        /// The output device's name as the system shows it (see `earmark --list-devices`).
        device: String,
        /// Treat these headphones (profile id or model name; `earmark headphones list` shows
        /// them) as declared for the device; by default the saved declaration for the device is
        /// used.
        #[arg(long, value_name = "MODEL")]
        headphones: Option<String>,
        /// Treat this amplifier (profile id or model name; `earmark headphones list` shows
        /// them) as declared between the device and the headphones.
        #[arg(long, value_name = "AMP")]
        amplifier: Option<String>,
        /// The connection the system reports.
        #[arg(
            long,
            value_name = "KIND",
            ignore_case = true,
            value_parser = choice::<InterfaceArg>("--interface kind")
        )]
        interface: Option<InterfaceArg>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: HeadphonesCommand) -> anyhow::Result<Outcome> {
    let report = Catalog::load_standard();
    for o in &report.overrides {
        eprintln!("earmark: note: {o}");
    }
    match command {
        HeadphonesCommand::List { json } => list(&report, json),
        HeadphonesCommand::Match {
            device,
            headphones,
            amplifier,
            interface,
            json,
        } => {
            // A profile error matters less here than in `list`, but must not pass in silence.
            for e in &report.errors {
                eprintln!("earmark: {e}");
            }
            let request = Request {
                device: &device,
                headphones: headphones.as_deref(),
                amplifier: amplifier.as_deref(),
                interface: interface.map(Interface::from),
            };
            match_device(&report.catalog, &request, json)
        }
    }
}

fn list(report: &LoadReport, json: bool) -> anyhow::Result<Outcome> {
    for e in &report.errors {
        eprintln!("earmark: {e}");
    }
    let catalog = &report.catalog;
    let mut out = std::io::stdout().lock();
    if json {
        let errors: Vec<Value> = report
            .errors
            .iter()
            .map(|e| {
                json!({
                    "file": e.file().map(|f| f.display().to_string()),
                    "line": e.line(),
                    "field": e.field(),
                    "message": e.to_string(),
                })
            })
            .collect();
        let overrides: Vec<Value> = report
            .overrides
            .iter()
            .map(|o| {
                json!({
                    "id": o.id,
                    "user_file": o.user_file.display().to_string(),
                    "shipped_file": o.shipped_file,
                })
            })
            .collect();
        let doc = json!({
            "headphones": catalog.headphones(),
            "devices": catalog.devices(),
            "overrides": overrides,
            "errors": errors,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(Outcome::Done);
    }
    writeln!(out, "Headphones ({}):", catalog.headphones().len())?;
    for h in catalog.headphones() {
        writeln!(out, "  {}  [{}]{}", h.summary(), h.id, user_mark(&h.origin))?;
    }
    writeln!(
        out,
        "Amplifiers, DACs and sources ({}):",
        catalog.devices().len()
    )?;
    for d in catalog.devices() {
        writeln!(out, "  {}  [{}]{}", d.summary(), d.id, user_mark(&d.origin))?;
    }
    writeln!(
        out,
        "Figures marked (unverified) have not been checked against the maker's data; dB SPL/V is \
         derived from the stated sensitivity and impedance."
    )?;
    if !report.errors.is_empty() {
        writeln!(
            out,
            "{} profile file(s) could not be used; see the messages above.",
            report.errors.len()
        )?;
    }
    Ok(Outcome::Done)
}

fn user_mark(origin: &crate::headphones::Origin) -> String {
    match origin {
        crate::headphones::Origin::Shipped { .. } => String::new(),
        user => format!("  ({user})"),
    }
}

/// What `match` was asked.
struct Request<'a> {
    device: &'a str,
    headphones: Option<&'a str>,
    amplifier: Option<&'a str>,
    interface: Option<Interface>,
}

fn match_device(catalog: &Catalog, request: &Request<'_>, json: bool) -> anyhow::Result<Outcome> {
    if request.device.trim().is_empty() {
        return Ok(Outcome::BadInput("give the output device's name".into()));
    }
    let mut declaration = saved_declaration(request.device).unwrap_or_default();
    if let Some(query) = request.headphones {
        let found: Vec<String> = catalog
            .search_headphones(query)
            .iter()
            .map(|h| h.id.clone())
            .collect();
        match one(query, "headphone", found) {
            Ok(id) => declaration.headphones = Some(id),
            Err(message) => return Ok(Outcome::BadInput(message)),
        }
    }
    if let Some(query) = request.amplifier {
        let found: Vec<String> = catalog
            .search_devices(query)
            .iter()
            .map(|d| d.id.clone())
            .collect();
        match one(query, "amplifier", found) {
            Ok(id) => declaration.amplifier = Some(id),
            Err(message) => return Ok(Outcome::BadInput(message)),
        }
    }
    let device = DeviceInfo {
        interface: request.interface,
        ..DeviceInfo::named(request.device)
    };
    let r = recognise(catalog, &device, Some(&declaration));
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&match_json(&r))?)?;
    } else {
        writeln!(out, "{}", match_text(&r))?;
    }
    Ok(Outcome::Done)
}

/// The saved declaration for `device`, if any (a damaged file is reported and ignored).
fn saved_declaration(device: &str) -> Option<Declaration> {
    let loaded = Declarations::default_path().and_then(|p| Declarations::load(&p));
    match loaded {
        Ok(d) => d.get(device).cloned(),
        Err(e) => {
            eprintln!("earmark: {e}");
            None
        }
    }
}

/// The single profile id a query found, or a message saying why not.
fn one(query: &str, what: &str, found: Vec<String>) -> Result<String, String> {
    match found.as_slice() {
        [id] => Ok(id.clone()),
        [] => Err(format!(
            "no {what} profile matches {query:?}; see `earmark headphones list`"
        )),
        many => Err(format!(
            "{query:?} could mean several {what} profiles: {}; give the id",
            many.join(", ")
        )),
    }
}

fn by_json(by: &IdentifiedBy) -> Value {
    match by {
        IdentifiedBy::Rule { rule } => json!({ "how": "rule", "rule": rule }),
        IdentifiedBy::Declared => json!({ "how": "declared", "rule": null }),
    }
}

fn match_json(r: &Recognition) -> Value {
    let headphones = r.headphones.as_ref().map(|h| {
        json!({
            "id": h.profile.id,
            "name": h.profile.name(),
            "guidance": h.profile.guidance.id(),
            "connection": h.profile.connection,
            "db_spl_per_v": h.profile.db_spl_per_v,
            "by": by_json(&h.by),
        })
    });
    let output = r.output.as_ref().map(device_json);
    let amplifier = r.amplifier.as_ref().map(|a| {
        device_json(&Identified {
            profile: a.clone(),
            by: IdentifiedBy::Declared,
        })
    });
    let warnings: Vec<Value> = r
        .warnings
        .iter()
        .map(|w| json!({ "code": w.code(), "message": w.message() }))
        .collect();
    json!({
        "device": r.device,
        "headphones": headphones,
        "output": output,
        "amplifier": amplifier,
        "candidates": r.candidates,
        "bluetooth": r.bluetooth,
        "max_spl": r.max_spl,
        "warnings": warnings,
    })
}

fn device_json(d: &Identified<crate::headphones::DeviceProfile>) -> Value {
    json!({
        "id": d.profile.id,
        "name": d.profile.name(),
        "kind": d.profile.kind,
        "builtin_dsp": d.profile.builtin_dsp,
        "by": by_json(&d.by),
    })
}

fn match_text(r: &Recognition) -> String {
    let by = |b: &IdentifiedBy| match b {
        IdentifiedBy::Rule { rule } => format!("matched: {rule}"),
        IdentifiedBy::Declared => "declared".to_owned(),
    };
    let mut s = format!("{:?}\n", r.device.name);
    match &r.output {
        Some(o) => s.push_str(&format!(
            "  output      {}  [{}] ({})\n",
            o.profile.summary(),
            o.profile.id,
            by(&o.by)
        )),
        None => s.push_str("  output      no profile matches this device\n"),
    }
    if let Some(a) = &r.amplifier {
        s.push_str(&format!(
            "  amplifier   {}  [{}] (declared)\n",
            a.summary(),
            a.id
        ));
    }
    match &r.headphones {
        Some(h) => s.push_str(&format!(
            "  headphones  {}  [{}] ({})\n",
            h.profile.summary(),
            h.profile.id,
            by(&h.by)
        )),
        None => s.push_str("  headphones  unknown\n"),
    }
    if let Some(b) = &r.bluetooth {
        s.push_str(&format!(
            "  bluetooth   yes{}: {}\n",
            if b.hands_free { ", hands-free" } else { "" },
            b.reason
        ));
    }
    if let Some(e) = &r.max_spl {
        s.push_str(&format!(
            "  max level   about {:.0} dB SPL at full scale ({:.1} dB SPL/V, {} Vrms{}){}\n",
            e.db_spl,
            e.db_spl_per_v,
            e.vrms,
            if e.source_loss_db < -0.05 {
                format!(", {:.1} dB lost to output impedance", e.source_loss_db)
            } else {
                String::new()
            },
            if e.unverified.is_empty() {
                ""
            } else {
                ", from unverified figures"
            }
        ));
    }
    let used = |id: &str| {
        r.output.as_ref().is_some_and(|o| o.profile.id == id)
            || r.headphones.as_ref().is_some_and(|h| h.profile.id == id)
    };
    let others: Vec<_> = r
        .candidates
        .iter()
        .filter(|c| !used(&c.profile_id))
        .collect();
    if !others.is_empty() {
        s.push_str("  also matched (less specific):\n");
        for c in others {
            s.push_str(&format!("    {} [{}]: {}\n", c.name, c.profile_id, c.rule));
        }
    }
    if r.warnings.is_empty() {
        s.push_str("  no warnings");
    } else {
        s.push_str("  warnings:");
        for w in &r.warnings {
            s.push_str(&format!("\n    - {w}"));
        }
    }
    s
}
