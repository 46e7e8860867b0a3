//! The source folders' dependencies point one way (issue 18, "layers the build enforces").
//!
//! Every `src/**/*.rs` is read; each file belongs to its folder-level module (`src/audio/…` →
//! `audio`, `src/settings.rs` → `settings`; `lib.rs` and `main.rs` are the root and are not
//! checked). Every path that reaches another top-level module of the crate is an edge:
//! `crate::X…` in `use` declarations and in code, the members of `use crate::{a, b::c}` groups
//! (across lines too), and `super::…::X` that climbs out of the folder to the crate root.
//! Comments, doc comments, string and char literals are blanked out first. Code under
//! `#[cfg(test)]` **is included**: a unit test that reaches up a layer is a dependency too.
//!
//! Each edge must be in [`ALLOWED`], the one table of which module may use which, and that table
//! must have no cycles. A forbidden edge fails `dependencies_follow_the_allowed_graph`, naming
//! the file and line. `cargo test --test checks architecture -- --nocapture` prints the real graph.
//! The README's module map ("Dependencies point one way") describes the same table.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Each folder-level module and the modules it may use directly (separated by spaces), top layer
/// first. Whatever is not listed is forbidden (nothing is allowed "transitively"). A new
/// top-level module must be added here, the table must stay acyclic, and the README's module map
/// must show the same rows (tests check all three).
///
/// Layers, each using only layers below it: `cli` / `ui` → `review` → `player` / `report` → `security` /
/// `analysis` → `settings` → `headphones` / `video` / `delivery` / `notes` → `audio` → `media` /
/// `meters` → `time` / `persist` / `script`. The window reaches audio devices and monitoring modes only
/// through `player` (`ui` may not use `audio`).
const ALLOWED: &[(&str, &str)] = &[
    // The command line fills in a review's setup and runs the CLI's own commands; the binary
    // hands the setup to the window. Neither the command line nor the window uses the other.
    (
        "cli",
        "together review player report security analysis settings headphones video delivery notes audio media meters time persist script",
    ),
    (
        "ui",
        "together review player report security analysis settings headphones video delivery notes media meters time persist script",
    ),
    // Reviewing together: remote participants drive a review like the window does (intents in,
    // events out); the network (iroh) is touched only here.
    ("together", "review player notes security persist time"),
    // The review session: the open file, intents in and events out, notes saved as they change,
    // marks and loop, the background analysis. No window, no command line.
    ("review", "player analysis settings notes time"),
    // Plays a file: decoders, the output device, the clock. Whole-file analysis is not its
    // business (`analysis`).
    (
        "player",
        "headphones video delivery audio media meters time persist",
    ),
    // The review report and notes export: reads everything about a review, and runs the
    // whole-file loudness scan (`analysis::ScanJob`) when the cache has no numbers. It does not
    // need the player.
    (
        "report",
        "security analysis settings headphones video delivery notes media meters time persist",
    ),
    // Content security: the access log, review complete. The loudness cache's key and folder
    // come from `persist`, not from the player.
    ("security", "settings notes time persist"),
    // Whole-file analysis in the background: the loudness scan and the delivery check, cached per
    // content. No devices, no window.
    ("analysis", "delivery audio meters persist"),
    // Preferences hold the lower modules' settings types (watermark, listening band).
    ("settings", "headphones video persist"),
    // Check signals implement `audio::output::StereoLoop`; the output never names headphones.
    ("headphones", "audio meters time persist"),
    ("video", "media time persist script"),
    ("delivery", "media time"),
    ("notes", "time persist"),
    ("audio", "media time"),
    ("media", "time"),
    ("meters", ""),
    ("time", ""),
    ("persist", ""),
    // Text in every script: fonts from the system's fallback, right-to-left order, script classes.
    ("script", ""),
];

/// One reference from a file to a top-level module of the crate.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reference {
    /// The top-level module named (`audio` for `crate::audio::Foo`).
    module: String,
    /// 1-based line of the module's name in the file.
    line: usize,
}

/// A reference the table forbids.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Violation {
    file: String,
    line: usize,
    from: String,
    to: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: `{}` uses `{}`, which the allowed graph does not let it use (it may use: {})",
            self.file,
            self.line,
            self.from,
            self.to,
            allowed_for(&self.from)
                .map(|m| if m.is_empty() {
                    "nothing".to_owned()
                } else {
                    m.join(", ")
                })
                .unwrap_or_else(|| "— it is not in the table at all".to_owned())
        )
    }
}

/// The table as a graph: module → modules it may use.
fn allowed_graph() -> BTreeMap<&'static str, Vec<&'static str>> {
    ALLOWED
        .iter()
        .map(|(m, uses)| (*m, uses.split_whitespace().collect()))
        .collect()
}

