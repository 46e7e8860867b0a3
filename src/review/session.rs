//! One file under review: the player, the notes and their saving, the marks and loop, and the
//! background analysis of the file. The window draws it; intents change it.
//!
//! Everything that makes up the review itself happens here, so the window, the command line
//! and (later) remote participants cannot disagree about what an intent does: a note is
//! stamped and saved the same way whoever adds it, and marks make the same loop.

use super::intent::{Event, Intent};
use super::marks::Marks;
use super::note_filter::{DeletedNotes, NoteFilter};
use super::note_keeper::{NoteKeeper, SaveState};
use crate::analysis::{ScanJob, ScanOptions, SpecJob};
use crate::notes::{Note, NoteId, NoteList, NoteRecord};
use crate::player::{
    Command, MeterOutput, Player, PlayerError, PlayerOptions, Snapshot, SpecProfiles, Transport,
};
use crate::time::Frame;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Where a review keeps what it makes, and how its file is played.
#[derive(Clone, Debug, Default)]
pub struct ReviewOptions {
    pub player: PlayerOptions,
    /// Whole-file loudness results are cached here (`None`: not cached, as in tests).
    pub scan_cache: Option<PathBuf>,
    /// Notes are kept here, per media content (`None`: in memory only, as in tests).
    pub notes_root: Option<PathBuf>,
    /// Who reviews from this seat: stamped on every note field they change.
    pub editor: String,
    /// The delivery profiles the file is checked against.
    pub spec_profiles: SpecProfiles,
}

/// A file open for review.
pub struct Review {
    player: Player,
    path: PathBuf,
    notes: NoteList,
    /// Saves every note change to disk before it shows as saved.
    keeper: NoteKeeper,
    /// Notes deleted in this session, for undo (not kept between launches).
    deleted: DeletedNotes,
    marks: Marks,
    /// The player's state as of the last [`Review::refresh`].
    snapshot: Snapshot,
    /// The frame whose picture is on screen, as the view last said.
    on_screen: Option<u64>,
    /// The whole-file loudness scan (dropped, and so cancelled, with the review).
    scan: ScanJob,
    /// The delivery spec check against every profile.
    spec: SpecJob,
    /// The live meters' newest snapshot (none for a file without sound).
    meters: Option<MeterOutput>,
}

impl Review {
    /// Opens `path`: the player, its notes (with a message when the notes store has a problem
    /// the reviewer must hear about), and the background analysis.
    pub fn open(
        path: &Path,
        options: ReviewOptions,
    ) -> Result<(Self, Option<String>), PlayerError> {
        let scan_options = ScanOptions {
            audio: options.player.audio,
            fold_down: None,
        };
        let player = Player::open(path, options.player)?;
        let snapshot = player.snapshot();
        let meters = player.take_meter_output();
        let scan = ScanJob::start_with(path, options.scan_cache, scan_options);
        let spec = SpecJob::start(path, options.spec_profiles);
        let (mut keeper, notes, problem) = NoteKeeper::open(options.notes_root.as_deref(), path);
        keeper.set_editor(&options.editor);
        let timecode = player.timecode();
        keeper.describe_timecode(player.rate(), &timecode.start.to_string());
        Ok((
            Self {
                player,
                path: path.to_path_buf(),
                notes,
                keeper,
                deleted: DeletedNotes::default(),
                marks: Marks::default(),
                snapshot,
                on_screen: None,
                scan,
                spec,
                meters,
            },
            problem,
        ))
    }

    /// The frame of the next (or previous) note the filter shows from the frame looked at.
    pub fn note_to_go_to(&self, filter: NoteFilter, forward: bool) -> Option<Frame> {
        let here = self.looking_at();
        if forward {
            self.notes_shown(filter).find(|n| n.frame > here)
        } else {
            self.notes_shown(filter).filter(|n| n.frame < here).last()
        }
        .map(|n| n.frame)
    }

