//! The timeline under the picture: playhead, in/out region, note markers (coloured by category
//! as Media Composer colours them, so the window and the exported markers agree; a range note
//! as a bar from its first to its last frame), and a strip kept for loudness over time. Dragging scrubs (fast, approximate: keyframes); releasing lands on the
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
    /// The notes shown.
    pub notes: &'a [TimelineNote],
    /// Loudness over time, one value per column block, 0…1 of the strip's height, with the
    /// target band (low, high) in the same units. `None`: nothing measured yet.
    pub loudness: Option<(&'a [f32], (f32, f32))>,
    /// Labels a frame (source timecode) for the hover read-out.
    pub label: &'a dyn Fn(u64) -> String,
}

/// One note on the timeline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimelineNote {
    pub frame: u64,
    /// A range's last frame (inclusive).
    pub last: Option<u64>,
    pub colour: egui::Color32,
}

/// A note category's marker colour: the colour Media Composer (and Earmark's Avid export)
/// gives it, so a marker looks the same here and in the DAW.
pub fn category_colour(category: crate::notes::Category) -> egui::Color32 {
    match category.avid_colour() {
        "yellow" => egui::Color32::from_rgb(240, 210, 60),
        "green" => egui::Color32::from_rgb(80, 200, 90),
        "cyan" => egui::Color32::from_rgb(70, 210, 230),
        "magenta" => egui::Color32::from_rgb(230, 90, 220),
        "blue" => egui::Color32::from_rgb(80, 130, 255),
        "red" => egui::Color32::from_rgb(240, 80, 70),
        _ => egui::Color32::from_gray(235),
    }
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
    for n in model.notes {
        let x = x_of(n.frame);
        let top = bar.min.y + 2.0;
        if let Some(last) = n.last.filter(|&l| l > n.frame) {
            // The range: first to last frame, under the marker.
            let end = x_of(last + 1).max(x + 2.0);
            painter.rect_filled(
                egui::Rect::from_x_y_ranges(x..=end, top + 8.0..=top + 12.0),
                1.0,
                n.colour.gamma_multiply(0.8),
            );
        }
        painter.add(egui::Shape::convex_polygon(
            vec![
                egui::pos2(x - 4.0, top),
                egui::pos2(x + 4.0, top),
                egui::pos2(x, top + 7.0),
            ],
            n.colour,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notes::Category;

    #[test]
    fn each_category_has_its_own_marker_colour_as_in_media_composer() {
        let colours: Vec<egui::Color32> = Category::ALL.into_iter().map(category_colour).collect();
        for (i, a) in colours.iter().enumerate() {
            for b in &colours[i + 1..] {
                assert_ne!(a, b, "two categories share a colour");
            }
        }
        // The window's marker is the colour the Avid export writes for the category.
        let red = category_colour(Category::Technical);
        assert!(red.r() > 200 && red.g() < 120, "{red:?}");
        let yellow = category_colour(Category::Dialogue);
        assert!(
            yellow.r() > 200 && yellow.g() > 180 && yellow.b() < 120,
            "{yellow:?}"
        );
    }
}
