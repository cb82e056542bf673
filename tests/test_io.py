"""Reading tables and text; staged, atomic outputs."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from mixedwai.errors import EncodingFallbackWarning, InputFileError
from mixedwai.io import decode_bytes, read_table, staged_output


def test_stray_windows_1252_byte_keeps_the_utf8_around_it() -> None:
    data = "Conseillère: bonjour\n".encode() + "Intervieweuse: café\n".encode("cp1252")
    with pytest.warns(EncodingFallbackWarning, match="line 2"):
        text, encoding = decode_bytes(data, source="x.txt")
    assert text == "Conseillère: bonjour\nIntervieweuse: café\n"
    assert encoding == "utf-8+cp1252"


def test_pure_windows_1252_file_is_named_as_such() -> None:
    with pytest.warns(EncodingFallbackWarning, match="x.txt: not valid UTF-8"):
        assert decode_bytes("Ça va, Hélène?".encode("cp1252"), source="x.txt") == (
            "Ça va, Hélène?", "cp1252")


def test_utf16_with_bom_is_read() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert decode_bytes("ES: ça\r\nI: oui".encode("utf-16")) == ("ES: ça\nI: oui", "utf-16")


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_csv_delimiters_are_detected(tmp_path: Path, sep: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(sep.join(["case_id", "job"]) + "\n" + sep.join(["ES1_C1", "oui"]) + "\n")
    assert read_table(path).to_dict("records") == [{"case_id": "ES1_C1", "job": "oui"}]


def test_sav_value_labels_are_kept_and_applied_on_request(tmp_path: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    path = tmp_path / "cases.sav"
    frame = pd.DataFrame({"case_id": ["ES1_C1", "ES1_C2"], "diagnosis": [1.0, 2.0]})
    pyreadstat.write_sav(frame, str(path),
                         variable_value_labels={"diagnosis": {1.0: "anxiety", 2.0: "mood"}})
    codes = read_table(path)
    assert codes["diagnosis"].tolist() == [1.0, 2.0]
    assert codes.attrs["value_labels"] == {"diagnosis": {1.0: "anxiety", 2.0: "mood"}}
    assert read_table(path, value_labels=True)["diagnosis"].tolist() == ["anxiety", "mood"]


def test_unknown_table_format_is_named(tmp_path: Path) -> None:
    path = tmp_path / "t.ods"
    path.write_bytes(b"x")
    with pytest.raises(InputFileError, match=r"t.ods: unknown table format '.ods'"):
        read_table(path)


def test_staged_output_into_a_file_path_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(InputFileError, match="is not a folder"), staged_output(target):
        pass


def test_read_cases_uses_spss_value_labels_for_attributes(tmp_path: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    import mixedwai as mw

    path = tmp_path / "cases.sav"
    frame = pd.DataFrame({"case_id": ["ES1_C1", "ES1_C2"], "job": [1.0, 0.0],
                          "diagnosis": [1.0, 2.0]})
    pyreadstat.write_sav(frame, str(path), variable_value_labels={
        "diagnosis": {1.0: "anxiety", 2.0: "mood"}, "job": {1.0: "yes", 0.0: "no"}})
    cases = mw.read_cases(path)
    assert cases["diagnosis"].tolist() == ["anxiety", "mood"]
    assert cases["job"].tolist() == [True, False]


def test_fast_csv_writer_gives_pandas_bytes():
    import numpy as np
    import pandas as pd

    from mixedwai.io import _csv_text
    from mixedwai.quant.data.cases import read_cases
    from mixedwai.quant.data.sessions import read_sessions
    from mixedwai.quant.study import analyse_quant

    analysis = analyse_quant(read_sessions("sample_corpus/sessions.csv"),
                             read_cases("sample_corpus/cases.csv"), n_boot=0)
    rng = np.random.default_rng(0)
    odd = pd.DataFrame({
        "text": ["x,y", 'q"t', None, "", "line\nbreak", "z"],
        "number": [1.0, np.nan, 1 / 3, -0.0, 1e-7, 123456789012.5],
        "count": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
        "flag": [True, False, True, True, False, True],
        "maybe": pd.array([True, None, False, True, True, False], dtype="boolean"),
        "noise": rng.normal(size=6),
        "level": pd.Categorical(["a", "b", "a", None, "b", "a"]),
    })
    frames = [*analysis.tables().values(), odd]
    checked = 0
    for frame in frames:
        fast = _csv_text(frame)
        if fast is None:
            continue
        assert fast == frame.to_csv(index=False, lineterminator="\n", float_format="%.10g")
        checked += 1
    assert checked >= len(frames) - 3
