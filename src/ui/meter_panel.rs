//! The live meter side panel (~280 px): R128 readouts, M/S loudness bars on the EBU +9 scale,
//! L/R level bars with peak hold, phase correlation, a goniometer and a small spectrum.
//!
//! It only draws a [`MeterSnapshot`] (made on the meter thread) against a [`PresetView`] (the
//! delivery spec being checked), so it keeps no state and can be tested with a made-up snapshot.
//! Out-of-spec numbers are coloured and their hover text says by how much, because "amber" alone
//! does not tell a mixer what to fix. Only glyphs in egui's default fonts are used (ASCII, "—",
//! "−", "±"), since the test renderer has nothing else.

use crate::meters::MeterSnapshot;
use eframe::egui::{self, Align2, Color32, FontId, Rect, Stroke, pos2, vec2};

/// The width the panel is laid out for; give its side panel this much.
pub const PANEL_WIDTH: f32 = 280.0;

const WARN: Color32 = Color32::from_rgb(255, 170, 60);
const BAD: Color32 = Color32::from_rgb(240, 90, 80);
const GOOD: Color32 = Color32::from_rgb(110, 200, 110);
const TRACE: Color32 = Color32::from_rgb(110, 170, 255);
/// Lighter than the panel (~27) so an empty bar still shows its extent.
const BAR_BG: Color32 = Color32::from_gray(45);
const GRID: Color32 = Color32::from_gray(70);
const SCALE_TEXT: Color32 = Color32::from_gray(150);
/// The EBU +9 scale (Tech 3341): target −18 LU to target +9 LU, ticks every 3 LU.
const LU_BELOW: f64 = 18.0;
const LU_ABOVE: f64 = 9.0;
const LU_TICK: f64 = 3.0;
/// Level bars, dBFS.
const LEVEL_FLOOR: f64 = -60.0;
/// Spectrum plot range.
const SPEC_FLOOR_DB: f32 = -90.0;
const SPEC_LOW_HZ: f32 = 20.0;
const SPEC_HIGH_HZ: f32 = 20_000.0;
/// LRA is computed over 3 s windows spread across the programme; under a minute it swings.
const LRA_SETTLED_S: f64 = 60.0;

/// The delivery spec the readouts are judged against, as the panel needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct PresetView {
    pub name: String,
    pub target_lufs: f64,
    pub tolerance_lu: f64,
    pub max_true_peak_dbtp: f64,
}

/// What the user did in the panel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MeterPanelResponse {
    /// "Reset" was clicked: restart integrated loudness, LRA, maxima and holds.
    pub reset_clicked: bool,
}

/// Draws the panel top-down in `ui` (meant for a side panel [`PANEL_WIDTH`] wide).
pub fn show(ui: &mut egui::Ui, m: &MeterSnapshot, preset: &PresetView) -> MeterPanelResponse {
    let mut response = MeterPanelResponse::default();
    ui.vertical(|ui| {
        ui.set_max_width(PANEL_WIDTH);
        ui.horizontal(|ui| {
            ui.strong(&preset.name);
            ui.weak(format!("{} metered", clock(m.seconds)));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                response.reset_clicked = ui
                    .button("Reset")
                    .on_hover_text("Restart integrated loudness, LRA, maxima and peak holds")
                    .clicked();
            });
        });
        readouts(ui, m, preset);
        ui.add_space(6.0);
        bars(ui, m, preset);
        ui.add_space(6.0);
        correlation(ui, m.correlation);
        ui.add_space(4.0);
        goniometer(ui, &m.goniometer);
        ui.add_space(6.0);
        spectrum(ui, &m.spectrum_hz, &m.spectrum_db);
    });
    response
}

// ---------------------------------------------------------------------------------------------
// Numbers

/// Replaces ASCII '-' with the typographic minus, which lines up with '+' in the readouts.
fn minus(s: String) -> String {
    s.replace('-', "\u{2212}")
}

