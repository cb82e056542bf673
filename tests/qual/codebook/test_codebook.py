"""Codebook models, YAML loading with key paths and lines, tree, round-trip editing."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from mixedwai.errors import CodebookError, InputFileError
from mixedwai.qual.codebook.display import codebook_tree
from mixedwai.qual.codebook.loading import (
    CODEBOOK_DIR,
    available_codebooks,
    codebook_from_document,
    codebook_from_yaml,
    load_codebook,
)
from mixedwai.qual.codebook.model import Code, Codebook
from mixedwai.qual.codebook.yaml_source import dump_codebook_document, load_codebook_document

GOOD = """\
name: Demo codebook
version: "1.0"
language: en
speakers: [ES]
categories:
  - id: alliance
    label: Alliance components
    codes:
      - id: bond
        label: Bond and trust
        match:
          lemmas: [trust, confide]
          phrases: ["on the same page"]
          patterns:
            - [{LEMMA: feel}, {LOWER: heard}]
        codes:
          - id: repair
            label: Repair
  - id: context
    label: Context
    codes:
      - id: workload
        label: Workload
        match:
          phrases: [survival mode]
"""


def write(tmp_path: Path, text: str, name: str = "codebook.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def good(tmp_path: Path) -> Codebook:
    return load_codebook(write(tmp_path, GOOD))


# --------------------------------------------------------------------------- valid files


def test_load_reads_fields_and_defaults(tmp_path):
    cb = good(tmp_path)
    assert (cb.name, cb.version, cb.language, cb.unit) == ("Demo codebook", "1.0", "en", "sentence")
    assert cb.speakers == ["ES"]
    assert cb.code("bond").match.patterns == [[{"LEMMA": "feel"}, {"LOWER": "heard"}]]


def test_patterns_are_plain_dicts_not_ruamel_maps(tmp_path):
    token = good(tmp_path).code("bond").match.patterns[0][0]
    assert type(token) is dict


def test_source_is_the_file_path(tmp_path):
    path = write(tmp_path, GOOD)
    assert load_codebook(path).source == str(path)


def test_iter_codes_yields_document_order_with_parent_and_depth(tmp_path):
    rows = [(c.id, cat, parent, depth) for c, cat, parent, depth in good(tmp_path).iter_codes()]
    assert rows == [
        ("bond", "alliance", None, 1),
        ("repair", "alliance", "bond", 2),
        ("workload", "context", None, 1),
    ]


def test_codes_frame_counts_rules_per_code(tmp_path):
    frame = good(tmp_path).codes_frame()
    assert list(frame.columns) == [
        "code_id", "label", "category_id", "parent_id", "depth",
        "n_lemmas", "n_phrases", "n_patterns",
    ]  # fmt: skip
    bond = frame.set_index("code_id").loc["bond"]
    assert (bond.n_lemmas, bond.n_phrases, bond.n_patterns) == (2, 1, 1)
    assert frame.set_index("code_id").loc["repair", "parent_id"] == "bond"
    assert frame["parent_id"].isna().tolist() == [True, False, True]


def test_category_of_and_parent_of_sub_code(tmp_path):
    cb = good(tmp_path)
    assert (cb.category_of("repair"), cb.parent_of("repair")) == ("alliance", "bond")


def test_unknown_code_is_a_codebook_error_with_suggestion(tmp_path):
    with pytest.raises(CodebookError, match=r"unknown code 'bnod'; did you mean 'bond'"):
        good(tmp_path).code("bnod")


def test_unknown_category_is_a_codebook_error(tmp_path):
    with pytest.raises(CodebookError, match="unknown category 'client'"):
        good(tmp_path).category("client")


def test_numeric_version_keeps_its_text(tmp_path):
    cb = load_codebook(write(tmp_path, GOOD.replace('version: "1.0"', "version: 1.10")))
    assert cb.version == "1.10"


def test_code_without_rules_is_allowed_and_shown_as_manual(tmp_path):
    assert "repair  Repair  [manual only]" in codebook_tree(good(tmp_path))


def test_codebook_tree_lists_categories_codes_and_counts(tmp_path):
    assert codebook_tree(good(tmp_path)) == (
        "Demo codebook  (version 1.0, language en, unit sentence, speakers: ES)\n"
        "alliance  Alliance components\n"
        "  bond  Bond and trust  [lemmas 2, phrases 1, patterns 1]\n"
        "    repair  Repair  [manual only]\n"
        "context  Context\n"
        "  workload  Workload  [lemmas 0, phrases 1, patterns 0]\n"
        "2 categories, 3 codes (2 with match rules, 1 manual only)"
    )


def test_load_codebook_returns_a_codebook_unchanged(tmp_path):
    cb = good(tmp_path)
    assert load_codebook(cb) is cb


def test_models_are_frozen(tmp_path):
    with pytest.raises(ValidationError):
        good(tmp_path).code("bond").label = "other"


def test_python_construction_rejects_duplicate_ids():
    code = Code(id="bond", label="Bond")
    with pytest.raises(ValidationError, match="duplicate ids"):
        Codebook.model_validate(
            {
                "name": "x",
                "version": "1",
                "language": "en",
                "categories": [{"id": "bond", "label": "B", "codes": [code]}],
            }
        )


def test_available_codebooks_lists_the_shipped_files():
    assert available_codebooks() == ["ross2008-en", "ross2008-fr"]


def test_shipped_name_accepts_underscore_and_case():
    assert load_codebook("Ross2008_EN").source == "ross2008-en"


# --------------------------------------------------------------------------- errors


def problem(tmp_path: Path, text: str, match: str) -> None:
    path = write(tmp_path, text, "bad.yaml")
    with pytest.raises(CodebookError, match=match) as info:
        load_codebook(path)
    assert str(path) in str(info.value)


def test_unknown_top_level_key_lists_allowed_keys(tmp_path):
    problem(
        tmp_path,
        GOOD.replace("speakers: [ES]\n", "speakers: [ES]\ncolour: red\n"),
        r"colour \(line 5\): unknown key 'colour' \(allowed keys: name, version, language, "
        r"unit, speakers, negation, description, metadata, categories\)",
    )


def test_unknown_code_key_suggests_the_close_one(tmp_path):
    problem(
        tmp_path,
        GOOD.replace("        label: Bond and trust", "        lable: Bond and trust"),
        r"categories\[0\]\.codes\[0\]\.lable \(line 10\): unknown key 'lable'; "
        r"did you mean 'label'\?",
    )


def test_missing_key_names_the_mapping_and_its_line(tmp_path):
    problem(
        tmp_path,
        GOOD.replace("            label: Repair\n", ""),
        r"categories\[0\]\.codes\[0\]\.codes\[0\] \(line 17\): missing required key 'label'",
    )


def test_wrong_type_gives_path_line_value_and_quoting_hint(tmp_path):
    problem(
        tmp_path,
        GOOD.replace("label: Workload", "label: 12"),
        r'categories\[1\]\.codes\[0\]\.label \(line 23\): expected a string, got 12 '
        r'\(write it in quotes: "12"\)',
    )


def test_wrong_language_lists_the_choices(tmp_path):
    problem(
        tmp_path,
        GOOD.replace("language: en", "language: de"),
        r"language \(line 3\): expected 'en' or 'fr', got 'de'",
    )


def test_unit_outside_choices_is_an_error(tmp_path):
    problem(
        tmp_path,
        GOOD.replace("language: en\n", "language: en\nunit: word\n"),
        r"unit \(line 4\): expected 'sentence', 'turn' or 'paragraph', got 'word'",
    )


def test_lemma_list_item_of_wrong_type_is_located(tmp_path):
    problem(
        tmp_path,
        GOOD.replace("lemmas: [trust, confide]", "lemmas: [trust, 3]"),
        r"categories\[0\]\.codes\[0\]\.match\.lemmas\[1\] \(line 12\): expected a string",
    )


def test_multiword_lemma_points_to_phrases(tmp_path):
    problem(
        tmp_path,
        GOOD.replace("lemmas: [trust, confide]", "lemmas: [trust, feel heard]"),
        r"match\.lemmas\[1\] \(line 12\): lemma 'feel heard' holds several words; "
        r"put multiword expressions under 'phrases'",
    )


def test_single_speaker_string_is_read_as_a_list(tmp_path):
    cb = load_codebook(write(tmp_path, GOOD.replace("speakers: [ES]", "speakers: ES")))
    assert cb.speakers == ["ES"]


def test_empty_speakers_list_is_an_error(tmp_path):
    problem(
        tmp_path,
        GOOD.replace("speakers: [ES]", "speakers: []"),
        r"speakers \(line 4\): speakers is empty; omit the key",
    )


def test_id_with_spaces_is_refused(tmp_path):
    problem(
        tmp_path,
        GOOD.replace("id: workload", "id: work load"),
        r"categories\[1\]\.codes\[0\]\.id \(line 22\): id 'work load' must be one word",
    )


def test_duplicate_code_id_names_both_locations(tmp_path):
    problem(
        tmp_path,
        GOOD.replace("id: workload", "id: bond"),
        r"categories\[1\]\.codes\[0\]\.id \(line 22\): 'bond' duplicates "
        r"categories\[0\]\.codes\[0\]\.id \(line 9\)",
    )


def test_duplicate_between_sub_code_and_category(tmp_path):
    problem(
        tmp_path,
        GOOD.replace("id: repair", "id: context"),
        r"categories\[1\]\.id \(line 19\): 'context' duplicates "
        r"categories\[0\]\.codes\[0\]\.codes\[0\]\.id \(line 17\)",
    )


def test_all_problems_are_reported_at_once(tmp_path):
    text = GOOD.replace("language: en", "language: de").replace("id: workload", "id: bond")
    text = text.replace("        label: Bond and trust", "        lable: Bond and trust")
    path = write(tmp_path, text, "bad.yaml")
    with pytest.raises(CodebookError, match=r"invalid codebook \(4 found\)") as info:
        load_codebook(path)
    message = str(info.value)
    for where in ("language (line 3)", "lable (line 10)", "codes[0] (line 9)", "id (line 22)"):
        assert where in message


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("[{LEMA: feel}]", r"invalid token pattern: token 0: unknown attribute 'LEMA'"),
        ("[{LOWER: a, OP: x}]", r"invalid token pattern: token 0: OP: Input should be"),
        ("[{LOWER: {REGEX: '(('}}]", r"invalid token pattern: missing \)"),
        ("[]", r"empty pattern: a pattern needs at least one token"),
        ("[{POS: NOUNX}]", r"invalid token pattern: token 0: POS 'NOUNX' is not a Universal"),
    ],
)
def test_invalid_matcher_pattern_is_located(tmp_path, pattern, expected):
    text = GOOD.replace(
        "            - [{LEMMA: feel}, {LOWER: heard}]\n",
        f"            - [{{LEMMA: feel}}, {{LOWER: heard}}]\n            - {pattern}\n",
    )
    problem(tmp_path, text, r"categories\[0\]\.codes\[0\]\.match\.patterns\[1\] \(line 16\): "
            + expected)


@pytest.mark.parametrize(
    ("language", "pattern", "attr"),
    [
        ("en", "[{POS: NOUN}]", "POS"),
        ("en", "[{TAG: NN}]", "TAG"),
        ("en", "[{MORPH: 'Number=Sing'}]", "MORPH"),
        ("en", "[{DEP: nsubj}]", "DEP"),
        ("en", "[{ENT_TYPE: PERSON}]", "ENT_TYPE"),
        ("en", "[{IS_SENT_START: true}]", "IS_SENT_START"),
        ("fr", "[{DEP: nsubj}]", "DEP"),
        ("fr", "[{ENT_TYPE: PER}]", "ENT_TYPE"),
    ],
)
def test_pattern_on_an_attribute_the_pipeline_does_not_set_is_located(
    tmp_path, language, pattern, attr
):
    text = GOOD.replace("language: en", f"language: {language}").replace(
        "            - [{LEMMA: feel}, {LOWER: heard}]\n",
        f"            - [{{LEMMA: feel}}, {{LOWER: heard}}]\n            - {pattern}\n",
    )
    provided = "LEMMA besides" if language == "en" else "POS, TAG, MORPH, LEMMA besides"
    problem(
        tmp_path,
        text,
        rf"categories\[0\]\.codes\[0\]\.match\.patterns\[1\] \(line 16\): token 0: {attr} "
        rf"is not set by the '{language}' pipeline .*that pipeline sets {provided}",
    )


def test_french_pattern_on_part_of_speech_is_accepted():
    text = GOOD.replace("language: en", "language: fr").replace(
        "{LEMMA: feel}, {LOWER: heard}", "{LEMMA: sentir}, {POS: VERB, MORPH: {IS_SUPERSET: []}}"
    )
    assert codebook_from_yaml(text).language == "fr"


def test_yaml_alias_is_refused_with_its_key_path_and_line(tmp_path):
    text = GOOD.replace("lemmas: [trust, confide]", "lemmas: &words [trust, confide]")
    text = text.replace("          phrases: [survival mode]", "          lemmas: *words")
    path = write(tmp_path, text, "bad.yaml")
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    message = str(info.value)
    assert "categories[0].codes[0].match.lemmas (line 12): the YAML anchor '&words'" in message
    assert "categories[1].codes[0].match.lemmas (line 25): the YAML alias '*words'" in message
    assert "expected" not in message  # the refused alias is not also a wrong type


def test_billion_laughs_is_refused_without_expanding_it():
    lines = ["name: Demo", "version: '1'", "language: en", "metadata:",
             "  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):  # 9 ** 9 = 387 million strings if expanded
        lines.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    lines += ["categories:", "  - id: c", "    label: C", "    codes:",
              "      - {id: x, label: X, examples: *a9}"]  # fmt: skip
    with pytest.raises(CodebookError) as info:
        codebook_from_yaml("\n".join(lines) + "\n")
    message = str(info.value)
    assert "metadata.a1[0] (line 6): the YAML alias '*a0' is not allowed" in message
    assert "more YAML alias(es)" in message


def test_python_tag_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    text = GOOD.replace(
        "        label: Bond and trust",
        f'        label: !!python/object/apply:os.system ["touch {marker}"]',
    )
    problem(
        tmp_path,
        text,
        r"categories\[0\]\.codes\[0\]\.label \(line 10\): the YAML tag "
        r"'!!python/object/apply:os.system' is not allowed",
    )
    assert not marker.exists()


def test_custom_tag_is_refused(tmp_path):
    problem(
        tmp_path,
        GOOD.replace("name: Demo codebook", "name: !secret Demo"),
        r"name \(line 1\): the YAML tag '!secret' is not allowed",
    )


def test_yaml_syntax_error_gives_line(tmp_path):
    problem(tmp_path, GOOD.replace("lemmas: [trust, confide]", "lemmas: [trust, confide"),
            r"bad\.yaml \(line 13, column \d+\): invalid YAML")


def test_duplicated_yaml_key_gives_line(tmp_path):
    problem(tmp_path, GOOD.replace('version: "1.0"\n', 'version: "1.0"\nversion: "2"\n'),
            r"\(line 3, column 1\): invalid YAML: .*duplicate key \"version\"")


def test_empty_file_is_an_error(tmp_path):
    problem(tmp_path, "# nothing here\n", "the codebook is empty")


def test_top_level_list_is_an_error(tmp_path):
    problem(tmp_path, "- a\n- b\n", "expected a mapping at the top level")


def test_missing_file_is_an_input_file_error(tmp_path):
    with pytest.raises(InputFileError, match="no such file, and not a shipped codebook"):
        load_codebook(tmp_path / "nope.yaml")


def test_non_yaml_extension_is_an_input_file_error(tmp_path):
    path = write(tmp_path, GOOD, "codebook.txt")
    with pytest.raises(InputFileError, match=r"a codebook is a \.yaml or \.yml file"):
        load_codebook(path)


def test_wrong_argument_type_is_a_codebook_error():
    with pytest.raises(CodebookError, match="got int"):
        load_codebook(3)


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("name", ["ross2008_en.yaml", "ross2008_fr.yaml"])
def test_shipped_codebook_round_trips_byte_for_byte(tmp_path, name):
    copy = tmp_path / name
    shutil.copyfile(CODEBOOK_DIR / name, copy)
    dump_codebook_document(load_codebook_document(copy), copy)
    assert copy.read_bytes() == (CODEBOOK_DIR / name).read_bytes()


def test_edited_document_keeps_comments_and_validates(tmp_path):
    text = "# my notes\n" + GOOD.replace("label: Context", "label: Context  # kept")
    path = write(tmp_path, text)
    doc = load_codebook_document(path)
    doc["categories"][1]["codes"].append({"id": "masks", "label": "Masks"})
    dump_codebook_document(doc, path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# my notes\n") and "label: Context  # kept" in text
    assert load_codebook(path).category_of("masks") == "context"


def test_document_with_problem_is_reported_by_codebook_from_document(tmp_path):
    doc = load_codebook_document(write(tmp_path, GOOD))
    doc["categories"][1]["codes"][0]["colour"] = "red"
    with pytest.raises(CodebookError, match=r"categories\[1\]\.codes\[0\]\.colour"):
        codebook_from_document(doc, source="edited")


def test_load_codebook_document_refuses_a_list(tmp_path):
    with pytest.raises(CodebookError, match="expected a mapping at the top level"):
        load_codebook_document(write(tmp_path, "- a\n"))


# --------------------------------------------------------------------------- invariant

ids = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(ids, min_size=0, max_size=4), min_size=1, max_size=4))
def test_iter_codes_visits_every_code_once_in_yaml_order(layout):
    seen: set[str] = set()
    categories = []
    expected = []
    for c, code_ids in enumerate(layout):
        codes = []
        for code_id in code_ids:
            name = f"{code_id}_{len(seen)}"
            seen.add(name)
            expected.append(name)
            codes.append(f"      - id: {name}\n        label: L\n")
        body = "".join(codes) if codes else ""
        block = f"  - id: cat{c}\n    label: C\n    codes:{' []' if not codes else ''}\n{body}"
        categories.append(block)
    text = "name: x\nversion: '1'\nlanguage: en\ncategories:\n" + "".join(categories)
    cb = codebook_from_yaml(text)
    assert [code.id for code, *_ in cb.iter_codes()] == expected
    assert len(cb.codes_frame()) == len(expected)
