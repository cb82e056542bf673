"""Instrument definitions: shipped keys, loading, and every validation message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mixedwai.errors import InstrumentError
from mixedwai.quant.instruments.loading import available_instruments, load_instrument
from mixedwai.quant.instruments.model import Instrument

VALID = """\
id: mine
name: My form
respondent: client
source: Me, A. (2024). A form. Journal, 1, 1-2.
scale: {min: 1, max: 5}
items: [1, 2, 3, 4]
subscales:
  first: [1, 2]
  second: [3, 4]
reverse: [2]
"""


def write(tmp_path: Path, text: str, name: str = "form.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_shipped_instruments_are_listed():
    assert available_instruments() == ["wai-s", "wai-s-es", "wai-sr"]


def test_wai_s_es_has_the_binding_keys_of_the_reference_study():
    inst = load_instrument("wai-s-es")
    assert (inst.scale.min, inst.scale.max) == (1, 7)
    assert inst.respondent == "professional"
    assert inst.subscales == {"goal": (4, 6, 10, 11), "task": (1, 2, 8, 12),
                              "bond": (3, 5, 7, 9)}
    assert inst.reverse == (4, 10)
    assert inst.max_missing_per_subscale == 1
    assert any("Corbière" in s and "2006" in s for s in inst.source)


def test_wai_s_client_form_shares_the_short_form_keys():
    short, es = load_instrument("wai-s"), load_instrument("wai-s-es")
    assert short.respondent == "client"
    assert (short.subscales, short.reverse, short.scale) == (es.subscales, es.reverse, es.scale)
    assert any("Tracey" in s and "1989" in s for s in short.source)


def test_wai_sr_has_its_own_keys_and_no_reversed_item():
    inst = load_instrument("wai-sr")
    assert (inst.scale.min, inst.scale.max) == (1, 5)
    assert inst.subscales == {"goal": (4, 6, 8, 11), "task": (1, 2, 10, 12),
                              "bond": (3, 5, 7, 9)}
    assert inst.reverse == ()
    assert any("Hatcher" in s and "2006" in s for s in inst.source)


@pytest.mark.parametrize("name", ["wai-s", "wai-s-es", "wai-sr"])
def test_every_shipped_item_is_in_exactly_one_subscale(name):
    inst = load_instrument(name)
    members = [i for items in inst.subscales.values() for i in items]
    assert sorted(members) == sorted(inst.items) == list(range(1, 13))


def test_name_lookup_ignores_case_and_underscores():
    assert load_instrument("WAI_S_ES") is load_instrument("wai-s-es")


def test_loading_a_yaml_file(tmp_path):
    inst = load_instrument(write(tmp_path, VALID))
    assert inst.id == "mine"
    assert inst.source == ("Me, A. (2024). A form. Journal, 1, 1-2.",)
    assert inst.columns == {1: "wai_1", 2: "wai_2", 3: "wai_3", 4: "wai_4"}


def test_loading_a_yaml_file_given_as_a_string_path(tmp_path):
    assert load_instrument(str(write(tmp_path, VALID))).id == "mine"


def test_loading_a_mapping():
    inst = load_instrument({"id": "m", "name": "M", "respondent": "observer", "source": ["S"],
                            "scale": {"min": 0, "max": 4}, "items": [1],
                            "subscales": {"only": [1]}, "max_missing_per_subscale": 0})
    assert inst.scale.max == 4


def test_an_instrument_is_passed_through():
    inst = load_instrument("wai-sr")
    assert load_instrument(inst) is inst


def test_unknown_name_lists_the_shipped_instruments():
    with pytest.raises(InstrumentError, match=r"unknown instrument 'wai-36'; shipped "
                                              r"instruments: wai-s, wai-s-es, wai-sr"):
        load_instrument("wai-36")


def test_missing_file_is_an_instrument_error(tmp_path):
    with pytest.raises(InstrumentError, match=r"nowhere\.yaml: file not found"):
        load_instrument(tmp_path / "nowhere.yaml")


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path = write(tmp_path, "id: x\nitems: [1, 2\n")
    with pytest.raises(InstrumentError, match=r"form\.yaml: line 3: not valid YAML"):
        load_instrument(path)


def test_empty_file_is_reported(tmp_path):
    with pytest.raises(InstrumentError, match=r"form\.yaml: the file is empty"):
        load_instrument(write(tmp_path, ""))


def test_unknown_keys_are_named_with_path_and_line(tmp_path):
    text = VALID.replace("scale: {min: 1, max: 5}", "scale: {min: 1, max: 5, colour: red}")
    text += "wording: none\n"
    with pytest.raises(InstrumentError) as info:
        load_instrument(write(tmp_path, text))
    message = str(info.value)
    assert "form.yaml: 2 problems" in message
    assert ("scale.colour (line 5): unknown key 'colour'; expected one of min, max, labels"
            in message)
    assert "wording (line 11): unknown key 'wording'" in message


def test_wrong_types_are_named_with_the_value(tmp_path):
    text = VALID.replace("respondent: client", "respondent: patient").replace(
        "items: [1, 2, 3, 4]", "items: [1, 2, three, 4]")
    with pytest.raises(InstrumentError) as info:
        load_instrument(write(tmp_path, text))
    message = str(info.value)
    assert "respondent (line 3): Input should be 'client', 'professional' or 'observer'" in message
    assert "items[2] (line 6): Input should be a valid integer (got 'three')" in message


def test_required_key_missing_is_named(tmp_path):
    text = VALID.replace("name: My form\n", "")
    with pytest.raises(InstrumentError, match=r"name: required key is missing"):
        load_instrument(write(tmp_path, text))


def test_subscale_item_not_in_items_is_named_with_line(tmp_path):
    text = VALID.replace("second: [3, 4]", "second: [3, 4, 9]")
    with pytest.raises(InstrumentError,
                       match=r"subscales\.second\[2\] \(line 9\): item 9 is not one of the "
                             r"items \(1, 2, 3, 4\)"):
        load_instrument(write(tmp_path, text))


def test_item_in_two_subscales_is_refused(tmp_path):
    text = VALID.replace("second: [3, 4]", "second: [2, 3, 4]")
    with pytest.raises(InstrumentError,
                       match=r"subscales\.second\[0\] \(line 9\): item 2 is also in "
                             r"subscale 'first'"):
        load_instrument(write(tmp_path, text))


def test_duplicate_item_is_refused(tmp_path):
    text = VALID.replace("items: [1, 2, 3, 4]", "items: [1, 2, 3, 4, 4]")
    with pytest.raises(InstrumentError, match=r"items\[4\] \(line 6\): item 4 is listed twice"):
        load_instrument(write(tmp_path, text))


def test_item_in_no_subscale_is_refused(tmp_path):
    text = VALID.replace("items: [1, 2, 3, 4]", "items: [1, 2, 3, 4, 5]")
    with pytest.raises(InstrumentError,
                       match=r"item 5 is in no subscale; list it in a subscale or in global_only"):
        load_instrument(write(tmp_path, text))


def test_global_only_items_may_stay_outside_the_subscales(tmp_path):
    text = VALID.replace("items: [1, 2, 3, 4]", "items: [1, 2, 3, 4, 5]") + "global_only: [5]\n"
    inst = load_instrument(write(tmp_path, text))
    assert inst.subscale_of[5] is None


def test_reverse_item_must_exist(tmp_path):
    text = VALID.replace("reverse: [2]", "reverse: [2, 7]")
    with pytest.raises(InstrumentError,
                       match=r"reverse\[1\] \(line 10\): item 7 is not one of the items"):
        load_instrument(write(tmp_path, text))


def test_scale_min_must_be_below_max(tmp_path):
    text = VALID.replace("scale: {min: 1, max: 5}", "scale: {min: 5, max: 5}")
    with pytest.raises(InstrumentError,
                       match=r"scale \(line 5\): min \(5\) must be smaller than max \(5\)"):
        load_instrument(write(tmp_path, text))


def test_label_outside_the_scale_is_refused(tmp_path):
    text = VALID.replace("scale: {min: 1, max: 5}", "scale: {min: 1, max: 5, labels: {9: x}}")
    with pytest.raises(InstrumentError, match=r"label for 9 is outside the scale 1\.\.5"):
        load_instrument(write(tmp_path, text))


def test_item_column_template_needs_the_item_field(tmp_path):
    text = VALID + "item_column: 'wai'\n"
    with pytest.raises(InstrumentError, match=r"item_column \(line 11\): template 'wai' must "
                                              r"contain \{item\}"):
        load_instrument(write(tmp_path, text))


def test_custom_item_column_template_names_the_columns(tmp_path):
    inst = load_instrument(write(tmp_path, VALID + "item_column: 'Q{item:02d}'\n"))
    assert inst.columns[3] == "Q03"


def test_missing_items_allowed_must_be_fewer_than_a_subscale(tmp_path):
    text = VALID + "max_missing_per_subscale: 2\n"
    with pytest.raises(InstrumentError, match=r"2 missing items allowed but subscale 'first' "
                                              r"has only 2 items"):
        load_instrument(write(tmp_path, text))


def test_subscale_name_may_not_reuse_an_output_column(tmp_path):
    text = VALID.replace("first:", "total:")
    with pytest.raises(InstrumentError, match=r"subscale name 'total' is reserved"):
        load_instrument(write(tmp_path, text))


def test_direct_construction_raises_instrument_error():
    with pytest.raises(InstrumentError, match=r"instrument 'x': 1 problem:\n  - "
                                              r"reverse\[0\]: item 3 is not one of the items"):
        Instrument(id="x", name="X", respondent="client", source="S",
                   scale={"min": 1, "max": 7}, items=[1, 2], subscales={"a": [1, 2]},
                   reverse=[3])


def test_instruments_are_frozen():
    inst = load_instrument("wai-s-es")
    with pytest.raises(Exception, match="frozen"):
        inst.reverse = ()  # type: ignore[misc]


def test_key_table_lists_each_item_once():
    table = load_instrument("wai-s-es").key_table()
    assert list(table["item"]) == list(range(1, 13))
    assert table.loc[table["reverse"], "item"].tolist() == [4, 10]
    assert table.groupby("subscale").size().to_dict() == {"bond": 4, "goal": 4, "task": 4}


def test_schema_errors_do_not_hide_item_and_subscale_errors(tmp_path):
    text = (VALID.replace("respondent: client", "respondent: patient")
            .replace("second: [3, 4]", "second: [3, 4, 9]") + "wording: none\n")
    with pytest.raises(InstrumentError) as info:
        load_instrument(write(tmp_path, text))
    message = str(info.value)
    assert "form.yaml: 3 problems" in message
    assert "respondent (line 3): Input should be" in message
    assert "wording (line 11): unknown key 'wording'" in message
    assert "subscales.second[2] (line 9): item 9 is not one of the items (1, 2, 3, 4)" in message


def test_checks_that_read_an_invalid_key_are_left_out(tmp_path):
    text = VALID.replace("items: [1, 2, 3, 4]", "items: [1, 2, three, 4]").replace(
        "reverse: [2]", "reverse: [2]\nscale_note: x")
    with pytest.raises(InstrumentError) as info:
        load_instrument(write(tmp_path, text))
    message = str(info.value)
    assert "form.yaml: 2 problems" in message  # no "item 3 is not one of the items"
    assert "items[2] (line 6): Input should be a valid integer (got 'three')" in message


def test_direct_construction_lists_schema_and_item_errors_together():
    with pytest.raises(InstrumentError) as info:
        Instrument(id="x", name="X", respondent="someone", source="S",
                   scale={"min": 1, "max": 7}, items=[1, 2], subscales={"a": [1, 2]},
                   reverse=[3])
    message = str(info.value)
    assert "instrument 'x': 2 problems" in message
    assert "reverse[0]: item 3 is not one of the items" in message


def test_yaml_anchors_are_refused_without_expanding_them(tmp_path) -> None:
    import pytest

    from mixedwai.errors import InstrumentError
    from mixedwai.quant.instruments.loading import load_instrument

    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
              for i in range(1, 9)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\nid: bomb\n")
    with pytest.raises(InstrumentError, match="anchor/alias 'a0' is not allowed"):
        load_instrument(path)