/// `v` with one decimal and `unit`, or "—" for −∞ / NaN (silence, nothing measured yet).
fn value(v: f64, unit: &str) -> String {
    if v.is_finite() {
        minus(format!("{v:.1} {unit}"))
    } else {
        "\u{2014}".into()
    }
}

/// As [`value`], with an explicit '+' (peaks above 0 dBTP must not look like negatives).
fn signed(v: f64, unit: &str) -> String {
    if v.is_finite() {
        minus(format!("{v:+.1} {unit}"))
    } else {
        "\u{2014}".into()
    }
}

/// A spec number as people write it: "−23", "0.5", "−1".
fn spec(v: f64) -> String {
    if v == 0.0 {
        // Not "−0" (from −0.0 or −6·0).
        "0".into()
    } else if (v - v.round()).abs() < 1e-9 {
        minus(format!("{v:.0}"))
    } else {
        minus(format!("{v:.1}"))
    }
}

/// Seconds as mm:ss (h:mm:ss past an hour).
fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0) as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// Integrated loudness against the target: a colour when outside it, and the hover text.
fn integrated_verdict(i: Option<f64>, p: &PresetView) -> (Option<Color32>, String) {
    let target = format!(
        "{} target {} \u{00b1}{}",
        p.name,
        spec(p.target_lufs),
        spec(p.tolerance_lu)
    );
    match i.filter(|v| v.is_finite()) {
        None => (
            None,
            "Integrated loudness: nothing above the gates yet".to_owned(),
        ),
        Some(v) => {
            let off = v - p.target_lufs;
            let reading = value(v, "LUFS");
            if off.abs() > p.tolerance_lu {
                let side = if off > 0.0 { "above" } else { "below" };
                (
                    Some(WARN),
                    format!(
                        "Integrated {reading} is {:.1} LU {side} the {target}",
                        off.abs()
                    ),
                )
            } else {
                (None, format!("Integrated {reading} is within the {target}"))
            }
        }
    }
}

/// One channel's maximum true peak against the preset's ceiling.
fn true_peak_verdict(channel: &str, tp: f64, p: &PresetView) -> (Option<Color32>, String) {
    let max = format!("{} maximum {} dBTP", p.name, spec(p.max_true_peak_dbtp));
    if !tp.is_finite() {
        return (None, format!("True peak {channel}: silence so far ({max})"));
    }
    let reading = signed(tp, "dBTP");
    if tp > p.max_true_peak_dbtp {
        let over = tp - p.max_true_peak_dbtp;
        (
            Some(BAD),
            format!("True peak {channel} {reading} is {over:.1} dB above the {max}"),
        )
    } else {
        (
            None,
            format!("True peak {channel} {reading} is within the {max}"),
        )
    }
}

/// One name/value pair of the readout grid.
fn cell(ui: &mut egui::Ui, name: &str, text: String, colour: Option<Color32>, hover: &str) {
    ui.label(name);
    let mut rich = egui::RichText::new(text).strong();
    if let Some(c) = colour {
        rich = rich.color(c);
    }
    ui.label(rich).on_hover_text(hover);
}

