"""The sample study's 17 interviews (sample_corpus/transcripts/).

Checked here, independently of the library's loaders: one interview per interviewed
case, 800..2000 words each, the generated files (Word, WebVTT, Windows-1252 text)
reproduced byte for byte by ``make_transcripts.py``, the file formats really are what
they claim, and what each interview says about its client agrees with ``cases.csv``.
When the library's loader is present, the corpus is also read with it.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
import zipfile
from pathlib import Path

import pytest

from mixedwai.ids import canonical_case_id, find_case_id

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_corpus"
TRANSCRIPTS = SAMPLE / "transcripts"
FACTS = SAMPLE / "transcript_sources" / "interview_facts.csv"
SUFFIXES = {".txt", ".md", ".docx", ".vtt"}

#: SAMPLE_STUDY design: the 17 interviewed cases (ES21 left: ES21_C1 has none).
INTERVIEWED = {
    "SHA": {"ES11_C1": "yes", "ES11_C2": "yes", "ES11_C4": "yes", "ES16_C4": "yes", "ES3_C2": "no"},
    "SLA": {
        "ES5_C2": "yes", "ES5_C4": "yes", "ES16_C1": "yes", "ES3_C1": "yes", "ES8_C1": "yes",
        "ES8_C3": "yes", "ES16_C2": "no", "ES3_C4": "no", "ES8_C5": "no",
    },
    "LDA": {"ES5_C1": "yes", "ES16_C3": "no", "ES8_C2": "no"},
}  # fmt: skip
JOB = {case: job for cases in INTERVIEWED.values() for case, job in cases.items()}

NUMBER_WORDS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty"}
TENS_FR = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}
UNITS_FR = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"]


def _load_generator():
    path = SAMPLE / "make_transcripts.py"
    spec = importlib.util.spec_from_file_location("make_transcripts", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_transcripts"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


make_transcripts = _load_generator()


def _files() -> list[Path]:
    return sorted(p for p in TRANSCRIPTS.iterdir() if p.suffix.lower() in SUFFIXES)


def _file_of(case_id: str) -> Path:
    (path,) = [p for p in _files() if find_case_id(p.name) == case_id]
    return path


# ----------------------------------------------------------------------------- plain text
def _raw_text(path: Path) -> str:
    """The file's text with its markup, decoded as the loaders would."""
    if path.suffix == ".docx":
        import docx

        return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


LABEL = re.compile(
    r"^(?:\[\d\d:\d\d:\d\d\]\s*)?(?:\*\*)?"
    r"(Interviewer(?: \d)?|Int\.|Intervieweuse|ES|Employment specialist|Conseillère|Julie)"
    r":(?:\*\*)?\s*",
    re.MULTILINE,
)


def _speech(path: Path) -> str:
    """Only what the two speakers said: no front matter, headers, cue timing or labels."""
    text = _raw_text(path).replace("\r\n", "\n")
    if text.startswith("---\n"):
        text = text.split("\n---\n", 1)[1]
    if path.suffix == ".vtt":
        blocks = text.split("\n\n")[1:]  # drop the WEBVTT header
        lines = []
        for block in blocks:
            if block.startswith("NOTE"):
                continue
            lines += [ln for ln in block.splitlines() if "-->" not in ln and not _cue_id(ln)]
        text = "\n".join(re.sub(r"</?v[^>]*>", "", ln) for ln in lines)
    elif path.suffix == ".docx":
        text = re.sub(r"^(Interview|Transcript) .*ES#.*$", "", text, flags=re.MULTILINE)
    elif path.name.endswith("_notepad.txt"):
        text = text.split("\n", 1)[1]  # "Interview ES#8_C1 - date" header line
    text = LABEL.sub("", text)
    return text


def _cue_id(line: str) -> bool:
    return bool(re.fullmatch(r"\d+|[0-9a-f-]{36}/\d+-\d+", line.strip()))


def _words(path: Path) -> int:
    return len(_speech(path).split())


# ----------------------------------------------------------------------------- the corpus
def test_one_file_per_interviewed_case() -> None:
    found = [find_case_id(p.name) for p in _files()]
    assert sorted(found) == sorted(JOB)
    assert len(found) == 17