fn allowed_for(module: &str) -> Option<Vec<&'static str>> {
    allowed_graph().remove(module)
}

// ---------------------------------------------------------------------------------------------
// Reading the sources

/// Blanks out comments (line, block — nested — and doc comments), string literals (plain, byte,
/// raw with any number of `#`) and char literals, keeping every newline so offsets still map to
/// the same lines. Lifetimes (`'a`) are left alone.
fn strip(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |out: &mut String, ch: char| out.push(if ch == '\n' { '\n' } else { ' ' });
    let is_ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut i = 0;
    while i < c.len() {
        let at = |k: usize| c.get(k).copied().unwrap_or('\0');
        // Comments.
        if at(i) == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                blank(&mut out, c[i]);
                i += 1;
            }
            continue;
        }
        if at(i) == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
            continue;
        }
        // Raw strings: r"…", r#"…"#, br"…", br#"…"# (not part of a longer identifier).
        let word_start = i == 0 || !is_ident(c[i - 1]);
        if word_start && (at(i) == 'r' || (at(i) == 'b' && at(i + 1) == 'r')) {
            let mut j = if at(i) == 'b' { i + 2 } else { i + 1 };
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            if at(j) == '"' {
                // Find `"` followed by `hashes` #s.
                let mut k = j + 1;
                loop {
                    if k >= c.len() {
                        break;
                    }
                    if c[k] == '"' && (0..hashes).all(|h| at(k + 1 + h) == '#') {
                        k += 1 + hashes;
                        break;
                    }
                    k += 1;
                }
                for &ch in &c[i..k.min(c.len())] {
                    blank(&mut out, ch);
                }
                i = k;
                continue;
            }
        }
        // Plain and byte strings.
        if at(i) == '"' || (word_start && at(i) == 'b' && at(i + 1) == '"') {
            let mut k = if at(i) == 'b' { i + 2 } else { i + 1 };
            while k < c.len() && c[k] != '"' {
                k += if c[k] == '\\' { 2 } else { 1 };
            }
            let end = (k + 1).min(c.len());
            for &ch in &c[i..end] {
                blank(&mut out, ch);
            }
            i = end;
            continue;
        }
        // Char literals ('x', '\n', '\u{1F600}', b'x'); a lifetime has no closing quote.
        if at(i) == '\'' {
            let end = if at(i + 1) == '\\' {
                let mut k = i + 2;
                while k < c.len() && c[k] != '\'' && c[k] != '\n' {
                    k += 1;
                }
                Some(k + 1)
            } else if at(i + 2) == '\'' {
                Some(i + 3)
            } else {
                None
            };
            if let Some(end) = end {
                let end = end.min(c.len());
                for &ch in &c[i..end] {
                    blank(&mut out, ch);
                }
                i = end;
                continue;
            }
        }
        out.push(c[i]);
        i += 1;
    }
    out
}

/// Identifiers, `::` and single punctuation characters, each with its 1-based line.
fn tokens(code: &str) -> Vec<(String, usize)> {
    let c: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch.is_alphanumeric() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let mut word: String = c[start..i].iter().collect();
            // Raw identifiers: r#type → type.
            if word == "r" && c.get(i) == Some(&'#') {
                let s = i + 1;
                let mut e = s;
                while e < c.len() && (c[e].is_alphanumeric() || c[e] == '_') {
                    e += 1;
                }
                if e > s {
                    word = c[s..e].iter().collect();
                    i = e;
                }
            }
            out.push((word, line));
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push(("::".to_owned(), line));
            i += 2;
        } else {
            out.push((ch.to_string(), line));
            i += 1;
        }
    }
    out
}

/// The module path of a file under `src/`: `audio/output/cpal_sink.rs` → `[audio, output,
/// cpal_sink]`, `audio/mod.rs` → `[audio]`, `settings.rs` → `[settings]`.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.strip_suffix(".rs").unwrap_or(&last).to_owned();
        if stem != "mod" {
            parts.push(stem);
        }
    }
    parts
}