fn readouts(ui: &mut egui::Ui, m: &MeterSnapshot, p: &PresetView) {
    egui::Grid::new("meter_readouts")
        .num_columns(4)
        .spacing([8.0, 2.0])
        .show(ui, |ui| {
            cell(
                ui,
                "M",
                value(m.momentary, "LUFS"),
                None,
                "Momentary loudness (400 ms)",
            );
            cell(
                ui,
                "S",
                value(m.short_term, "LUFS"),
                None,
                "Short-term loudness (3 s)",
            );
            ui.end_row();

            let (colour, hover) = integrated_verdict(m.integrated, p);
            let i = m.integrated.unwrap_or(f64::NEG_INFINITY);
            cell(ui, "I", value(i, "LUFS"), colour, &hover);
            let lra = m.loudness_range.unwrap_or(f64::NEG_INFINITY);
            ui.label("LRA");
            if m.seconds < LRA_SETTLED_S {
                // Greyed: a reading this early is not yet the programme's range.
                ui.weak(format!("{} (settling)", value(lra, "LU")))
                    .on_hover_text(format!(
                        "Loudness range settles after about a minute of programme ({:.0} s so far)",
                        m.seconds.max(0.0)
                    ));
            } else {
                ui.label(egui::RichText::new(value(lra, "LU")).strong())
                    .on_hover_text("Loudness range (EBU Tech 3342)");
            }
            ui.end_row();

            cell(
                ui,
                "max M",
                value(m.max_momentary, "LUFS"),
                None,
                "Loudest momentary since reset",
            );
            cell(
                ui,
                "max S",
                value(m.max_short_term, "LUFS"),
                None,
                "Loudest short-term since reset",
            );
            ui.end_row();

            for (channel, tp) in [("L", m.true_peak[0]), ("R", m.true_peak[1])] {
                let (colour, hover) = true_peak_verdict(channel, tp, p);
                cell(
                    ui,
                    &format!("TP {channel}"),
                    signed(tp, "dBTP"),
                    colour,
                    &hover,
                );
            }
            ui.end_row();
        });
}

// ---------------------------------------------------------------------------------------------
// Drawing

/// Height on `r` of `v` on a `lo..hi` scale (clamped to the ends; −∞ and NaN sit at the bottom).
fn y_on(r: Rect, v: f64, lo: f64, hi: f64) -> f32 {
    let t = if v.is_nan() {
        0.0
    } else {
        ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
    };
    r.bottom() - t as f32 * r.height()
}

fn small() -> FontId {
    FontId::proportional(9.5)
}

/// A vertical bar filled from the bottom to `v`, in `colour` up to `split` and `over` above it.
fn fill_bar(
    painter: &egui::Painter,
    r: Rect,
    (v, lo, hi): (f64, f64, f64),
    split: f64,
    (colour, over): (Color32, Color32),
) {
    painter.rect_filled(r, 1.0, BAR_BG);
    if v.is_nan() || v <= lo {
        return;
    }
    let top = y_on(r, v, lo, hi);
    let mid = y_on(r, split.min(v), lo, hi);
    painter.rect_filled(
        Rect::from_x_y_ranges(r.x_range(), mid..=r.bottom()),
        0.0,
        colour,
    );
    if v > split {
        painter.rect_filled(Rect::from_x_y_ranges(r.x_range(), top..=mid), 0.0, over);
    }
}

/// A thin line across bar `r` at `v`, when there is something to mark.
fn mark(painter: &egui::Painter, r: Rect, (v, lo, hi): (f64, f64, f64), stroke: Stroke) {
    if v.is_finite() && v > lo {
        painter.hline(r.x_range(), y_on(r, v, lo, hi), stroke);
    }
}

