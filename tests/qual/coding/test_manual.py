"""load_manual_codings: the optional text and memo columns, codings before the first speaker."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from mixedwai.errors import DataValueError, MixedWAIWarning
from mixedwai.qual.codebook.model import Codebook
from mixedwai.qual.coding.manual import load_manual_codings
from mixedwai.qual.transcripts.model import Transcript

CODEBOOK = Codebook.model_validate({
    "name": "demo", "version": "1", "language": "en", "unit": "turn",
    "categories": [{"id": "alliance", "label": "Alliance",
                    "codes": [{"id": "bond", "label": "Bond"}]}],
})
TEXT = "Interview 3\nInterviewer: How was it?\nES: We trusted each other.\nES: Then we agreed."


@pytest.fixture()
def transcript() -> Transcript:
    return Transcript.from_text(TEXT, doc_id="ES1_C1")


def _rows(**columns) -> pd.DataFrame:
    base = {"doc_id": "ES1_C1", "code_id": "bond", "coder": "AL"}
    return pd.DataFrame([{**base, **row} for row in columns["rows"]])


def test_text_column_matching_the_span_is_accepted_and_memo_kept(transcript) -> None:
    start = transcript.text.index("We trusted")
    table = _rows(rows=[{"start": start, "end": start + 10, "text": "We trusted",
                         "memo": "first sign of trust"}])
    codings = load_manual_codings(table, [transcript], CODEBOOK)
    assert codings["text"].tolist() == ["We trusted"]
    assert codings["memo"].tolist() == ["first sign of trust"]
    assert codings.attrs["before_first_speaker"] == []


def test_crlf_counted_offsets_are_found_not_imported_as_the_wrong_span(transcript) -> None:
    start = transcript.text.index("Then we agreed")
    # the same span counted in the file with CR LF line ends: one more per line end before it
    crlf_start = start + transcript.text.count("\n", 0, start)
    table = _rows(rows=[{"start": crlf_start, "end": crlf_start + 14, "text": "Then we agreed"}])
    with pytest.raises(DataValueError, match="CR LF line ends") as info:
        load_manual_codings(table, [transcript], CODEBOOK)
    assert f"the selected text starts at {start}, +3 from start" in str(info.value)


def test_bom_counted_offsets_are_found(transcript) -> None:
    start = transcript.text.index("How was")
    table = _rows(rows=[{"start": start + 1, "end": start + 8, "text": "How was"}])
    with pytest.raises(DataValueError, match="byte-order mark"):
        load_manual_codings(table, [transcript], CODEBOOK)


def test_coding_before_the_first_speaker_is_kept_and_said(transcript) -> None:
    table = _rows(rows=[{"start": 0, "end": 9}])
    with pytest.warns(MixedWAIWarning, match="before the first speaker turn"):
        codings = load_manual_codings(table, [transcript], CODEBOOK)
    assert codings["text"].tolist() == ["Interview"]
    assert codings.attrs["before_first_speaker"][0].startswith("row 2 (doc ES1_C1)")


def test_without_text_or_memo_columns_nothing_changes(transcript) -> None:
    start = transcript.text.index("We")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        codings = load_manual_codings(_rows(rows=[{"start": start, "end": start + 2}]),
                                      [transcript], CODEBOOK)
    assert "memo" not in codings.columns
