#!/usr/bin/env python3
"""Independent readers for Earmark's marker exports, used by tests/marker_formats.rs.

Why a second implementation: a Rust reader written next to the Rust writer would share its
mistakes. This script reads the files the way the target programs are documented to
(markers.md), with other code: mido parses the Standard MIDI File, xml.etree the FCPXML, and
timecode maths is redone here with exact fractions. It prints JSON; the Rust test compares
the frames with the ones it meant to write.

  read_markers.py midi FILE --rate NUM/DEN [--drop] --start HH:MM:SS:FF
      Reads format, PPQ, tempo, SMPTE offset and marker events with absolute ticks, then
      places each marker as Pro Tools would: tick 0 = the session start given by FF 54,
      real seconds = ticks x tempo / (PPQ x 1e6), frame = floor(seconds x rate), and
      subtracts the media start to give the media frame.
  read_markers.py fcpxml FILE
      Parses the document, checks the element/attribute structure against the FCPXML 1.10
      DTD for the elements used, and turns each marker's rational start into a frame of the
      media (marker start - gap start, in frame durations, which must be whole).

Standard library plus mido only (Debian package python3-mido).
"""

import argparse
import json
import sys
import xml.etree.ElementTree as ET
from fractions import Fraction


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def nominal_fps(rate):
    return (rate.numerator + rate.denominator // 2) // rate.denominator


def tc_count(hours, minutes, seconds, frames, fps, drop):
    """Frames since 00:00:00:00 for a label (no floor-division trap in this direction)."""
    count = ((hours * 3600 + minutes * 60 + seconds) * fps) + frames
    if drop:
        dropped = fps // 15
        total_minutes = 60 * hours + minutes
        count -= dropped * (total_minutes - total_minutes // 10)
    return count


def parse_tc(text, fps, drop):
    parts = text.replace(";", ":").split(":")
    if len(parts) != 4:
        fail(f"bad timecode {text!r}")
    return tc_count(*(int(p) for p in parts), fps, drop)


def smpte_rate_and_hours(mido, msg):
    """The FF 54 rate code and hours, decoded per the SMF spec: byte = (code << 5) | hours.

    Older mido (Debian 12 ships 1.2.10) splits that byte at bit 6 instead (mido issue #156,
    cited in markers.md), so its frame_rate and hours are wrong for any file written to the
    spec. mido keeps both halves, so the raw byte is rebuilt with whatever split this mido uses
    (found by encoding a probe message) and decoded again correctly.
    """
    codes = {24: 0, 25: 1, 29.97: 2, 30: 3}
    probe = mido.MetaMessage("smpte_offset", frame_rate=25, hours=0).bytes()[3]
    split = 6 if probe == 0x40 else 5
    raw = (codes[msg.frame_rate] << split) | msg.hours
    return (raw >> 5) & 0x03, raw & 0x1F


def read_midi(path, rate, drop, start):
    import mido

    midi = mido.MidiFile(path)
    if midi.type != 0 or len(midi.tracks) != 1:
        fail(f"expected a format-0 file with one track, got type {midi.type}")
    fps = nominal_fps(rate)
    tick = 0
    tempo = None
    smpte = None
    markers = []
    for msg in midi.tracks[0]:
        tick += msg.time
        if msg.type == "set_tempo":
            if tick != 0 or tempo is not None:
                fail("tempo must be set once, at tick 0")
            tempo = msg.tempo
        elif msg.type == "smpte_offset":
            if tick != 0:
                fail("SMPTE offset must be at tick 0")
            smpte = msg
        elif msg.type == "marker":
            markers.append((tick, msg.text))
    if tempo is None or smpte is None:
        fail("missing tempo or SMPTE offset")
    code, hours = smpte_rate_and_hours(mido, smpte)
    code_fps = [24, 25, 30, 30][code]
    code_drop = code == 2
    if code_drop != drop:
        fail(f"SMPTE offset rate {smpte.frame_rate} disagrees with drop={drop}")
    # The offset's frames in the session's own rate: frames and 1/100 sub-frames of the code's rate.
    session_frames = Fraction(smpte.frames * 100 + smpte.sub_frames, 100) * fps / code_fps
    if session_frames.denominator != 1:
        fail("SMPTE offset does not fall on a frame of the session rate")
    session = tc_count(hours, smpte.minutes, smpte.seconds, int(session_frames), fps, drop)
    media_start = parse_tc(start, fps, drop)
    out = []
    for tick, text in markers:
        seconds = Fraction(tick * tempo, midi.ticks_per_beat * 1_000_000)
        offset = (seconds * rate).numerator // (seconds * rate).denominator
        out.append({"tick": tick, "frame": session + offset - media_start, "text": text})
    return {
        "format": midi.type,
        "ppq": midi.ticks_per_beat,
        "tempo_us": tempo,
        "smpte": {
            "frame_rate": ["24", "25", "29.97", "30"][code],
            "hours": hours,
            "minutes": smpte.minutes,
            "seconds": smpte.seconds,
            "frames": smpte.frames,
            "sub_frames": smpte.sub_frames,
        },
        "markers": out,
    }


# The FCPXML 1.10 DTD for the elements Earmark writes: allowed attributes, required
# attributes, allowed children.
DTD = {
    "fcpxml": ({"version"}, {"version"}, {"import-options", "resources", "library", "event", "project"}),
    "resources": (set(), set(), {"asset", "effect", "format", "media", "locator", "object-tracker"}),
    "format": (
        {"id", "name", "frameDuration", "fieldOrder", "width", "height", "paspH", "paspV",
         "colorSpace", "projection", "stereoscopic"},
        {"id"},
        set(),
    ),
    "library": ({"location", "colorProcessing"}, set(), {"event", "smart-collection"}),
    "event": ({"name", "uid"}, set(), {"project", "clip", "asset-clip", "collection-folder",
                                        "keyword-collection", "smart-collection", "ref-clip"}),
    "project": ({"name", "uid", "id", "modDate"}, set(), {"sequence"}),
    "sequence": (
        {"format", "duration", "tcStart", "tcFormat", "audioLayout", "audioRate",
         "renderFormat", "note", "keywords"},
        {"format"},
        {"note", "spine", "metadata"},
    ),
    "spine": ({"name", "format", "lane", "offset"}, set(), {"gap", "clip", "asset-clip", "title"}),
    "gap": (
        {"name", "offset", "start", "duration", "enabled", "modDate"},
        {"duration"},
        {"note", "marker", "chapter-marker", "rating", "keyword", "analysis-marker", "metadata"},
    ),
    "marker": ({"start", "duration", "value", "completed", "note"}, {"start", "value"}, set()),
}


def check_structure(element):
    if element.tag not in DTD:
        fail(f"element <{element.tag}> is not one Earmark should write")
    allowed, required, children = DTD[element.tag]
    for name in element.attrib:
        if name not in allowed:
            fail(f"<{element.tag}> has attribute {name!r}, not in the DTD")
    for name in required:
        if name not in element.attrib:
            fail(f"<{element.tag}> lacks required attribute {name!r}")
    for child in element:
        if child.tag not in children:
            fail(f"<{child.tag}> may not be a child of <{element.tag}>")
        check_structure(child)


def rational(text):
    if not text.endswith("s"):
        fail(f"time {text!r} does not end in 's'")
    body = text[:-1]
    if "/" in body:
        num, den = body.split("/")
        return Fraction(int(num), int(den))
    return Fraction(int(body))


def whole(value, what):
    if value.denominator != 1:
        fail(f"{what} is not a whole number of frames: {value}")
    return value.numerator


def read_fcpxml(path):
    with open(path, "rb") as f:
        raw = f.read()
    if not raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n'):
        fail("missing XML declaration or DOCTYPE")
    root = ET.fromstring(raw)
    if root.tag != "fcpxml" or root.get("version") != "1.10":
        fail("root is not <fcpxml version=\"1.10\">")
    check_structure(root)
    formats = {f.get("id"): f for f in root.iter("format")}
    sequences = list(root.iter("sequence"))
    if len(sequences) != 1:
        fail("expected one sequence")
    sequence = sequences[0]
    fmt = formats.get(sequence.get("format"))
    if fmt is None:
        fail("sequence format refers to no <format>")
    frame = rational(fmt.get("frameDuration"))
    tc_start = rational(sequence.get("tcStart"))
    gaps = list(sequence.iter("gap"))
    if len(gaps) != 1:
        fail("expected one gap")
    gap = gaps[0]
    gap_start = rational(gap.get("start"))
    gap_end = gap_start + rational(gap.get("duration"))
    if rational(gap.get("offset")) != tc_start or gap_start != tc_start:
        fail("gap offset/start differ from the sequence's tcStart")
    if rational(sequence.get("duration")) != rational(gap.get("duration")):
        fail("sequence and gap durations differ")
    markers = []
    for marker in gap.findall("marker"):
        start = rational(marker.get("start"))
        duration = rational(marker.get("duration", "0s"))
        if start < gap_start or start + duration > gap_end:
            fail(f"marker at {marker.get('start')} lies outside its gap")
        markers.append({
            "frame": whole((start - gap_start) / frame, "marker start"),
            "duration_frames": whole(duration / frame, "marker duration"),
            "value": marker.get("value"),
            "note": marker.get("note", ""),
            "completed": marker.get("completed"),
        })
    return {
        "frame_duration": f"{frame.numerator}/{frame.denominator}",
        "tc_start_frames": whole(tc_start / frame, "tcStart"),
        "tc_format": sequence.get("tcFormat"),
        "markers": markers,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["midi", "fcpxml"])
    parser.add_argument("file")
    parser.add_argument("--rate", help="exact picture rate, NUM/DEN")
    parser.add_argument("--drop", action="store_true", help="drop-frame counting")
    parser.add_argument("--start", help="media start timecode")
    args = parser.parse_args()
    if args.kind == "midi":
        if not args.rate or not args.start:
            fail("midi needs --rate and --start")
        num, den = args.rate.split("/")
        result = read_midi(args.file, Fraction(int(num), int(den)), args.drop, args.start)
    else:
        result = read_fcpxml(args.file)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    main()