/// M/S loudness bars on the EBU +9 scale and L/R level bars (dBFS), with their scales.
fn bars(ui: &mut egui::Ui, m: &MeterSnapshot, p: &PresetView) {
    const SCALE_W: f32 = 28.0;
    const BAR_W: f32 = 20.0;
    const GAP: f32 = 4.0;
    const NAME_H: f32 = 13.0;
    let width = ui.available_width().min(PANEL_WIDTH);
    let (rect, response) = ui.allocate_exact_size(vec2(width, 190.0), egui::Sense::hover());
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Image, true, "Loudness and level bars")
    });
    let painter = ui.painter_at(rect);
    // Room at the top for half a tick label, at the bottom for the bar names.
    let (top, bottom) = (rect.top() + 6.0, rect.bottom() - NAME_H);
    let column = |x: f32| Rect::from_x_y_ranges(x..=x + BAR_W, top..=bottom);
    let name = |r: Rect, text: &str| {
        painter.text(
            pos2(r.center().x, rect.bottom()),
            Align2::CENTER_BOTTOM,
            text,
            FontId::proportional(11.0),
            SCALE_TEXT,
        );
    };
    let tick_label = |x: f32, y: f32, v: f64| {
        painter.text(
            pos2(x, y),
            Align2::RIGHT_CENTER,
            spec(v),
            small(),
            SCALE_TEXT,
        );
    };

    // Loudness: the +9 scale hangs off the preset's target (for R128, −41…−14 LUFS).
    let (lo, hi) = (p.target_lufs - LU_BELOW, p.target_lufs + LU_ABOVE);
    let m_bar = column(rect.left() + SCALE_W);
    let s_bar = column(m_bar.right() + GAP);
    let lu_span = m_bar.left() - 3.0..=s_bar.right();
    let ticks = (LU_BELOW + LU_ABOVE) / LU_TICK;
    for k in 0..=ticks.round() as i32 {
        let v = lo + f64::from(k) * LU_TICK;
        let y = y_on(m_bar, v, lo, hi);
        painter.hline(lu_span.clone(), y, Stroke::new(1.0, GRID));
        tick_label(m_bar.left() - 4.0, y, v);
    }
    let upper = p.target_lufs + p.tolerance_lu;
    for (bar, v, max, label) in [
        (m_bar, m.momentary, m.max_momentary, "M"),
        (s_bar, m.short_term, m.max_short_term, "S"),
    ] {
        fill_bar(&painter, bar, (v, lo, hi), upper, (GOOD, WARN));
        mark(
            &painter,
            bar,
            (max, lo, hi),
            Stroke::new(1.5, Color32::from_gray(220)),
        );
        name(bar, label);
    }
    // Target drawn over the bars so it stays visible at any level.
    let y = y_on(m_bar, p.target_lufs, lo, hi);
    painter.hline(
        m_bar.left()..=s_bar.right(),
        y,
        Stroke::new(2.0, Color32::WHITE),
    );

    // Levels: 0…−60 dBFS, ticks every 6 dB, labelled every 12.
    let l_bar = column(s_bar.right() + 18.0 + SCALE_W);
    let r_bar = column(l_bar.right() + GAP);
    let ceiling = p.max_true_peak_dbtp;
    for k in 0..=10 {
        let v = -6.0 * f64::from(k);
        let y = y_on(l_bar, v, LEVEL_FLOOR, 0.0);
        painter.hline(
            l_bar.left() - 3.0..=r_bar.right(),
            y,
            Stroke::new(1.0, GRID),
        );
        if k % 2 == 0 {
            tick_label(l_bar.left() - 4.0, y, v);
        }
    }
    for (i, (bar, label)) in [(l_bar, "L"), (r_bar, "R")].into_iter().enumerate() {
        let level = m.level.get(i).copied().unwrap_or(f64::NEG_INFINITY);
        let hold = m.level_hold.get(i).copied().unwrap_or(f64::NEG_INFINITY);
        let tp = m.true_peak.get(i).copied().unwrap_or(f64::NEG_INFINITY);
        fill_bar(
            &painter,
            bar,
            (level, LEVEL_FLOOR, 0.0),
            ceiling,
            (TRACE, BAD),
        );
        mark(
            &painter,
            bar,
            (hold, LEVEL_FLOOR, 0.0),
            Stroke::new(2.0, Color32::WHITE),
        );
        let tp_colour = if tp > ceiling { BAD } else { WARN };
        mark(
            &painter,
            bar,
            (tp, LEVEL_FLOOR, 0.0),
            Stroke::new(1.0, tp_colour),
        );
        name(bar, label);
    }
    let y = y_on(l_bar, ceiling, LEVEL_FLOOR, 0.0);
    painter.hline(
        l_bar.left()..=r_bar.right(),
        y,
        Stroke::new(1.0, BAD.gamma_multiply(0.8)),
    );

    // A key for the lines, in the free space to the right.
    let key_x = r_bar.right() + 10.0;
    if key_x + 50.0 < rect.right() {
        let key = |row: f32, colour: Color32, text: &str| {
            let y = top + 8.0 + row * 14.0;
            painter.hline(key_x..=key_x + 10.0, y, Stroke::new(2.0, colour));
            painter.text(
                pos2(key_x + 14.0, y),
                Align2::LEFT_CENTER,
                text,
                small(),
                SCALE_TEXT,
            );
        };
        key(0.0, Color32::WHITE, "target / hold");
        key(1.0, Color32::from_gray(220), "max M, S");
        key(2.0, WARN, "true peak");
        key(3.0, BAD, "TP limit");
    }
}