/// Every path in `src` (the text of the file whose module path is `file_path`) that names an item
/// at the crate root: the first segment after `crate::`, each member of a `crate::{…}` group,
/// and the first segment after enough `super::`s to climb to the root. Inline `mod x { … }`
/// blocks (such as `mod tests`) count as one more level for `super`.
fn references(file_path: &[String], src: &str) -> Vec<Reference> {
    let toks = tokens(&strip(src));
    let t = |k: usize| toks.get(k).map(|(s, _)| s.as_str()).unwrap_or("");
    let mut found = Vec::new();
    // One entry per open brace: the inline module it opens, if any.
    let mut braces: Vec<Option<String>> = Vec::new();
    let root_names = |pos: usize, found: &mut Vec<Reference>| {
        if t(pos) == "{" {
            // A group: the first identifier of each top-level member.
            let mut depth = 0;
            let mut expect_member = false;
            let mut k = pos;
            while k < toks.len() {
                match t(k) {
                    "{" => {
                        depth += 1;
                        expect_member = depth == 1;
                    }
                    "}" => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    "," if depth == 1 => expect_member = true,
                    word if expect_member => {
                        expect_member = false;
                        if word != "self" && is_identifier(word) {
                            found.push(Reference {
                                module: word.to_owned(),
                                line: toks[k].1,
                            });
                        }
                    }
                    _ => {}
                }
                k += 1;
            }
        } else if is_identifier(t(pos)) {
            found.push(Reference {
                module: t(pos).to_owned(),
                line: toks[pos].1,
            });
        }
    };
    for k in 0..toks.len() {
        match t(k) {
            "{" => {
                let opens = (k >= 2 && t(k - 2) == "mod" && is_identifier(t(k - 1)))
                    .then(|| t(k - 1).to_owned());
                braces.push(opens);
            }
            "}" => {
                braces.pop();
            }
            "crate" if (k == 0 || t(k - 1) != "::") && t(k + 1) == "::" => {
                root_names(k + 2, &mut found);
            }
            "super" if k == 0 || t(k - 1) != "::" => {
                let mut ups = 0;
                let mut j = k;
                while t(j) == "super" && t(j + 1) == "::" {
                    ups += 1;
                    j += 2;
                }
                let depth = file_path.len() + braces.iter().flatten().count();
                if ups > 0 && ups == depth {
                    root_names(j, &mut found);
                }
            }
            _ => {}
        }
    }
    found
}

