"""Canonical case ids shared by both strands."""

from __future__ import annotations

import pytest

from mixedwai.ids import canonical_case_id, display_case_id, es_id_of, find_case_id


@pytest.mark.parametrize(
    "raw",
    ["ES#11_C4", "ES11_C04", "es11-c4", " ES 11 C4 ", "Es#011_c004", "ES11C4", "ES11.C4"],
)
def test_usual_spellings_map_to_one_canonical_id(raw: str) -> None:
    assert canonical_case_id(raw) == "ES11_C4"


def test_other_ids_are_kept_as_written() -> None:
    assert canonical_case_id(" P-007 ") == "P-007"
    assert canonical_case_id("ES11") == "ES11"


def test_find_case_id_in_file_names() -> None:
    assert find_case_id("2021-03-01_ES#5_C2_interview.docx") == "ES5_C2"
    assert find_case_id("xES5_C2") is None
    assert find_case_id("P12.txt", r"(?P<case>P\d+)") == "P12"


def test_display_and_es_id_round_trip() -> None:
    assert display_case_id(canonical_case_id("es16-c02")) == "ES#16_C2"
    assert es_id_of("ES16_C2") == "ES16"