/// The correlation read-out and its −1…+1 bar.
fn correlation(ui: &mut egui::Ui, r: f32) {
    let r = if r.is_finite() {
        r.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let colour = if r < 0.0 { BAD } else { GOOD };
    ui.horizontal(|ui| {
        ui.label("Correlation");
        ui.label(
            egui::RichText::new(minus(format!("{r:+.2}")))
                .strong()
                .color(colour),
        )
        .on_hover_text(
            "+1 mono, 0 wide or one-sided, below 0 out of phase: \
                 parts of the mix will cancel when folded to mono",
        );
    });
    let width = ui.available_width().min(PANEL_WIDTH);
    let (rect, response) = ui.allocate_exact_size(vec2(width, 24.0), egui::Sense::hover());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "Correlation bar"));
    let painter = ui.painter_at(rect);
    let bar = Rect::from_x_y_ranges(
        rect.left() + 6.0..=rect.right() - 6.0,
        rect.top()..=rect.top() + 10.0,
    );
    let x_of = |v: f32| bar.left() + (v + 1.0) * 0.5 * bar.width();
    painter.rect_filled(bar, 1.0, BAR_BG);
    let (a, b) = (x_of(0.0), x_of(r));
    painter.rect_filled(
        Rect::from_x_y_ranges(a.min(b)..=a.max(b), bar.y_range()),
        0.0,
        colour,
    );
    for (v, text) in [
        (-1.0, "\u{2212}1"),
        (-0.5, ""),
        (0.0, "0"),
        (0.5, ""),
        (1.0, "+1"),
    ] {
        let x = x_of(v);
        painter.vline(
            x,
            bar.bottom()..=bar.bottom() + 3.0,
            Stroke::new(1.0, SCALE_TEXT),
        );
        if !text.is_empty() {
            painter.text(
                pos2(x, rect.bottom()),
                Align2::CENTER_BOTTOM,
                text,
                small(),
                SCALE_TEXT,
            );
        }
    }
}

/// The goniometer: mid up, side across, L on the upper-left diagonal and R on the upper right
/// (the broadcast convention, so x is drawn mirrored: side = (L−R)/√2 > 0 means more L).
fn goniometer(ui: &mut egui::Ui, points: &[[f32; 2]]) {
    let width = ui.available_width().min(PANEL_WIDTH);
    let size = width.min(140.0);
    let (rect, response) = ui.allocate_exact_size(vec2(width, size), egui::Sense::hover());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "Goniometer"));
    let square = Rect::from_center_size(rect.center(), vec2(size, size));
    let painter = ui.painter_at(square);
    painter.rect_filled(square, 2.0, BAR_BG);
    let c = square.center();
    let half = size * 0.5;
    let grid = Stroke::new(1.0, GRID);
    painter.vline(c.x, square.y_range(), grid);
    painter.hline(square.x_range(), c.y, grid);
    painter.line_segment([square.left_top(), square.right_bottom()], grid);
    painter.line_segment([square.right_top(), square.left_bottom()], grid);
    for (pos, align, text) in [
        (pos2(c.x + 3.0, square.top() + 2.0), Align2::LEFT_TOP, "M"),
        (square.left_top() + vec2(14.0, 2.0), Align2::LEFT_TOP, "L"),
        (
            square.right_top() + vec2(-14.0, 2.0),
            Align2::RIGHT_TOP,
            "R",
        ),
    ] {
        painter.text(pos, align, text, small(), SCALE_TEXT);
    }
    // Full scale (±1) reaches the edge; louder points are clipped by the painter.
    let dot = TRACE.gamma_multiply(0.8);
    for p in points {
        let at = pos2(c.x - p[0] * half, c.y - p[1] * half);
        if at.x.is_finite() && at.y.is_finite() {
            painter.circle_filled(at, 1.0, dot);
        }
    }
}