fn is_identifier(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && word.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// The references of one file that the table forbids. `modules` is the set of top-level
/// modules of the crate (other names at the root — none today — are not modules).
fn check_file(
    rel: &Path,
    src: &str,
    modules: &BTreeSet<String>,
    edges: &mut BTreeMap<(String, String), Vec<String>>,
) -> Vec<Violation> {
    let path = module_path(rel);
    let Some(from) = path.first().cloned() else {
        return Vec::new();
    };
    let shown = format!("src/{}", rel.display());
    let mut out = Vec::new();
    for r in references(&path, src) {
        if r.module == from || !modules.contains(&r.module) {
            continue;
        }
        edges
            .entry((from.clone(), r.module.clone()))
            .or_default()
            .push(format!("{shown}:{}", r.line));
        let ok = allowed_for(&from).is_some_and(|uses| uses.contains(&r.module.as_str()));
        if !ok {
            out.push(Violation {
                file: shown.clone(),
                line: r.line,
                from: from.clone(),
                to: r.module,
            });
        }
    }
    out
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/`, relative to it, in a stable order.
fn source_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
            .map(|e| e.expect("a directory entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, base, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p.strip_prefix(base).expect("under src").to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(&src_dir(), &src_dir(), &mut out);
    out
}

/// The crate's top-level modules: every folder under `src/` and every `src/*.rs` but the roots.
fn top_level_modules(files: &[PathBuf]) -> BTreeSet<String> {
    files
        .iter()
        .filter(|f| !is_root(f))
        .filter_map(|f| module_path(f).first().cloned())
        .collect()
}

fn is_root(rel: &Path) -> bool {
    rel == Path::new("lib.rs") || rel == Path::new("main.rs")
}

/// A cycle in `graph`, if it has one, as the modules along it (first repeated at the end).
fn find_cycle(graph: &BTreeMap<&str, Vec<&str>>) -> Option<Vec<String>> {
    fn visit<'a>(
        node: &'a str,
        graph: &BTreeMap<&'a str, Vec<&'a str>>,
        state: &mut BTreeMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match state.get(node) {
            Some(2) => return None,
            Some(1) => {
                let from = stack.iter().position(|n| *n == node).unwrap_or(0);
                let mut cycle: Vec<String> = stack[from..].iter().map(|s| s.to_string()).collect();
                cycle.push(node.to_owned());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(node, 1);
        stack.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(node, 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if let Some(c) = visit(node, graph, &mut state, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// The checks

#[test]
fn dependencies_follow_the_allowed_graph() {
    let files = source_files();
    let modules = top_level_modules(&files);
    let mut edges = BTreeMap::new();
    let mut violations = Vec::new();
    for rel in files.iter().filter(|f| !is_root(f)) {
        let src = fs::read_to_string(src_dir().join(rel))
            .unwrap_or_else(|e| panic!("reading src/{}: {e}", rel.display()));
        violations.extend(check_file(rel, &src, &modules, &mut edges));
    }

    // The real graph, for `--nocapture` and for keeping the README's paragraph true.
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        graph.entry(from.as_str()).or_default().push(to.as_str());
    }
    eprintln!("module graph (module → modules it uses):");
    for m in &modules {
        let uses = graph.get(m.as_str()).cloned().unwrap_or_default();
        eprintln!("  {m:<10} → {}", uses.join(", "));
    }
    for (from, uses) in allowed_graph() {
        for to in uses {
            if !edges.contains_key(&(from.to_string(), to.to_string())) {
                eprintln!("  (allowed but unused: {from} → {to})");
            }
        }
    }

    assert!(
        violations.is_empty(),
        "{} reference(s) against the allowed module graph in tests/checks/architecture.rs:\n{}\n\
         Move the code to the module it belongs in, or — if the layering itself should change — \
         change ALLOWED (it must stay acyclic) and the README's dependency table.",
        violations.len(),
        violations
            .iter()
            .map(|v| format!("  {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_allowed_graph_has_no_cycles() {
    if let Some(cycle) = find_cycle(&allowed_graph()) {
        panic!("ALLOWED has a cycle: {}", cycle.join(" → "));
    }
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let graph: BTreeMap<&str, Vec<&str>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}

#[test]
fn the_table_names_every_module_once_and_only_real_ones() {
    let modules = top_level_modules(&source_files());
    let listed: Vec<&str> = ALLOWED.iter().map(|(m, _)| *m).collect();
    let listed_set: BTreeSet<&str> = listed.iter().copied().collect();
    assert_eq!(
        listed.len(),
        listed_set.len(),
        "a module is listed twice in ALLOWED"
    );
    for m in &modules {
        assert!(
            listed_set.contains(m.as_str()),
            "src/{m} is not in ALLOWED in tests/checks/architecture.rs: say which modules it may use"
        );
    }
    for (m, uses) in allowed_graph() {
        for name in std::iter::once(&m).chain(uses.iter()) {
            assert!(
                modules.contains(*name),
                "ALLOWED names `{name}`, which is not a module under src/"
            );
        }
        assert!(!uses.contains(&m), "`{m}` lists itself in ALLOWED");
    }
}

/// The README's module map shows the same table, row for row: `| `cli` | `ui`, `report`, … |`
/// (`—` for a module that uses none), so the documented layering cannot drift from the enforced
/// one.
#[test]
fn the_readme_shows_the_same_graph() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let mut missing = Vec::new();
    for (m, uses) in ALLOWED {
        let uses: Vec<String> = uses.split_whitespace().map(|u| format!("`{u}`")).collect();
        let row = format!(
            "| `{m}` | {} |",
            if uses.is_empty() {
                "—".to_owned()
            } else {
                uses.join(", ")
            }
        );
        if !readme.lines().any(|l| l.trim() == row) {
            missing.push(row);
        }
    }
    assert!(
        missing.is_empty(),
        "README.md's dependency table should have these rows, as ALLOWED says:\n{}",
        missing.join("\n")
    );
}

/// The check can fail: a fake file under `src/time/` that imports the window is caught, with
/// its line, while the same words in comments, docs and strings are not.
#[test]
fn a_forbidden_import_is_caught() {
    let modules: BTreeSet<String> = ALLOWED.iter().map(|(m, _)| m.to_string()).collect();
    let fake = r##"//! Uses `crate::ui` only in a doc comment.
use crate::{
    ui::App, // the forbidden one, on line 3
};
/* crate::ui::also_not_code */
fn f() -> &'static str {
    "crate::ui::in_a_string"
}
"##;
    let mut edges = BTreeMap::new();
    let violations = check_file(Path::new("time/fake.rs"), fake, &modules, &mut edges);
    assert_eq!(
        violations,
        vec![Violation {
            file: "src/time/fake.rs".into(),
            line: 3,
            from: "time".into(),
            to: "ui".into(),
        }],
        "the forbidden import must be reported once, at its line"
    );
    let message = violations[0].to_string();
    assert!(
        message.starts_with("src/time/fake.rs:3: `time` uses `ui`"),
        "{message}"
    );
}

#[test]
fn paths_are_found_in_every_form() {
    let src = r#####"
use crate::time::Rational;
use crate::{
    media::{Container, probe},
    persist,
};
use super::super::video::Frame;
fn f() {
    let x = crate::meters::PRESETS[0];
    let c = 'x';
    let q = '\'';
    let s = r#"crate::spec "quoted""#;
    let l: &'static str = "a";
}
mod tests {
    use super::super::sibling;
    use super::super::super::notes::Note;
}
"#####;
    let path = vec!["audio".to_owned(), "output".to_owned()];
    let found: Vec<(String, usize)> = references(&path, src)
        .into_iter()
        .map(|r| (r.module, r.line))
        .collect();
    assert_eq!(
        found,
        vec![
            ("time".into(), 2),
            ("media".into(), 4),
            ("persist".into(), 5),
            ("video".into(), 7),
            ("meters".into(), 9),
            ("notes".into(), 17),
        ]
    );
}