def test_no_source_file_lives_inside_transcripts() -> None:
    names = {p.name for p in TRANSCRIPTS.iterdir()}
    assert names == {p.name for p in _files()}, "only transcript files belong in transcripts/"


def test_format_mix_is_the_documented_one() -> None:
    suffixes = [p.suffix for p in _files()]
    assert (suffixes.count(".docx"), suffixes.count(".vtt"), suffixes.count(".txt")) == (7, 3, 6)
    assert suffixes.count(".md") == 1


def test_each_interview_has_800_to_2000_words() -> None:
    counts = {p.name: _words(p) for p in _files()}
    outside = {name: n for name, n in counts.items() if not 800 <= n <= 2000}
    assert not outside, outside


def test_speech_extraction_removes_all_markup() -> None:
    for path in _files():
        speech = _speech(path)
        assert "-->" not in speech and "<v " not in speech, path.name
        assert not re.search(r"^(Interviewer|ES|Int\.):", speech, re.MULTILINE), path.name


def test_interviews_are_not_templated() -> None:
    """No long passage is shared by two interviews (the guide's questions may recur)."""
    seen: dict[str, str] = {}
    for path in _files():
        words = _speech(path).lower().split()
        for i in range(len(words) - 19):
            gram = " ".join(words[i : i + 20])
            other = seen.setdefault(gram, path.name)
            assert other == path.name, f"{path.name} and {other} share: {gram!r}"


# ----------------------------------------------------------------------------- generated files
def test_generator_reproduces_shipped_files_byte_for_byte(tmp_path: Path) -> None:
    written = make_transcripts.build(tmp_path)
    assert len(written) == 11
    for path in written:
        assert path.read_bytes() == (TRANSCRIPTS / path.name).read_bytes(), path.name


def test_docx_zip_entries_have_fixed_dates() -> None:
    for path in TRANSCRIPTS.glob("*.docx"):
        with zipfile.ZipFile(path) as archive:
            assert {i.date_time for i in archive.infolist()} == {make_transcripts.ZIP_DATE_TIME}


def test_docx_core_properties_carry_the_case() -> None:
    import docx

    for path in TRANSCRIPTS.glob("*.docx"):
        props = docx.Document(str(path)).core_properties
        case_id = find_case_id(path.name)
        fields = " | ".join([props.subject or "", props.comments or "", props.keywords or ""])
        assert canonical_case_id(case_id) == find_case_id(fields), path.name
        assert props.created.year == 2021 and props.revision == 2


def test_docx_label_styles_vary() -> None:
    import docx

    bold = typed = 0
    for path in TRANSCRIPTS.glob("*.docx"):
        first = next(p for p in docx.Document(str(path)).paragraphs if ":" in p.text)
        if first.runs[0].bold:
            bold += 1
        else:
            typed += 1
    assert bold >= 2 and typed >= 2


def test_windows_1252_file_is_not_utf8_and_uses_crlf() -> None:
    (path,) = TRANSCRIPTS.glob("*_notepad.txt")
    data = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("cp1252")
    assert "Hélène" in text and "\u2019" in text
    assert data.count(b"\r\n") == data.count(b"\n")


def test_vtt_cues_are_timed_in_order() -> None:
    for path in TRANSCRIPTS.glob("*.vtt"):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("WEBVTT\n")
        times = re.findall(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})$",
                           text, re.MULTILINE)  # fmt: skip
        assert len(times) > 100, path.name
        spans = [
            (int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000,
             int(h2) * 3600 + int(m2) * 60 + int(s2) + int(ms2) / 1000)
            for h, m, s, ms, h2, m2, s2, ms2 in times
        ]  # fmt: skip
        assert all(a < b for a, b in spans), path.name
        assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:], strict=False)), path.name


def test_only_utf8_files_except_the_cp1252_one() -> None:
    for path in _files():
        if path.suffix == ".docx" or path.name.endswith("_notepad.txt"):
            continue
        data = path.read_bytes()
        data.decode("utf-8")
        assert b"\r" not in data, path.name


# ----------------------------------------------------------------------------- vs cases.csv
def _facts() -> dict[str, dict[str, str]]:
    with FACTS.open(encoding="utf-8", newline="") as handle:
        return {row["case_id"]: row for row in csv.DictReader(handle)}


