"""Pseudonymisation of whole transcript files: formats, key apart, candidates, coding survives."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import docx
import pandas as pd
import pytest

from mixedwai.cli import main
from mixedwai.errors import DataValueError
from mixedwai.qual.name_candidates import name_candidates
from mixedwai.qual.pseudonyms import pseudonymise, pseudonymise_codings, read_names
from mixedwai.qual.transcripts.loading import load_corpus
from mixedwai.qual.transcripts.model import Transcript

SAMPLE = Path(__file__).resolve().parents[2] / "sample_corpus" / "transcripts"

#: The people named in the sample's transcripts (read by hand).
NAMES = ["Julie", "Kevin", "Martin", "Denise", "Hélène", "Léa", "Mathieu", "Jérémie", "Mélissa",
         "Jonathan", "Karim", "Nicolas", "Olivier", "Stéphanie", "Vanessa", "Chantal", "Yannick",
         "Nadia"]


def _load(folder: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_corpus(folder)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """mixedwai code on the originals, pseudonymise (with those codings), code the outputs."""
    root = tmp_path_factory.mktemp("pseudo")
    names = root / "names.csv"
    pd.DataFrame({"name": NAMES, "pseudonym": [f"Person-{chr(65 + i)}"
                                               for i in range(len(NAMES))]}).to_csv(
        names, index=False)
    books = ["--codebook", "ross2008-en", "--codebook", "ross2008-fr"]
    assert main(["code", str(SAMPLE), *books, "--out", str(root / "coded")]) == 0
    out = root / "shared"
    assert main(["pseudonymise", str(SAMPLE), "--names", str(names), "--out", str(out),
                 "--codings", str(root / "coded" / "codings.csv")]) == 0
    assert main(["code", str(out), *books, "--out", str(root / "coded_out")]) == 0
    return root, out, read_names(names)


def test_every_listed_name_is_replaced_in_every_format(run) -> None:
    _, out, mapping = run
    original, pseudo = _load(SAMPLE), _load(out)
    assert pseudo.doc_ids == original.doc_ids
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, mapping)) + r")(?!\w)",
                         re.IGNORECASE)
    found_before = sum(len(pattern.findall(t.text)) for t in original)
    assert found_before > 40
    for t in pseudo:
        assert not pattern.findall(t.text), t.doc_id
        assert not any(pattern.search(turn.speaker) for turn in t.turns)
    # the loaders read exactly the originals with the names replaced
    expected = pseudonymise(original, mapping)
    for a, b in zip(expected, pseudo, strict=True):
        assert a.text == b.text
        assert [(s.speaker, s.role, s.start, s.end) for s in a.turns] == [
            (s.speaker, s.role, s.start, s.end) for s in b.turns]
    # formats kept: a Word document's label is still bold, a VTT file still WEBVTT
    assert (out / "ES#5_C1.vtt").read_text(encoding="utf-8").startswith("WEBVTT")
    document = docx.Document(str(out / "ES11_C4.docx"))
    assert any(r.bold for p in document.paragraphs for r in p.runs)
    # the Windows-1252 file stays Windows-1252
    assert (out / "ES8_C1_notepad.txt").read_bytes().decode("cp1252")


def test_the_key_is_written_apart_with_counts(run) -> None:
    root, out, mapping = run
    key = pd.read_csv(root / "shared-key.csv")
    assert not list(out.glob("*key*"))
    assert key["name"].tolist() == list(mapping)
    assert (key["n_replaced"] > 0).all()
    original = _load(SAMPLE)
    for row in key.itertuples(index=False):
        n = sum(len(re.findall(rf"(?<![\w'’-]){re.escape(row.name)}(?![\w-])", t.text,
                               flags=re.IGNORECASE)) for t in original)
        assert row.n_replaced >= n  # the text read, plus front matter and properties
    assert (root / "shared-key-candidates.csv").exists()


def test_coding_the_output_gives_the_same_codings_but_the_replaced_words(run) -> None:
    root, _, mapping = run
    before = pd.read_csv(root / "coded" / "codings.csv")
    after = pd.read_csv(root / "coded_out" / "codings.csv")
    carried = pd.read_csv(root / "shared" / "codings.csv")
    keys = ["doc_id", "segment_id", "code_id"]
    assert before[keys].equals(after[keys])
    names = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, mapping)) + r")(?!\w)",
                       re.IGNORECASE)
    changed = 0
    for b, a in zip(before.itertuples(index=False), after.itertuples(index=False), strict=True):
        if b.text != a.text:
            changed += 1
            assert names.search(b.text) and not names.search(a.text)
        assert names.sub("X", b.text).replace(" ", "") != "" and (
            names.sub("#", b.text) == re.sub(r"Person-[A-Z]", "#", a.text))
    assert changed > 0
    # offsets carried over by pseudonymise --codings are those of coding the output
    columns = ["doc_id", "segment_id", "start", "end", "text", "code_id", "speaker"]
    assert carried[columns].equals(after[columns])


def test_candidates_propose_names_missing_from_the_list() -> None:
    corpus = _load(SAMPLE)
    partial = {n: "X" for n in NAMES if n not in ("Karim", "Martin")}
    table = name_candidates(corpus, partial)
    words = set(table["word"])
    assert "Karim" in words and "Martin" in words
    assert not words & set(partial)
    martin = table.set_index("word").loc["Martin"]
    assert "entity PER" in martin["reason"]  # the French model's entities
    assert not {"I'd", "I'm", "The", "So", "ES", "Interviewer"} & words
    complete = set(name_candidates(corpus, {n: "X" for n in NAMES})["word"])
    assert not complete & set(NAMES)


def test_candidates_skip_sentence_starts_and_dictionary_words() -> None:
    t = Transcript.from_text("ES: Work was hard. Then Zorblax came. The Job fair helped.",
                             doc_id="es1-c1")
    assert name_candidates(t)["word"].tolist() == ["Zorblax"]


def test_key_must_not_go_into_the_transcripts_or_the_outputs(tmp_path: Path, capsys) -> None:
    names = tmp_path / "names.yaml"
    names.write_text("Kevin: C1\n", encoding="utf-8")
    status = main(["pseudonymise", str(SAMPLE), "--names", str(names), "--out",
                   str(tmp_path / "o"), "--key", str(SAMPLE / "key.csv")])
    assert status == 2 and "inside the transcripts folder" in capsys.readouterr().err
    status = main(["pseudonymise", str(SAMPLE), "--names", str(names), "--out",
                   str(tmp_path / "o"), "--key", str(tmp_path / "o" / "key.csv")])
    assert status == 2 and "--key-in-out" in capsys.readouterr().err
    status = main(["pseudonymise", str(SAMPLE), "--names", str(names), "--out", str(SAMPLE)])
    assert status == 2 and "apart from the transcripts" in capsys.readouterr().err
    assert not (SAMPLE / "key.csv").exists() and not (tmp_path / "o").exists()


def test_names_list_errors_are_listed(tmp_path: Path) -> None:
    bad = tmp_path / "names.csv"
    bad.write_text("name,pseudonym\nKevin,C1\nKevin,C2\n,C3\nJulie,\n", encoding="utf-8")
    with pytest.raises(DataValueError) as info:
        read_names(bad)
    message = str(info.value)
    assert "row 3: 'Kevin' is given 'C1' and 'C2'" in message
    assert "row 4: empty name" in message and "row 5: 'Julie' has no pseudonym" in message


def test_codings_offsets_follow_the_replacements() -> None:
    t = Transcript.from_text("Julie: Kevin trusted me. Then Kevin left.", doc_id="es1-c1")
    turn = t.turns[0]
    spans = [(turn.start, turn.end), (turn.start + 6, turn.start + 17),
             (turn.start + 2, turn.start + 4)]  # a span that starts inside a name
    codings = pd.DataFrame({"doc_id": "es1-c1", "start": [s for s, _ in spans],
                            "end": [e for _, e in spans], "speaker": "Julie"})
    mapping = {"Kevin": "Client-1", "Julie": "ES-A"}
    moved = pseudonymise_codings(codings, t, mapping)
    new = pseudonymise(t, mapping)
    assert moved["text"].tolist()[:2] == ["Client-1 trusted me. Then Client-1 left.",
                                          "trusted me."]
    assert moved["text"].iloc[2] == "Client-1"  # grown to the whole pseudonym
    assert set(moved["speaker"]) == {"ES-A"}
    for row in moved.itertuples(index=False):
        assert new.text[row.start : row.end] == row.text


def test_a_single_file_with_relative_paths(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "es3-c2.txt").write_bytes((SAMPLE / "es3-c2_interview.txt").read_bytes())
    (tmp_path / "names.yaml").write_text("Julie: ES-A\nKevin: Client-K\n", encoding="utf-8")
    status = main(["pseudonymise", "es3-c2.txt", "--names", "names.yaml", "--out", "shared",
                   "--no-candidates"])
    assert status == 0
    text = (tmp_path / "shared" / "es3-c2.txt").read_text(encoding="utf-8")
    assert "Julie" not in text and "Kevin" not in text and "ES-A: " in text
    assert (tmp_path / "shared-key.csv").exists()
    assert main(["pseudonymise", "es3-c2.txt", "--names", "names.yaml", "--out", "."]) == 2
