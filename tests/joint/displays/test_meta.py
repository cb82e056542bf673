"""Meta-inferences carried as the last column, with every bad row reported."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mixedwai.errors import DataValueError
from mixedwai.joint.displays.meta import add_meta_inferences, load_meta_inferences
from mixedwai.joint.displays.tables import statistics_by_themes


def test_bad_fits_are_all_listed(tmp_path: Path) -> None:
    path = tmp_path / "meta.csv"
    path.write_text("display,key,statement,fit\nstatistics_by_themes,SHA,ok,agreement\n"
                    "statistics_by_themes,SLA,,expansion\nstatistics_by_themes,LDA,x,maybe\n")
    with pytest.raises(DataValueError) as info:
        load_meta_inferences(path)
    message = str(info.value)
    assert "row 2" in message and "'agreement'" in message
    assert "row 3" in message and "statement is empty" in message
    assert "row 4" in message and "'maybe'" in message


def test_yaml_meta_inferences_load(tmp_path: Path) -> None:
    path = tmp_path / "meta.yaml"
    path.write_text("- display: statistics_by_themes\n  key: SHA\n  statement: fits\n"
                    "  fit: Expansion\n")
    assert load_meta_inferences(path)["fit"].tolist() == ["expansion"]


def test_meta_inference_is_the_last_column(linked) -> None:
    display = statistics_by_themes(linked, quotes=False)
    meta = pd.DataFrame({"display": ["statistics_by_themes"], "key": ["LDA"],
                         "statement": ["Decline with unresolved goal disagreement"],
                         "fit": ["expansion"]})
    out = add_meta_inferences(display, meta)
    assert out.table.columns[-1] == "Meta-inference"
    column = dict(zip(out.data.index, out.table["Meta-inference"], strict=True))
    assert column["LDA"] == "Decline with unresolved goal disagreement (expansion)"
    assert column["SHA"] == ""


def test_unknown_key_is_an_error(linked) -> None:
    display = statistics_by_themes(linked, quotes=False)
    meta = pd.DataFrame({"display": ["statistics_by_themes"], "key": ["XYZ"],
                         "statement": ["typo"], "fit": ["confirmation"]})
    with pytest.raises(DataValueError, match="'XYZ'"):
        add_meta_inferences(display, meta)
