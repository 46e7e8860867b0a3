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
  read_markers.py fcpxml FILE [--dtd DTD]
      Parses the document, validates it against Apple's FCPXML 1.10 DTD (DTD defaults to
      tests/fixtures/fcpxml/FCPXMLv1_10.dtd; a small validator below, no libxml2), then takes
      the markers the way OpenTimelineIO's FCPXML reader does: from the asset-clips of the
      sequence's spine (a marker anywhere else, on a gap say, is an error: such a reader never
      sees it). A marker's start is in the clip's local time; its place on the timeline is
      clip offset + (marker start - clip start), and the frame is that minus the sequence's
      tcStart, in frame durations, which must be whole. The clip's asset and its media-rep are
      read too (the file URL decoded back to a path).

Standard library plus mido only (Debian package python3-mido).
"""

import argparse
import json
import os
import re
import sys
import urllib.parse
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


class Dtd:
    """The element and attribute declarations of a DTD, enough to validate a document.

    Parameter entities are expanded first; each element's content model becomes a regular
    expression over its children's names (`<name>` each, in order); each attribute keeps its
    type (CDATA, ID, IDREF, an enumeration, ...) and default (#REQUIRED, #IMPLIED, #FIXED, a
    value). Not handled, as FCPXML does not use them: general entities, NOTATION, ENTITY types.
    """

    NAME = r"[A-Za-z_:][-A-Za-z0-9_:.]*"

    def __init__(self, text):
        text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
        entities = {}

        def expand(value):
            for _ in range(50):
                new = re.sub(r"%(" + self.NAME + r");", lambda m: entities[m.group(1)], value)
                if new == value:
                    return new
                value = new
            fail("parameter entities nest too deep")

        self.elements = {}
        self.attributes = {}
        for decl in self._declarations(text):
            m = re.match(r"<!ENTITY\s+%\s+(" + self.NAME + r")\s+(\"[^\"]*\"|'[^']*')\s*>$", decl, re.S)
            if m:
                entities[m.group(1)] = expand(m.group(2)[1:-1])
                continue
            decl = expand(decl)
            m = re.match(r"<!ELEMENT\s+(" + self.NAME + r")\s+(.*)>$", decl, re.S)
            if m:
                self.elements[m.group(1)] = self._content_model(m.group(2).strip())
                continue
            m = re.match(r"<!ATTLIST\s+(" + self.NAME + r")\s+(.*)>$", decl, re.S)
            if m:
                self.attributes.setdefault(m.group(1), {}).update(self._attlist(m.group(2)))
                continue
            fail(f"DTD declaration not understood: {decl[:80]!r}")

    @staticmethod
    def _declarations(text):
        """Every `<!...>` declaration, `>` inside quotes kept."""
        out, i = [], 0
        while True:
            i = text.find("<!", i)
            if i < 0:
                return out
            j, quote = i + 2, None
            while j < len(text):
                c = text[j]
                if quote:
                    if c == quote:
                        quote = None
                elif c in "\"'":
                    quote = c
                elif c == ">":
                    break
                j += 1
            out.append(text[i:j + 1])
            i = j + 1

    def _content_model(self, model):
        """(regex over '<child>' names, whether text may appear)."""
        if model == "EMPTY":
            return (re.compile(""), False)
        if model == "ANY":
            return (None, True)
        if "#PCDATA" in model:
            names = re.findall(self.NAME, model.replace("#PCDATA", ""))
            if not names:
                return (re.compile(""), True)
            return (re.compile("(?:" + "|".join(f"<{n}>" for n in names) + ")*"), True)
        regex = ""
        for token in re.findall(self.NAME + r"|[(),|?*+]", model):
            if token == "(":
                regex += "(?:"
            elif token == ")":
                regex += ")"
            elif token == ",":
                pass
            elif token in "|?*+":
                regex += token
            else:
                regex += f"(?:<{token}>)"
        return (re.compile(regex), False)

    def _attlist(self, defs):
        out = {}
        pattern = re.compile(
            r"\s*(" + self.NAME + r")\s+(\([^)]*\)|[A-Z]+)\s+"
            r"(#REQUIRED|#IMPLIED|#FIXED\s+(?:\"[^\"]*\"|'[^']*')|\"[^\"]*\"|'[^']*')"
        )
        pos = 0
        defs = defs.rstrip()
        while pos < len(defs):
            m = pattern.match(defs, pos)
            if not m:
                fail(f"ATTLIST not understood at {defs[pos:pos + 60]!r}")
            name, kind, default = m.groups()
            values = None
            if kind.startswith("("):
                values = [v.strip() for v in kind[1:-1].split("|")]
                kind = "ENUM"
            fixed = None
            if default.startswith("#FIXED"):
                fixed = default.split(None, 1)[1][1:-1]
                default = "#FIXED"
            out[name] = (kind, values, default, fixed)
            pos = m.end()
        return out

    def validate(self, root, doctype):
        if root.tag != doctype:
            fail(f"root <{root.tag}> is not the DOCTYPE's <{doctype}>")
        ids, refs = set(), []
        self._validate(root, ids, refs)
        for tag, name, ref in refs:
            if ref not in ids:
                fail(f"<{tag} {name}={ref!r}> refers to no element with that ID")

    def _validate(self, element, ids, refs):
        tag = element.tag
        if tag not in self.elements:
            fail(f"<{tag}> is not declared in the DTD")
        declared = self.attributes.get(tag, {})
        for name, value in element.attrib.items():
            if name not in declared:
                fail(f"<{tag}> has attribute {name!r}, not declared for it in the DTD")
            kind, values, _, fixed = declared[name]
            if kind == "ENUM" and value not in values:
                fail(f"<{tag} {name}={value!r}> is not one of {values}")
            if fixed is not None and value != fixed:
                fail(f"<{tag} {name}={value!r}> must be {fixed!r}")
            if kind == "ID":
                if value in ids:
                    fail(f"ID {value!r} is used twice")
                ids.add(value)
            if kind == "IDREF":
                refs.append((tag, name, value))
        for name, (_, _, default, _) in declared.items():
            if default == "#REQUIRED" and name not in element.attrib:
                fail(f"<{tag}> lacks required attribute {name!r}")
        regex, text_allowed = self.elements[tag]
        texts = [element.text] + [child.tail for child in element]
        if not text_allowed and any(t and t.strip() for t in texts):
            fail(f"<{tag}> may not hold text")
        children = "".join(f"<{child.tag}>" for child in element)
        if regex is not None and not regex.fullmatch(children):
            fail(f"the children of <{tag}> do not match its content model: "
                 + (" ".join(child.tag for child in element) or "(none)"))
        for child in element:
            self._validate(child, ids, refs)


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


def read_fcpxml(path, dtd_path):
    with open(path, "rb") as f:
        raw = f.read()
    if not raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n'):
        fail("missing XML declaration or DOCTYPE")
    root = ET.fromstring(raw)
    if root.tag != "fcpxml" or root.get("version") != "1.10":
        fail("root is not <fcpxml version=\"1.10\">")
    with open(dtd_path, encoding="utf-8") as f:
        Dtd(f.read()).validate(root, "fcpxml")
    parents = {child: parent for parent in root.iter() for child in parent}
    formats = {f.get("id"): f for f in root.iter("format")}
    assets = {a.get("id"): a for a in root.iter("asset")}
    sequences = list(root.iter("sequence"))
    if len(sequences) != 1:
        fail("expected one sequence")
    sequence = sequences[0]
    fmt = formats.get(sequence.get("format"))
    if fmt is None:
        fail("sequence format refers to no <format>")
    frame = rational(fmt.get("frameDuration"))
    tc_start = rational(sequence.get("tcStart", "0s"))
    for marker in root.iter("marker"):
        if parents[marker].tag != "asset-clip":
            fail(f"a marker sits on <{parents[marker].tag}>, not on a clip: "
                 "clip-based readers (OpenTimelineIO) never see it")
    spine = sequence.find("spine")
    clips = spine.findall("asset-clip")
    if len(clips) != 1:
        fail(f"expected one asset-clip in the spine, found {len(clips)}")
    clip = clips[0]
    asset = assets.get(clip.get("ref"))
    if asset is None:
        fail("the asset-clip refers to no <asset>")
    reps = asset.findall("media-rep")
    if len(reps) != 1 or reps[0].get("kind", "original-media") != "original-media":
        fail("expected one original-media media-rep")
    url = urllib.parse.urlsplit(reps[0].get("src"))
    if url.scheme != "file" or url.netloc not in ("", "localhost"):
        fail(f"media-rep src {reps[0].get('src')!r} is not a local file URL")
    asset_start = rational(asset.get("start", "0s"))
    asset_duration = rational(asset.get("duration"))
    # OpenTimelineIO: the clip's source range is (start, duration) in the asset's time; the
    # duration defaults to the asset's. The clip sits on the timeline at its offset.
    clip_offset = rational(clip.get("offset", "0s"))
    clip_start = rational(clip.get("start", "0s"))
    clip_duration = rational(clip.get("duration")) if clip.get("duration") else asset_duration
    if clip_start < asset_start or clip_start + clip_duration > asset_start + asset_duration:
        fail("the clip reaches outside its asset")
    if rational(sequence.get("duration")) != clip_offset + clip_duration - tc_start:
        fail("the sequence is not exactly the clip")
    markers = []
    for marker in clip.findall("marker"):
        start = rational(marker.get("start"))
        duration = rational(marker.get("duration", "0s"))
        if start < clip_start or start + duration > clip_start + clip_duration:
            fail(f"marker at {marker.get('start')} lies outside its clip")
        on_timeline = clip_offset + (start - clip_start)
        timeline_frame = whole((on_timeline - tc_start) / frame, "marker place on the timeline")
        media_frame = whole((start - asset_start) / frame, "marker start in the media")
        if timeline_frame != media_frame:
            fail(f"marker at {marker.get('start')}: timeline frame {timeline_frame} is not "
                 f"media frame {media_frame}")
        markers.append({
            "frame": timeline_frame,
            "duration_frames": whole(duration / frame, "marker duration"),
            "value": marker.get("value"),
            "note": marker.get("note", ""),
            "completed": marker.get("completed"),
        })
    asset_format = formats.get(asset.get("format"))
    return {
        "frame_duration": f"{frame.numerator}/{frame.denominator}",
        "tc_start_frames": whole(tc_start / frame, "tcStart"),
        "tc_format": sequence.get("tcFormat"),
        "asset": {
            "name": asset.get("name"),
            "src": reps[0].get("src"),
            "path": urllib.parse.unquote(url.path, encoding="utf-8", errors="strict"),
            "start_frames": whole(asset_start / frame, "asset start"),
            "duration_frames": whole(asset_duration / frame, "asset duration"),
            "has_video": asset.get("hasVideo"),
            "has_audio": asset.get("hasAudio"),
            "audio_channels": asset.get("audioChannels"),
            "audio_rate": asset.get("audioRate"),
            "width": asset_format.get("width") if asset_format is not None else None,
            "height": asset_format.get("height") if asset_format is not None else None,
        },
        "clip": {
            "offset_frames": whole(clip_offset / frame, "clip offset"),
            "start_frames": whole(clip_start / frame, "clip start"),
            "duration_frames": whole(clip_duration / frame, "clip duration"),
            "tc_format": clip.get("tcFormat"),
        },
        "markers": markers,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["midi", "fcpxml"])
    parser.add_argument("file")
    parser.add_argument("--rate", help="exact picture rate, NUM/DEN")
    parser.add_argument("--drop", action="store_true", help="drop-frame counting")
    parser.add_argument("--start", help="media start timecode")
    parser.add_argument(
        "--dtd",
        default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "../fixtures/fcpxml/FCPXMLv1_10.dtd"),
        help="the FCPXML 1.10 DTD to validate against",
    )
    args = parser.parse_args()
    if args.kind == "midi":
        if not args.rate or not args.start:
            fail("midi needs --rate and --start")
        num, den = args.rate.split("/")
        result = read_midi(args.file, Fraction(int(num), int(den)), args.drop, args.start)
    else:
        result = read_fcpxml(args.file, args.dtd)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    main()
