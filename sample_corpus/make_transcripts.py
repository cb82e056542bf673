"""Build the generated interview files of the sample study from their plain-text sources.

Eleven of the 17 sample interviews are *generated* from the UTF-8 sources in
``sample_corpus/transcript_sources/`` so that they look like what a research team
really receives, while their text stays easy to read and review:

* 7 Word files (``.docx``, python-docx): speaker labels in bold or typed, metadata in
  the document's core properties;
* 3 WebVTT captions (``.vtt``) in the styles Zoom and Teams export: several cues per
  speaker turn, realistic timestamps, voice tags or ``Name: `` prefixes;
* 1 Notepad-style text file saved in Windows-1252 with CRLF line endings.

The other six interviews (five ``.txt`` and the French ``.md``) are written by hand
directly in ``sample_corpus/transcripts/``. The sources live outside that folder so
that a loader never reads an interview twice.

The output is deterministic: no clock and no unseeded randomness. Word core
properties carry fixed dates and revision, and each ``.docx`` zip is rewritten with
fixed entry dates and attributes, so running the script again gives the same bytes
(checked by ``tests/test_sample_transcripts.py``).

Usage::

    python sample_corpus/make_transcripts.py            # writes sample_corpus/transcripts/
    python sample_corpus/make_transcripts.py --out DIR  # writes somewhere else

Source format
-------------
A source file starts with a front matter block between ``---`` lines holding
``key: value`` pairs (case_id, es_id, interview, language, date). The body is made of
blocks separated by blank lines. A block starting with ``I: `` opens an interviewer
turn, one starting with ``ES: `` opens an employment-specialist turn; any other block
is a further paragraph of the turn before it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import random
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "transcript_sources"
TRANSCRIPTS = HERE / "transcripts"

#: Every generated file is dated to the interview; zip entries get this fixed time.
ZIP_DATE_TIME = (2021, 9, 1, 0, 0, 0)
SEED = 20210601


@dataclass(frozen=True)
class Turn:
    """One speaker turn: ``role`` is ``"I"`` (interviewer) or ``"ES"``."""

    role: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    """A parsed source file."""

    meta: dict[str, str]
    turns: tuple[Turn, ...]

    @property
    def case_id(self) -> str:
        return self.meta["case_id"]

    def metadata_line(self) -> str:
        """The ``key: value; ...`` line stored in the Word core properties."""
        keys = ("case_id", "es_id", "interview", "language")
        return "; ".join(f"{k}: {self.meta[k]}" for k in keys)


@dataclass(frozen=True)
class Output:
    """How one source becomes one file in ``transcripts/``."""

    source: str
    filename: str
    kind: str  # "docx", "vtt" or "cp1252"
    labels: dict[str, str] = field(default_factory=lambda: {"I": "Interviewer", "ES": "ES"})
    bold_labels: bool = False  # docx: label in a bold run, else typed as plain text
    #: docx: where the metadata goes: "subject", "comments" or "keywords" hold the
    #: ``case_id: ...; es_id: ...`` line, "subject-id" puts the bare display id in subject.
    meta_in: str = "comments"
    heading: str | None = None  # docx: a title paragraph before the first turn
    vtt_style: str = "voice"  # vtt: "voice" (<v Name>), "prefix" (Name: text)
    vtt_cue_ids: str = "none"  # vtt: "none", "number" (Zoom) or "uuid" (Teams)
    vtt_note: bool = False  # vtt: a NOTE block with the metadata after the header


OUTPUTS: tuple[Output, ...] = (
    # --- Word files --------------------------------------------------------------------
    Output("ES11_C4.txt", "ES11_C4.docx", "docx", bold_labels=True, meta_in="keywords"),
    Output(
        "ES11_C1.txt",
        "es11-c1 transcript.docx",
        "docx",
        labels={"I": "Interviewer", "ES": "Employment specialist"},
        bold_labels=True,
        meta_in="comments",
    ),
    Output(
        "ES11_C2.txt",
        "ES11_C02_final.docx",
        "docx",
        labels={"I": "Int.", "ES": "ES"},
        meta_in="comments",
        heading="Interview ES#11_C2 - employment specialist perspective",
    ),
    Output("ES16_C4.txt", "ES#16_C4.docx", "docx", bold_labels=True, meta_in="subject-id"),
    Output(
        "ES5_C2.txt",
        "ES05_C02.docx",
        "docx",
        labels={"I": "Interviewer", "ES": "ES"},
        meta_in="subject",
        heading="Transcript - ES#5_C2",
    ),
    Output(
        "ES8_C3.txt",
        "Interview ES8_C3.docx",
        "docx",
        labels={"I": "Interviewer", "ES": "Employment specialist"},
        meta_in="comments",
    ),
    Output("ES16_C3.txt", "es16_c3.docx", "docx", bold_labels=True, meta_in="comments"),
    # --- WebVTT ------------------------------------------------------------------------
    Output(
        "ES16_C1.txt",
        "ES16_C1.vtt",
        "vtt",
        labels={"I": "Interviewer", "ES": "Employment specialist"},
        vtt_style="voice",
        vtt_cue_ids="uuid",
    ),
    Output(
        "ES5_C1.txt",
        "ES#5_C1.vtt",
        "vtt",
        labels={"I": "Interviewer", "ES": "ES"},
        vtt_style="voice",
        vtt_note=True,
    ),
    Output(
        "ES8_C2.txt",
        "zoom_es8-c2.vtt",
        "vtt",
        labels={"I": "Interviewer", "ES": "ES"},
        vtt_style="prefix",
        vtt_cue_ids="number",
    ),
    # --- Windows-1252 text with CRLF (saved from Notepad) ---------------------------------
    Output("ES8_C1.txt", "ES8_C1_notepad.txt", "cp1252", labels={"I": "Int.", "ES": "ES"}),
)


def display_id(case_id: str) -> str:
    """``ES11_C4`` -> ``ES#11_C4`` (the spelling the study prints)."""
    return case_id.replace("ES", "ES#", 1)


