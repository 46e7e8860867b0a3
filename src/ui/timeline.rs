//! The timeline under the picture: playhead, in/out region, note markers, and a strip kept for
//! loudness over time. Dragging scrubs (fast, approximate: keyframes); releasing lands on the
//! exact frame under the pointer; a click jumps there.

use eframe::egui;

/// What the timeline draws.
pub struct TimelineModel<'a> {
    pub frame_count: u64,
    /// Frame at the playhead.
    pub frame: u64,
    pub mark_in: Option<u64>,
    pub mark_out: Option<u64>,
    pub looping: bool,
    /// Frames that carry notes.
    pub notes: &'a [u64],
    /// Loudness over time, one value per column block, 0…1 of the strip's height, with the
    /// target band (low, high) in the same units. `None`: nothing measured yet.
    pub loudness: Option<(&'a [f32], (f32, f32))>,
    /// Labels a frame (source timecode) for the hover read-out.
    pub label: &'a dyn Fn(u64) -> String,
}

/// What the user did to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scrub {
    /// Dragging over this frame (show something near it, fast).
    Moving(u64),
    /// Let go or clicked here (show exactly this frame).
    Landed(u64),
}

const BAR_HEIGHT: f32 = 26.0;
const STRIP_HEIGHT: f32 = 28.0;
const PLAYHEAD: egui::Color32 = egui::Color32::from_rgb(255, 196, 0);
const REGION: egui::Color32 = egui::Color32::from_rgba_premultiplied(40, 90, 160, 120);
const NOTE: egui::Color32 = egui::Color32::from_rgb(90, 200, 255);

/// Draws the timeline across the available width.
pub fn show(ui: &mut egui::Ui, model: &TimelineModel<'_>) -> Option<Scrub> {
    let width = ui.available_width();
    let (rect, response) = ui.allocate_exact_size(
        egui::vec2(width, BAR_HEIGHT + STRIP_HEIGHT),
        egui::Sense::click_and_drag(),
    );
    let response = response.on_hover_cursor(egui::CursorIcon::PointingHand);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Slider, true, "Timeline"));
    let bar = egui::Rect::from_min_size(rect.min, egui::vec2(width, BAR_HEIGHT));
    let strip = egui::Rect::from_min_max(egui::pos2(rect.min.x, bar.max.y), rect.max);
    let last = model.frame_count.saturating_sub(1).max(1);
    let x_of = |f: u64| bar.min.x + bar.width() * (f.min(last) as f32 / last as f32);
    let frame_of = |x: f32| {
        let t = ((x - bar.min.x) / bar.width()).clamp(0.0, 1.0);
        (t * last as f32).round() as u64
    };
    let painter = ui.painter_at(rect);
    painter.rect_filled(bar, 2.0, egui::Color32::from_gray(40));
    painter.rect_filled(strip, 0.0, egui::Color32::from_gray(22));

    // In/out region: from the in point (or the start) to the out point (or the end).
    if model.mark_in.is_some() || model.mark_out.is_some() {
        let a = x_of(model.mark_in.unwrap_or(0));
        let b = x_of(model.mark_out.unwrap_or(last));
        let fill = if model.looping {
            REGION
        } else {
            REGION.gamma_multiply(0.5)
        };
        painter.rect_filled(
            egui::Rect::from_x_y_ranges(a..=b.max(a + 1.0), bar.y_range()),
            0.0,
            fill,
        );
        for x in [model.mark_in.map(x_of), model.mark_out.map(x_of)]
            .into_iter()
            .flatten()
        {
            painter.vline(x, bar.y_range(), egui::Stroke::new(2.0, REGION.to_opaque()));
        }
    }
    for &n in model.notes {
        let x = x_of(n);
        let top = bar.min.y + 2.0;
        painter.add(egui::Shape::convex_polygon(
            vec![
                egui::pos2(x - 4.0, top),
                egui::pos2(x + 4.0, top),
                egui::pos2(x, top + 7.0),
            ],
            NOTE,
            egui::Stroke::NONE,
        ));
    }
    if let Some((values, (lo, hi))) = model.loudness {
        let y = |v: f32| strip.max.y - v.clamp(0.0, 1.0) * strip.height();
        painter.rect_filled(
            egui::Rect::from_x_y_ranges(strip.x_range(), y(hi)..=y(lo)),
            0.0,
            egui::Color32::from_rgba_premultiplied(30, 70, 30, 80),
        );
        let n = values.len().max(1) as f32;
        // Filled under the curve, so loud and quiet passages read at a glance.
        let column = strip.width() / n;
        for (i, v) in values.iter().enumerate() {
            let x0 = strip.min.x + column * i as f32;
            painter.rect_filled(
                egui::Rect::from_x_y_ranges(x0..=x0 + column, y(*v)..=strip.max.y),
                0.0,
                egui::Color32::from_rgba_premultiplied(40, 90, 40, 110),
            );
        }
        let points: Vec<egui::Pos2> = values
            .iter()
            .enumerate()
            .map(|(i, v)| egui::pos2(strip.min.x + strip.width() * (i as f32 + 0.5) / n, y(*v)))
            .collect();
        painter.add(egui::Shape::line(
            points,
            egui::Stroke::new(1.0, egui::Color32::from_rgb(120, 220, 120)),
        ));
    }
    let x = x_of(model.frame);
    painter.vline(x, rect.y_range(), egui::Stroke::new(2.0, PLAYHEAD));

    if let Some(pos) = response.hover_pos() {
        let f = frame_of(pos.x);
        painter.vline(
            pos.x,
            bar.y_range(),
            egui::Stroke::new(1.0, egui::Color32::from_white_alpha(90)),
        );
        response.clone().on_hover_text_at_pointer((model.label)(f));
    }
    let pointer = response.interact_pointer_pos().map(|p| frame_of(p.x));
    match pointer {
        Some(f) if response.drag_stopped() || response.clicked() => Some(Scrub::Landed(f)),
        Some(f) if response.dragged() => Some(Scrub::Moving(f)),
        _ => None,
    }
}