    /// Carries out one intent and says what changed.
    pub fn apply(&mut self, intent: Intent) -> Vec<Event> {
        let here = self.looking_at();
        let p = &self.player;
        let mut events = Vec::new();
        match intent {
            Intent::TogglePlay => p.send(Command::TogglePlay),
            Intent::Play => p.send(Command::Play),
            Intent::PlayAt { from, at_ns } => p.send(Command::PlayAt { from, at_ns }),
            Intent::Pause => p.send(Command::Pause),
            Intent::Shuttle(speed) => p.send(Command::Shuttle(speed)),
            Intent::Step(n) => p.send(Command::Step(n)),
            Intent::StepSeconds(n) => {
                p.send(Command::Step(n * i64::from(p.rate().nominal_fps())));
            }
            Intent::GoToStart => p.send(Command::Seek(Frame(0))),
            Intent::GoToEnd => p.send(Command::Seek(self.last_frame())),
            Intent::Seek(frame) => p.send(Command::Seek(frame.at_most(self.last_frame()))),
            Intent::PreviousNote(filter) => {
                if let Some(f) = self.note_to_go_to(filter, false) {
                    p.send(Command::Seek(f));
                }
            }
            Intent::NextNote(filter) => {
                if let Some(f) = self.note_to_go_to(filter, true) {
                    p.send(Command::Seek(f));
                }
            }
            Intent::MarkIn | Intent::MarkOut | Intent::ClearIn | Intent::ClearOut => {
                match intent {
                    Intent::MarkIn => self.marks.set_in(here),
                    Intent::MarkOut => self.marks.set_out(here),
                    Intent::ClearIn => self.marks.mark_in = None,
                    _ => self.marks.mark_out = None,
                }
                self.send_marks();
                events.push(Event::MarksChanged(self.marks));
            }
            Intent::ToggleLoop => {
                let on = !self.snapshot.looping;
                let (a, b) = self.marks.loop_range(p.frame_count());
                p.send(Command::SetLoop(Some((a, b))));
                p.send(Command::SetLooping(on));
                self.snapshot.looping = on;
                events.push(Event::LoopChanged(on));
            }
            Intent::SetLoop { range, on } => {
                if let Some((a, b)) = range.filter(|(a, b)| a < b) {
                    self.marks.mark_in = Some(a);
                    self.marks.mark_out = Some(Frame(b.0 - 1));
                    events.push(Event::MarksChanged(self.marks));
                }
                let (a, b) = self.marks.loop_range(p.frame_count());
                p.send(Command::SetLoop(Some((a, b))));
                p.send(Command::SetLooping(on));
                self.snapshot.looping = on;
                self.snapshot.loop_range = Some((a, b));
                events.push(Event::LoopChanged(on));
            }
            Intent::AddNote {
                text,
                author,
                setup,
                category,
            } => {
                // Pinned to the picture the reviewer reacted to; playback carries on.
                let id = self.notes.add(here, text);
                if let Some(n) = self.notes.get_mut(id) {
                    n.setup = setup;
                    n.author = author.trim().to_owned();
                    if let Some(c) = category {
                        n.category = c;
                    }
                }
                self.keeper.changed(&mut self.notes, id);
                events.push(Event::NoteAdded(id));
            }
            Intent::SignUnsigned { author } => {
                let author = author.trim().to_owned();
                if !author.is_empty() {
                    self.keeper.set_editor(&author);
                }
                let unsigned: Vec<_> = self
                    .notes
                    .iter()
                    .filter(|n| n.author.is_empty())
                    .map(|n| n.id)
                    .collect();
                for id in unsigned.into_iter().filter(|_| !author.is_empty()) {
                    if let Some(n) = self.notes.get_mut(id) {
                        n.author = author.clone();
                        n.edited_ms = crate::notes::now_ms();
                        self.keeper.changed(&mut self.notes, id);
                        events.push(Event::NoteChanged(id));
                    }
                }
            }
            Intent::NoteEdited(id) => {
                if let Some(n) = self.notes.get_mut(id) {
                    n.edited_ms = crate::notes::now_ms();
                    self.keeper.changed(&mut self.notes, id);
                    events.push(Event::NoteChanged(id));
                }
            }
            Intent::DeleteNote(id) => {
                if self.deleted.delete(&mut self.notes, id) {
                    self.keeper.changed(&mut self.notes, id);
                    events.push(Event::NoteDeleted(id));
                }
            }
            Intent::UndoDelete => {
                if let Some(id) = self.deleted.undo(&mut self.notes) {
                    self.keeper.changed(&mut self.notes, id);
                    events.push(Event::NoteRestored(id));
                }
            }
        }
        events
    }

