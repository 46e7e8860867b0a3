//! The review session without a window: intents in, events out, on a real file with the real
//! player (picture only, no sound device). What the window, the command line and remote
//! participants all rely on: a note lands on the frame looked at and is on disk when
//! `NoteAdded` is reported; marks make the loop; undo brings back the same note; Up/Down honour
//! the filter each view passes.

use crate::common;

use common::fixture;
use earmark::notes::{Category, Status};
use earmark::player::PlayerOptions;
use earmark::review::{Event, Intent, Marks, NoteFilter, Review, ReviewOptions, SaveState};
use earmark::time::Frame;
use std::time::{Duration, Instant};

/// 1920x1080 23.976 fps, 300 frames from 01:00:00:00, GOP 48 with B-frames.
const FILE: &str = "f23976_1080_g48_b.mov";

fn options(notes_root: &std::path::Path) -> ReviewOptions {
    ReviewOptions {
        player: PlayerOptions {
            no_audio: true,
            ..PlayerOptions::default()
        },
        notes_root: Some(notes_root.to_path_buf()),
        ..ReviewOptions::default()
    }
}

/// Refreshes until the player stands on `frame` (the seek is asynchronous, as for a user).
fn settle_on(review: &mut Review, frame: u64) {
    let frame = Frame(frame);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        review.refresh(Instant::now());
        if review.looking_at() == frame {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "still at {} waiting for {frame}",
            review.looking_at()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn add(review: &mut Review, text: &str, category: Option<Category>) -> Vec<Event> {
    review.apply(Intent::AddNote {
        text: text.into(),
        author: "  Ёжик 編集者 ".into(),
        setup: None,
        category,
    })
}

#[test]
fn intents_change_the_review_and_events_say_what_changed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let media = fixture(FILE);
    let (mut review, problem) = Review::open(&media, options(dir.path())).expect("opens");
    assert_eq!(problem, None);
    assert_eq!(review.last_frame(), Frame(299));

    // A note on the frame looked at, saved before it is reported.
    review.apply(Intent::Seek(Frame(120)));
    settle_on(&mut review, 120);
    let events = add(&mut review, "ラインが歪む", None);
    let [Event::NoteAdded(first)] = events[..] else {
        panic!("expected one NoteAdded, got {events:?}");
    };
    assert_eq!(review.save_state(), SaveState::Saved);
    let note = review.notes().get(first).expect("added").clone();
    assert_eq!(
        (note.frame.0, note.text.as_str(), note.author.as_str()),
        (120, "ラインが歪む", "Ёжик 編集者"),
        "author trimmed, text kept as typed"
    );

    // Marks: in after out drops out; the loop is reported.
    review.apply(Intent::Seek(Frame(200)));
    settle_on(&mut review, 200);
    assert_eq!(
        review.apply(Intent::MarkOut),
        vec![Event::MarksChanged(Marks {
            mark_in: None,
            mark_out: Some(Frame(200))
        })]
    );
    review.apply(Intent::Seek(Frame(40)));
    settle_on(&mut review, 40);
    review.apply(Intent::MarkIn);
    assert_eq!(review.marks().loop_range(300), (Frame(40), Frame(201)));
    assert_eq!(
        review.apply(Intent::ToggleLoop),
        vec![Event::LoopChanged(true)]
    );
    review.apply(Intent::Seek(Frame(250)));
    settle_on(&mut review, 250);
    review.apply(Intent::MarkIn);
    assert_eq!(
        review.marks(),
        Marks {
            mark_in: Some(Frame(250)),
            mark_out: None
        },
        "marking in after the out point drops the out point"
    );

    // A second note, a music one, then Up/Down with and without a filter.
    review.apply(Intent::Seek(Frame(60)));
    settle_on(&mut review, 60);
    let events = add(&mut review, "music too loud", Some(Category::Music));
    let [Event::NoteAdded(second)] = events[..] else {
        panic!("expected one NoteAdded, got {events:?}");
    };
    assert_eq!(
        review.notes().get(second).map(|n| n.category),
        Some(Category::Music)
    );
    review.apply(Intent::GoToStart);
    settle_on(&mut review, 0);
    let music = NoteFilter {
        category: Some(Category::Music),
        status: None,
    };
    review.apply(Intent::NextNote(NoteFilter::default()));
    settle_on(&mut review, 60);
    review.apply(Intent::NextNote(NoteFilter::default()));
    settle_on(&mut review, 120);
    review.apply(Intent::PreviousNote(music));
    settle_on(&mut review, 60);
    review.apply(Intent::NextNote(music));
    review.apply(Intent::Step(3));
    settle_on(&mut review, 63);

    // An edit in place is stamped and saved once reported.
    let before = review.notes().get(first).map(|n| n.edited_ms);
    if let Some(n) = review.edit_notes().get_mut(first) {
        n.status = Status::Addressed;
    }
    std::thread::sleep(Duration::from_millis(2));
    assert_eq!(
        review.apply(Intent::NoteEdited(first)),
        vec![Event::NoteChanged(first)]
    );
    assert_ne!(review.notes().get(first).map(|n| n.edited_ms), before);

    // Delete and undo: the same note, same id, and a new note never takes a deleted id.
    assert_eq!(
        review.apply(Intent::DeleteNote(second)),
        vec![Event::NoteDeleted(second)]
    );
    assert_eq!(review.apply(Intent::DeleteNote(second)), vec![]);
    let [Event::NoteAdded(third)] = add(&mut review, "third", None)[..] else {
        panic!("no NoteAdded");
    };
    assert_ne!(third, second);
    assert_eq!(
        review.apply(Intent::UndoDelete),
        vec![Event::NoteRestored(second)]
    );
    assert_eq!(review.apply(Intent::UndoDelete), vec![]);
    assert_eq!(
        review.notes().get(second).map(|n| n.text.as_str()),
        Some("music too loud")
    );
    drop(review);

    // What the events reported is what the disk has.
    let (again, _) = Review::open(&media, options(dir.path())).expect("opens again");
    let mut kept: Vec<(u64, String, Status)> = again
        .notes()
        .iter()
        .map(|n| (n.frame.0, n.text.clone(), n.status))
        .collect();
    kept.sort_by_key(|k| k.0);
    assert_eq!(
        kept,
        vec![
            (60, "music too loud".to_owned(), Status::Open),
            (63, "third".to_owned(), Status::Open),
            (120, "ラインが歪む".to_owned(), Status::Addressed),
        ]
    );
}