def _cases() -> dict[str, dict[str, str]]:
    path = SAMPLE / "cases.csv"
    if not path.exists():
        pytest.skip("sample_corpus/cases.csv not written yet")
    with path.open(encoding="utf-8", newline="") as handle:
        return {canonical_case_id(r["case_id"]): r for r in csv.DictReader(handle)}


def test_facts_cover_the_interviewed_cases_with_the_design_outcome() -> None:
    facts = _facts()
    assert sorted(facts) == sorted(JOB)
    assert {c: f["job"] for c, f in facts.items()} == JOB
    for case_id, row in facts.items():
        assert find_case_id(row["file"]) == case_id and (TRANSCRIPTS / row["file"]).exists()


@pytest.mark.parametrize(
    "column", ["job", "sex", "age", "diagnosis", "benefits", "time_out_of_work", "interviewed"]
)
def test_interviews_agree_with_cases_csv(column: str) -> None:
    cases, facts = _cases(), _facts()
    wrong = {
        c: (f.get(column, "yes"), cases[c][column])
        for c, f in facts.items()
        if f.get(column, "yes") != cases[c][column]
    }
    assert not wrong, f"interview says / cases.csv says: {wrong}"


def test_days_to_job_told_in_interview_match_cases_csv() -> None:
    cases, facts = _cases(), _facts()
    for case_id, row in facts.items():
        told = cases[case_id]["days_to_job"]
        if row["job"] == "no":
            assert told == "", case_id
        else:
            assert told == row["days_to_job"], case_id
            assert int(row["days_min"]) <= int(told) <= int(row["days_max"]), (case_id, told)


def _age_words(age: int, language: str) -> str:
    if language == "fr":
        tens, unit = divmod(age, 10)
        if unit == 0:
            return TENS_FR[tens]
        return f"{TENS_FR[tens]}-{'et-un' if unit == 1 else UNITS_FR[unit]}"
    tens, unit = divmod(age, 10)
    if age < 20:
        return NUMBER_WORDS[age]
    return TENS[tens] if unit == 0 else f"{TENS[tens]}-{NUMBER_WORDS[unit]}"


DIAGNOSIS_WORDS = {
    "anxiety": r"anxiety disorder|trouble anxieux",
    "mood": r"mood disorder|trouble de l'humeur",
    "psychotic": r"psychotic disorder|schizophrenia|trouble psychotique",
    "personality (borderline)": r"borderline personality|personnalité limite",
}


def test_each_interview_states_its_facts() -> None:
    for case_id, row in _facts().items():
        speech = _speech(TRANSCRIPTS / row["file"])
        assert _age_words(int(row["age"]), row["language"]) in speech.lower(), case_id
        assert re.search(DIAGNOSIS_WORDS[row["diagnosis"]], speech, re.IGNORECASE), case_id


def test_client_pronouns_match_sex() -> None:
    for case_id, row in _facts().items():
        if row["language"] != "en":
            continue
        words = re.findall(r"[a-z]+", _speech(TRANSCRIPTS / row["file"]).lower())
        male = sum(w in {"he", "him", "his", "himself"} for w in words)
        female = sum(w in {"she", "her", "hers", "herself"} for w in words)
        mine, other = (male, female) if row["sex"] == "male" else (female, male)
        assert mine > 3 * other, (case_id, male, female)


# ----------------------------------------------------------------------------- the library's loader
def test_library_loader_reads_every_interview() -> None:
    transcripts = pytest.importorskip("mixedwai.qual.transcripts.loading")
    from mixedwai.errors import EncodingFallbackWarning

    with pytest.warns(EncodingFallbackWarning, match="ES8_C1_notepad"):
        corpus = transcripts.load_corpus(TRANSCRIPTS, errors="collect")
    assert not corpus.errors
    assert sorted(t.case_id for t in corpus) == sorted(JOB)
    for transcript in corpus:
        roles = {turn.role for turn in transcript.turns}
        assert {"interviewer", "ES"} <= roles, transcript.doc_id
        assert 800 <= transcript.word_count <= 2000, transcript.doc_id