# ---------------------------------------------------------------------------------------
# Parsing the sources
# ---------------------------------------------------------------------------------------
def parse_source(path: Path) -> Source:
    """Read a source file (front matter + ``I:``/``ES:`` blocks)."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise SystemExit(f"{path.name}: the source must start with a '---' front matter block")
    head, sep, body = text[4:].partition("\n---\n")
    if not sep:
        raise SystemExit(f"{path.name}: the front matter is not closed by a '---' line")
    meta: dict[str, str] = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    turns: list[Turn] = []
    for block in re.split(r"\n\s*\n", body.strip()):
        block = " ".join(line.strip() for line in block.splitlines())
        match = re.match(r"(I|ES): (.*)", block)
        if match:
            turns.append(Turn(match[1], (match[2],)))
        elif turns:
            last = turns.pop()
            turns.append(Turn(last.role, (*last.paragraphs, block)))
        else:
            raise SystemExit(f"{path.name}: text before the first 'I:' or 'ES:' turn")
    return Source(meta, tuple(turns))


# ---------------------------------------------------------------------------------------
# Word
# ---------------------------------------------------------------------------------------
def build_docx(source: Source, spec: Output) -> bytes:
    """A Word document, one paragraph per turn paragraph, then a deterministic zip."""
    import docx  # python-docx

    document = docx.Document()
    props = document.core_properties
    props.author = "Research team"
    props.last_modified_by = "Research team"
    props.title = f"Interview {display_id(source.case_id)}"
    props.keywords = "working alliance; supported employment; interview"
    props.category = "transcript"
    if spec.meta_in == "subject-id":
        props.subject = display_id(source.case_id)
    else:
        setattr(props, spec.meta_in, source.metadata_line())
    interview_date = dt.datetime.fromisoformat(source.meta["date"]).replace(tzinfo=dt.timezone.utc)
    props.created = interview_date
    props.modified = interview_date + dt.timedelta(days=3)
    props.last_printed = interview_date + dt.timedelta(days=3)
    props.revision = 2
    if spec.heading:
        document.add_heading(spec.heading, level=1)
    for turn in source.turns:
        label = spec.labels[turn.role]
        for i, text in enumerate(turn.paragraphs):
            paragraph = document.add_paragraph()
            if i == 0:
                if spec.bold_labels:
                    paragraph.add_run(f"{label}:").bold = True
                    paragraph.add_run(f" {text}")
                else:
                    paragraph.add_run(f"{label}: {text}")
            else:
                paragraph.add_run(text)
    raw = io.BytesIO()
    document.save(raw)
    return _normalise_zip(raw.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed dates and attributes so equal content gives equal bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for entry in src.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, src.read(entry.filename), compresslevel=6)
    return out.getvalue()


# ---------------------------------------------------------------------------------------
# WebVTT
# ---------------------------------------------------------------------------------------
def _cues(text: str, max_words: int = 16) -> list[str]:
    """Split a turn into caption cues: sentences, long ones cut at word boundaries."""
    cues: list[str] = []
    for sentence in re.split(r"(?<=[.?!])\s+(?=[A-Z(\"])", text):
        words = sentence.split()
        while len(words) > max_words + 4:
            cues.append(" ".join(words[:max_words]))
            words = words[max_words:]
        if words:
            if cues and len(cues[-1].split()) + len(words) <= 7:
                cues[-1] = f"{cues[-1]} {' '.join(words)}"  # merge very short sentences
            else:
                cues.append(" ".join(words))
    return cues


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def build_vtt(source: Source, spec: Output) -> bytes:
    """A WebVTT file as Zoom (numbered cues, ``Name: text``) or Teams (voice tags) write it."""
    rng = random.Random(f"{SEED}-{source.case_id}")
    lines = ["WEBVTT", ""]
    if spec.vtt_note:
        lines += ["NOTE", source.metadata_line(), ""]
    clock = 1.0 + rng.random() * 3
    number = 0
    for turn_no, turn in enumerate(source.turns):
        label = spec.labels[turn.role]
        for part, cue in enumerate(_cues(" ".join(turn.paragraphs))):
            number += 1
            duration = len(cue.split()) / rng.uniform(2.3, 2.9) + 0.3
            start, end = clock, clock + duration
            clock = end + rng.uniform(0.05, 0.4)
            if spec.vtt_cue_ids == "number":
                lines.append(str(number))
            elif spec.vtt_cue_ids == "uuid":
                digest = hashlib.sha1(f"{source.case_id}-{turn_no}".encode()).hexdigest()
                lines.append(
                    f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-"
                    f"{digest[20:32]}/{turn_no + 12}-{part}"
                )
            lines.append(f"{_timestamp(start)} --> {_timestamp(end)}")
            if spec.vtt_style == "voice":
                lines.append(f"<v {label}>{cue}</v>")
            else:
                lines.append(f"{label}: {cue}")
            lines.append("")
        clock += rng.uniform(0.6, 2.2)  # the pause before the other speaker answers
    return "\n".join(lines).encode("utf-8")


# ---------------------------------------------------------------------------------------
# Windows-1252 text
# ---------------------------------------------------------------------------------------
def build_cp1252(source: Source, spec: Output) -> bytes:
    """A Notepad export: Windows-1252, CRLF, a header line, a blank line between turns."""
    lines = [
        f"Interview {display_id(source.case_id)} - {source.meta['date']}",
        "",
    ]
    for turn in source.turns:
        first, *rest = turn.paragraphs
        lines.append(f"{spec.labels[turn.role]}: {first}")
        lines.extend(rest)  # a further paragraph of the same turn, no label
        lines.append("")
    return "\r\n".join(lines).encode("cp1252")


BUILDERS = {"docx": build_docx, "vtt": build_vtt, "cp1252": build_cp1252}


def build(out_dir: Path) -> list[Path]:
    """Write every generated transcript into ``out_dir`` and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in OUTPUTS:
        source = parse_source(SOURCES / spec.source)
        target = out_dir / spec.filename
        target.write_bytes(BUILDERS[spec.kind](source, spec))
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=TRANSCRIPTS, help="output folder")
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(path)


if __name__ == "__main__":
    main()