    /// Takes in the player's latest state, retries note saves the disk refused (at most every
    /// two seconds) and takes in notes other processes changed (four times a second). Call once
    /// per view update; true when the notes changed from elsewhere.
    pub fn refresh(&mut self, now: Instant) -> bool {
        self.snapshot = self.player.snapshot();
        self.keeper.refresh(&mut self.notes, now)
    }

    /// Calls `wake` when another process or window changes this review's notes, so a view that
    /// draws only when something happens knows to refresh.
    pub fn watch_notes(&mut self, wake: Box<dyn Fn() + Send>) {
        self.keeper.watch(wake);
    }

    /// The view says which frame's picture it shows (`None`: no picture yet).
    pub fn set_frame_on_screen(&mut self, frame: Option<u64>) {
        self.on_screen = frame;
    }

    /// The frame marks and notes go to. Stopped: the position the reviewer moved to (the one
    /// the timecode shows, even if its picture is still decoding). Playing: the picture on
    /// screen, the one they reacted to.
    pub fn looking_at(&self) -> Frame {
        match self.snapshot.transport {
            Transport::Paused => self.snapshot.frame,
            _ => self.on_screen.map_or(self.snapshot.frame, Frame),
        }
    }

    pub fn last_frame(&self) -> Frame {
        Frame(self.player.frame_count().saturating_sub(1))
    }

    fn notes_shown(&self, filter: NoteFilter) -> impl Iterator<Item = &Note> {
        self.notes.iter().filter(move |n| filter.matches(n))
    }

    fn send_marks(&self) {
        let range = (!self.marks.is_empty() || self.snapshot.looping)
            .then(|| self.marks.loop_range(self.player.frame_count()));
        self.player.send(Command::SetLoop(range));
    }

    /// The player, for what belongs to this seat rather than to the review: output device,
    /// gain, monitoring, the picture and the clock.
    pub fn player(&self) -> &Player {
        &self.player
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    pub fn notes(&self) -> &NoteList {
        &self.notes
    }

    /// The notes for a view that edits text and fields in place. Every change must be
    /// followed by [`Intent::NoteEdited`], which stamps and saves it.
    pub fn edit_notes(&mut self) -> &mut NoteList {
        &mut self.notes
    }

    /// Where the notes stand on disk.
    /// The stored record of note `id` (its fields and when each changed), to share it.
    pub fn note_record(&self, id: NoteId) -> Option<NoteRecord> {
        self.keeper.record(id)
    }

    /// Takes in a note from another participant of a shared review (merged field by field
    /// with this review's copy and stored); says what changed.
    pub fn take_in_note(&mut self, theirs: &NoteRecord) -> Result<Vec<Event>, String> {
        let id = theirs.id();
        let had = self.notes.get(id).is_some();
        if !self.keeper.take_in(&mut self.notes, theirs)? {
            return Ok(Vec::new());
        }
        Ok(vec![match (had, self.notes.get(id).is_some()) {
            (false, true) => Event::NoteAdded(id),
            (true, false) => Event::NoteDeleted(id),
            _ => Event::NoteChanged(id),
        }])
    }

    pub fn save_state(&self) -> SaveState {
        self.keeper.state()
    }

    /// The note undo would bring back, and how many are held.
    pub fn undo_preview(&self) -> Option<(&Note, usize)> {
        self.deleted.last().map(|n| (n, self.deleted.len()))
    }

    pub fn marks(&self) -> Marks {
        self.marks
    }

    pub fn scan(&self) -> &ScanJob {
        &self.scan
    }

    pub fn spec(&self) -> &SpecJob {
        &self.spec
    }

    pub fn meters_mut(&mut self) -> Option<&mut MeterOutput> {
        self.meters.as_mut()
    }

    /// The live meters and the player's state together (a view reads both each frame).
    pub fn meters_and_snapshot(&mut self) -> (Option<&mut MeterOutput>, &Snapshot) {
        (self.meters.as_mut(), &self.snapshot)
    }
}