/// The spectrum: log frequency 20 Hz – 20 kHz, −90…0 dBFS, one bar per band.
fn spectrum(ui: &mut egui::Ui, hz: &[f32], db: &[f32]) {
    let width = ui.available_width().min(PANEL_WIDTH);
    let (rect, response) = ui.allocate_exact_size(vec2(width, 100.0), egui::Sense::hover());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "Spectrum"));
    let painter = ui.painter_at(rect);
    let plot = Rect::from_min_max(rect.min + vec2(24.0, 5.0), rect.max - vec2(6.0, 13.0));
    painter.rect_filled(plot, 1.0, BAR_BG);
    let decades = (SPEC_HIGH_HZ / SPEC_LOW_HZ).log10();
    let x_of = |f: f32| plot.left() + (f / SPEC_LOW_HZ).max(1e-6).log10() / decades * plot.width();
    let y_of = |d: f32| {
        let d = if d.is_nan() { SPEC_FLOOR_DB } else { d };
        plot.top() + (d / SPEC_FLOOR_DB).clamp(0.0, 1.0) * plot.height()
    };
    for (f, text) in [(100.0, "100"), (1000.0, "1k"), (10_000.0, "10k")] {
        let x = x_of(f);
        painter.vline(x, plot.y_range(), Stroke::new(1.0, GRID));
        painter.text(
            pos2(x, rect.bottom()),
            Align2::CENTER_BOTTOM,
            text,
            small(),
            SCALE_TEXT,
        );
    }
    for d in [0.0, -30.0, -60.0, -90.0] {
        let y = y_of(d);
        painter.hline(plot.x_range(), y, Stroke::new(1.0, GRID));
        painter.text(
            pos2(plot.left() - 3.0, y),
            Align2::RIGHT_CENTER,
            spec(f64::from(d)),
            small(),
            SCALE_TEXT,
        );
    }
    // Bands are evenly spaced on the log axis, so each gets an equal share of the width.
    let n = hz.len().min(db.len());
    if n == 0 {
        return;
    }
    let half = plot.width() / n as f32 * 0.5;
    let bars = ui.painter_at(plot);
    for (&f, &d) in hz.iter().zip(db) {
        let x = x_of(f);
        let top = y_of(d);
        if top < plot.bottom() {
            let r = Rect::from_x_y_ranges(x - half + 0.5..=x + half - 0.5, top..=plot.bottom());
            bars.rect_filled(r, 0.0, TRACE);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meters::{GONIO_POINTS, SPECTRUM_BANDS};
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT as _, Queryable as _};

    fn r128() -> PresetView {
        PresetView {
            name: "EBU R128".into(),
            target_lufs: -23.0,
            tolerance_lu: 0.5,
            max_true_peak_dbtp: -1.0,
        }
    }

    /// Too loud, peaking over on the left, LRA still settling.
    fn sample() -> MeterSnapshot {
        MeterSnapshot {
            at_ns: 0,
            seconds: 42.0,
            momentary: -18.4,
            short_term: -19.0,
            integrated: Some(-19.2),
            loudness_range: Some(6.5),
            max_momentary: -14.2,
            max_short_term: -16.8,
            true_peak: [0.3, -1.5],
            level: [-6.0, -9.5],
            level_hold: [-3.0, -5.0],
            correlation: 0.62,
            speech: false,
            goniometer: (0..GONIO_POINTS)
                .map(|i| {
                    let t = i as f32 / GONIO_POINTS as f32 * std::f32::consts::TAU * 4.0;
                    [0.1 * t.cos(), 0.4 * t.sin()]
                })
                .collect(),
            spectrum_hz: (0..SPECTRUM_BANDS)
                .map(|i| 20.0 * 1000f32.powf((i as f32 + 0.5) / SPECTRUM_BANDS as f32))
                .collect(),
            spectrum_db: (0..SPECTRUM_BANDS).map(|i| -30.0 - i as f32).collect(),
        }
    }

    #[test]
    fn verdicts_say_how_far_out_of_spec() {
        let p = r128();
        let (colour, text) = integrated_verdict(Some(-19.2), &p);
        assert_eq!(colour, Some(WARN));
        assert_eq!(
            text,
            "Integrated \u{2212}19.2 LUFS is 3.8 LU above the EBU R128 target \u{2212}23 \u{00b1}0.5"
        );
        let (colour, text) = integrated_verdict(Some(-23.3), &p);
        assert_eq!(colour, None);
        assert!(text.contains("within"), "{text}");
        assert!(
            integrated_verdict(Some(-25.0), &p)
                .1
                .contains("2.0 LU below")
        );
        assert_eq!(integrated_verdict(None, &p).0, None);
        let (colour, text) = true_peak_verdict("L", 0.3, &p);
        assert_eq!(colour, Some(BAD));
        assert!(
            text.contains("1.3 dB above the EBU R128 maximum \u{2212}1 dBTP"),
            "{text}"
        );
        assert_eq!(true_peak_verdict("R", -1.5, &p).0, None);
        assert_eq!(value(f64::NEG_INFINITY, "LUFS"), "\u{2014}");
        assert_eq!(signed(0.3, "dBTP"), "+0.3 dBTP");
        assert_eq!(clock(3725.0), "1:02:05");
        assert_eq!(spec(-0.0), "0");
    }

    #[test]
    fn panel_shows_readouts_and_reset_reports_a_click() {
        let snapshot = sample();
        let preset = r128();
        let mut h = Harness::builder()
            .with_size(egui::vec2(PANEL_WIDTH + 16.0, 760.0))
            .build_ui_state(
                move |ui, clicked: &mut bool| {
                    if show(ui, &snapshot, &preset).reset_clicked {
                        *clicked = true;
                    }
                },
                false,
            );
        h.run();
        for name in [
            "M",
            "S",
            "I",
            "LRA",
            "max M",
            "max S",
            "TP L",
            "TP R",
            "Correlation",
        ] {
            assert!(h.query_by_label(name).is_some(), "no {name:?} label");
        }
        let i = h.get_by_label("\u{2212}19.2 LUFS");
        let why = i.accesskit_node().description().unwrap_or_default();
        assert!(
            why.contains("3.8 LU above the EBU R128 target"),
            "I hover text: {why:?}"
        );
        let tp = h.get_by_label("+0.3 dBTP");
        let why = tp.accesskit_node().description().unwrap_or_default();
        assert!(
            why.contains("above the EBU R128 maximum"),
            "TP hover text: {why:?}"
        );
        assert!(
            h.query_by_label("6.5 LU (settling)").is_some(),
            "LRA not marked settling"
        );
        for plot in [
            "Loudness and level bars",
            "Goniometer",
            "Spectrum",
            "Correlation bar",
        ] {
            assert!(h.query_by_label(plot).is_some(), "no {plot}");
        }
        assert!(!*h.state(), "reset reported before any click");
        h.get_by_label("Reset").click();
        h.run();
        assert!(*h.state(), "clicking Reset did not set reset_clicked");
    }

    #[test]
    fn an_empty_snapshot_shows_dashes() {
        let preset = r128();
        let mut h = Harness::new_ui(move |ui| {
            show(ui, &MeterSnapshot::default(), &preset);
        });
        h.run();
        assert!(
            h.query_all_by_label("\u{2014}").count() >= 7,
            "silence not shown as dashes"
        );
        assert!(h.query_by_label("\u{2014} (settling)").is_some());
    }
}
