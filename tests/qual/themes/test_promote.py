"""Tests of mixedwai.qual.themes.promote: checking a theme review, promoting it to a codebook."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from mixedwai.errors import CodebookError, ColumnError, InputFileError, MixedWAIWarning
from mixedwai.qual.codebook.loading import CODEBOOK_DIR, load_codebook
from mixedwai.qual.coding.apply import code_corpus
from mixedwai.qual.themes.promote import promote_themes
from mixedwai.qual.themes.review import read_theme_review
from mixedwai.qual.themes.tags import inductive_code_ids, tag_inductive
from mixedwai.qual.transcripts.model import Transcript

# Comments everywhere, keys in an unusual order, a flow list with odd spacing, quotes of
# both kinds, a folded scalar, no blank line at the end of the categories.
ODD_CODEBOOK = """\
# Our codebook  (edited by hand)
categories:   # the frame
  - label: Alliance     # label before id
    id: alliance
    codes:
      - match:
          lemmas: [trust,  confide]   # spaced on purpose
          phrases: ['on the same page']
        id: bond
        label: "Bond"
        definition: >-
          Trust between the ES and the client,
          as the ES tells it.
  # a comment after the last category

language: en
name: 'Demo codebook'   # quoted
version: "1.0"
speakers: [ES]
# the end
"""

FOUR_SPACE_CODEBOOK = """\
name: Demo
version: "1"
language: en
categories:
    -   id: alliance
        label: Alliance
        codes:
            -   id: bond
                label: Bond
                match:
                    lemmas: [trust]
"""

REVIEW = """\
# reviewed by AL
themes:
  - theme: T01
    decision: accept
    id: transport
    label: Getting to meetings
    definition: Travel to and from the meetings.
    lemmas: [bus, train]
    into: null
    examples: ["The bus was late."]
  - theme: T02
    decision: merge
    into: T01
    lemmas: [car, bus]
    examples: ["He came by car."]
  - theme: T03
    decision: reject
    id: noise
  - theme: T04
    decision: Accept
    id: garden
    label: The client's garden
    lemmas: [garden, rose]
    phrases: [flower show]
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def without_block(new: str, old: str) -> str:
    """``new`` with its one contiguous block of added lines removed."""
    a, b = new.splitlines(keepends=True), old.splitlines(keepends=True)
    prefix = 0
    while prefix < len(b) and a[prefix] == b[prefix]:
        prefix += 1
    added = len(a) - len(b)
    return "".join(a[:prefix] + a[prefix + added :])


# --------------------------------------------------------------------------- promotion


def test_promotion_keeps_everything_outside_the_new_category_byte_identical(tmp_path):
    codebook = write(tmp_path, "cb.yaml", ODD_CODEBOOK)
    review = write(tmp_path, "themes.yaml", REVIEW)
    promote_themes(codebook, review)
    new = codebook.read_text(encoding="utf-8")
    assert without_block(new, ODD_CODEBOOK) == ODD_CODEBOOK
    assert "  - id: inductive\n" in new
    assert new.index("  # a comment after the last category") < new.index("- id: inductive")
    assert new.index("- id: inductive") < new.index("language: en")


def test_promoted_codebook_reloads_with_the_new_codes(tmp_path):
    codebook = write(tmp_path, "cb.yaml", ODD_CODEBOOK)
    returned = promote_themes(codebook, write(tmp_path, "themes.yaml", REVIEW))
    book = load_codebook(codebook)
    assert book.code_ids == ["bond", "transport", "garden"]
    assert returned.code_ids == book.code_ids
    assert book.category("inductive").label == "Inductive themes"
    transport = book.code("transport")
    assert transport.label == "Getting to meetings"
    assert transport.definition == "Travel to and from the meetings."
    assert transport.match.lemmas == ["bus", "train", "car"]  # merged T02 folded in, no dup
    assert transport.examples == ["The bus was late.", "He came by car."]
    assert transport.metadata == {"origin": "inductive", "themes": ["T01", "T02"],
                                  "review": "themes.yaml"}  # fmt: skip
    assert book.code("garden").match.phrases == ["flower show"]
    assert "noise" not in book.code_ids


def test_promotion_keeps_a_four_space_layout(tmp_path):
    codebook = write(tmp_path, "cb.yaml", FOUR_SPACE_CODEBOOK)
    promote_themes(codebook, write(tmp_path, "themes.yaml", REVIEW))
    new = codebook.read_text(encoding="utf-8")
    assert new.startswith(FOUR_SPACE_CODEBOOK)
    assert "\n    -   id: inductive\n" in new
    assert "\n            -   id: transport\n" in new
    load_codebook(codebook)


def test_promotion_of_the_shipped_codebook_changes_nothing_above_it(tmp_path):
    out = tmp_path / "mine.yaml"
    promote_themes("ross2008-en", write(tmp_path, "themes.yaml", REVIEW), out=out)
    original = (CODEBOOK_DIR / "ross2008_en.yaml").read_text(encoding="utf-8")
    new = out.read_text(encoding="utf-8")
    assert without_block(new, original) == original
    assert load_codebook(out).category_of("garden") == "inductive"


def test_blank_lines_before_the_next_key_stay_between_the_blocks(tmp_path):
    codebook = write(tmp_path, "cb.yaml", ODD_CODEBOOK)
    promote_themes(codebook, write(tmp_path, "themes.yaml", REVIEW))
    new = codebook.read_text(encoding="utf-8")
    assert "review: themes.yaml\n\nlanguage: en\n" in new


def test_a_kept_block_scalar_keeps_its_trailing_blank_lines(tmp_path):
    text = ("name: Demo\nversion: '1'\nlanguage: en\ncategories:\n  - id: alliance\n"
            "    label: A\n    codes:\n      - id: bond\n        label: B\n"
            "        definition: |+\n          Trust.\n\n\ndescription: x\n")  # fmt: skip
    codebook = write(tmp_path, "cb.yaml", text)
    promote_themes(codebook, write(tmp_path, "themes.yaml", REVIEW))
    assert load_codebook(codebook).code("bond").definition == "Trust.\n\n\n"
    assert without_block(codebook.read_text(encoding="utf-8"), text) == text


def test_second_promotion_appends_to_the_existing_category(tmp_path):
    codebook = write(tmp_path, "cb.yaml", ODD_CODEBOOK)
    promote_themes(codebook, write(tmp_path, "themes.yaml", REVIEW))
    first = codebook.read_text(encoding="utf-8")
    more = write(tmp_path, "more.yaml", "themes:\n  - {theme: T01, decision: accept, "
                 "id: employer, label: Employers, lemmas: [employer]}\n")  # fmt: skip
    promote_themes(codebook, more)
    second = codebook.read_text(encoding="utf-8")
    assert without_block(second, first) == first
    book = load_codebook(codebook)
    assert [c.id for c in book.category("inductive").codes] == ["transport", "garden", "employer"]
    assert book.code("employer").metadata["review"] == "more.yaml"


def test_out_leaves_the_codebook_untouched(tmp_path):
    codebook = write(tmp_path, "cb.yaml", ODD_CODEBOOK)
    out = tmp_path / "sub" / "promoted.yaml"
    book = promote_themes(codebook, write(tmp_path, "themes.yaml", REVIEW), out=out)
    assert codebook.read_text(encoding="utf-8") == ODD_CODEBOOK
    assert book.source == str(out)
    assert "transport" in load_codebook(out).code_ids


def test_windows_line_ends_and_byte_order_mark_are_kept(tmp_path):
    codebook = tmp_path / "cb.yaml"
    codebook.write_bytes(b"\xef\xbb\xbf" + ODD_CODEBOOK.replace("\n", "\r\n").encode())
    promote_themes(codebook, write(tmp_path, "themes.yaml", REVIEW))
    raw = codebook.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf# Our codebook")
    assert raw.count(b"\n") == raw.count(b"\r\n")
    text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    assert without_block(text, ODD_CODEBOOK) == ODD_CODEBOOK


def test_custom_category_id_and_label(tmp_path):
    codebook = write(tmp_path, "cb.yaml", ODD_CODEBOOK)
    promote_themes(codebook, write(tmp_path, "themes.yaml", REVIEW), category_id="emergent",
                   category_label="Emergent themes")  # fmt: skip
    book = load_codebook(codebook)
    assert book.category("emergent").label == "Emergent themes"
    assert inductive_code_ids(book) == ["transport", "garden"]


def test_no_accepted_theme_warns_and_leaves_the_file(tmp_path):
    codebook = write(tmp_path, "cb.yaml", ODD_CODEBOOK)
    review = write(tmp_path, "themes.yaml", "themes:\n  - theme: T01\n    decision: reject\n")
    with pytest.warns(MixedWAIWarning, match="no theme is accepted"):
        book = promote_themes(codebook, review)
    assert codebook.read_text(encoding="utf-8") == ODD_CODEBOOK
    assert book.code_ids == ["bond"]


def test_a_layout_ruamel_cannot_reproduce_still_keeps_the_file_around_the_new_lines(tmp_path):
    # a mapping indented by 3 under a key and sequences by 5: no style matches every line;
    # the closest style's new lines are spliced in, and the result is checked by parsing
    text = ("name: Demo\nversion: '1'\nlanguage: en\nmetadata:\n   a: 1\ncategories:\n"
            "- id: alliance\n  label: A\n  codes:\n     - id: bond\n       label: B\n")  # fmt: skip
    codebook = write(tmp_path, "cb.yaml", text)
    with warnings.catch_warnings():
        warnings.simplefilter("error", MixedWAIWarning)
        promote_themes(codebook, write(tmp_path, "themes.yaml", REVIEW))
    assert without_block(codebook.read_text(encoding="utf-8"), text) == text
    assert load_codebook(codebook).code_ids == ["bond", "transport", "garden"]


def test_a_layout_that_cannot_be_spliced_is_rewritten_with_a_warning(tmp_path, monkeypatch):
    from mixedwai.qual.codebook import splice

    monkeypatch.setattr(splice, "_splice", lambda text, baseline, new: [])  # no placement
    codebook = write(tmp_path, "cb.yaml", ODD_CODEBOOK)
    with pytest.warns(MixedWAIWarning, match="could not reproduce the file's layout"):
        promote_themes(codebook, write(tmp_path, "themes.yaml", REVIEW))
    assert load_codebook(codebook).code_ids == ["bond", "transport", "garden"]


# --------------------------------------------------------------------------- review errors


def review_error(tmp_path: Path, review: str, codebook: str = ODD_CODEBOOK) -> str:
    path = write(tmp_path, "cb.yaml", codebook)
    with pytest.raises(CodebookError) as info:
        promote_themes(path, write(tmp_path, "themes.yaml", review))
    assert path.read_text(encoding="utf-8") == codebook  # nothing written
    return str(info.value)


def test_yaml_aliases_in_the_review_are_refused(tmp_path):
    review = (
        "themes:\n"
        "  - {theme: T01, decision: accept, id: bus, label: Bus, lemmas: &w [bus, train]}\n"
        "  - {theme: T02, decision: accept, id: car, label: Car, lemmas: *w}\n"
    )
    message = review_error(tmp_path, review)
    assert "themes[0].lemmas (line 2): the YAML anchor '&w' is not allowed" in message
    assert "themes[1].lemmas (line 3): the YAML alias '*w' is not allowed" in message


def test_undecided_themes_are_refused_listing_each_with_its_line(tmp_path):
    review = (
        "themes:\n"
        "  - {theme: T01, decision: review, id: bus, label: Bus}\n"
        "  - {theme: T02, decision: accept, id: car, label: Car}\n"
        "  - {theme: T03, decision: review}\n"
    )
    message = review_error(tmp_path, review)
    assert "2 of 3 theme(s) are not decided yet (decision: review): T01 (line 2), " in message
    assert "T03 (line 4). Set each decision to accept, reject or merge" in message


def test_written_review_file_must_be_decided_before_promotion(tmp_path):
    from mixedwai.qual.themes.review import write_theme_review
    from mixedwai.qual.themes.suggest import suggest_themes

    docs = [Transcript.from_text("ES: The bus was late. The bus and the train. Her garden. "
                                 "The garden roses.", doc_id="es1-c1")]  # fmt: skip
    review = tmp_path / "themes.yaml"
    write_theme_review(suggest_themes(docs, segments="all", n_themes=2), review)
    message = review_error(tmp_path, review.read_text(encoding="utf-8"))
    assert "2 of 2 theme(s) are not decided yet" in message


def test_merge_into_an_undecided_theme_is_refused(tmp_path):
    message = review_error(tmp_path, (
        "themes:\n  - {theme: T01, decision: review}\n"
        "  - {theme: T02, decision: merge, into: T01}\n"
    ))  # fmt: skip
    assert "themes[1].into (line 3): into 'T01': theme 'T01' is not decided yet" in message


def test_unknown_decision_is_located(tmp_path):
    message = review_error(tmp_path, "themes:\n  - theme: T01\n    decision: keep\n")
    assert "themes.yaml: invalid theme review (1 found)" in message
    assert "themes[0].decision (line 3): 'keep' is not a decision; expected accept, reject" in (
        message
    )


def test_every_problem_of_a_review_is_listed_with_its_line(tmp_path):
    review = (
        "themes:\n"
        "  - theme: T01\n    decision: accept\n    id: bond\n    label: Bond again\n"  # 2-5
        "  - theme: T02\n    decision: accept\n    id: x y\n    label: ''\n"  # 6-9
        "  - theme: T03\n    decision: merge\n    into: T09\n"  # 10-12
        "  - theme: T04\n    decision: accept\n    id: pace\n    label: Pace\n"  # 13-16
        "    lemmas: [go slow]\n    colour: red\n"  # 17-18
    )
    message = review_error(tmp_path, review)
    assert "(6 found)" in message
    assert (
        "themes[0].id (line 4): id 'bond' is already an id in codebook "
        in message
    )
    assert "(categories[0].codes[0].id); choose another id" in message
    assert "themes[1].id (line 8): id 'x y' must be one word" in message
    assert "themes[1].label (line 9): missing label" in message
    assert "themes[2].into (line 12): into 'T09' is not a theme of this review" in message
    assert "themes[3].lemmas[0] (line 17): lemma 'go slow' holds several words" in message
    assert "themes[3].colour (line 18): unknown key 'colour'" in message


def test_duplicate_ids_and_theme_keys_are_refused(tmp_path):
    review = (
        "themes:\n"
        "  - {theme: T01, decision: accept, id: pace, label: Pace}\n"
        "  - {theme: T02, decision: accept, id: pace, label: Pace 2}\n"
        "  - {theme: T01, decision: reject}\n"
    )
    message = review_error(tmp_path, review)
    assert "themes[1].id (line 3): id 'pace' is also the id of themes[0] (line 2)" in message
    assert "themes[2].theme (line 4): theme 'T01' appears twice" in message


def test_merge_into_a_rejected_or_merged_theme_is_refused(tmp_path):
    review = (
        "themes:\n"
        "  - {theme: T01, decision: reject}\n"
        "  - {theme: T02, decision: merge, into: T01}\n"
        "  - {theme: T03, decision: accept, id: pace, label: Pace}\n"
        "  - {theme: T04, decision: merge, into: T02}\n"
        "  - {theme: T05, decision: merge}\n"
    )
    message = review_error(tmp_path, review)
    assert "themes[1].into (line 3): into 'T01': theme 'T01' is rejected" in message
    assert "themes[3].into (line 5): into 'T02': theme 'T02' is itself merged" in message
    assert "themes[4].into (line 6): decision merge needs into" in message


def test_merge_may_name_the_accepted_code_id(tmp_path):
    codebook = write(tmp_path, "cb.yaml", ODD_CODEBOOK)
    review = write(tmp_path, "themes.yaml", (
        "themes:\n  - {theme: T01, decision: accept, id: pace, label: Pace, lemmas: [slow]}\n"
        "  - {theme: T02, decision: merge, into: pace, lemmas: [fast]}\n"
    ))  # fmt: skip
    book = promote_themes(codebook, review)
    assert book.code("pace").match.lemmas == ["slow", "fast"]


def test_into_with_an_accepted_theme_is_refused(tmp_path):
    message = review_error(
        tmp_path, "themes:\n  - {theme: T01, decision: accept, id: a, label: A, into: T02}\n"
    )
    assert "themes[0].into (line 2): into = 'T02' is only read with decision: merge" in message


def test_review_without_themes_is_refused(tmp_path):
    message = review_error(tmp_path, "source: {command: mixedwai themes}\nthemz: []\n")
    assert "themz (line 2): unknown key 'themz'; did you mean 'themes'?" in message
    assert "themes (line 1): expected a list of themes" in message


def test_category_id_of_an_existing_code_is_refused(tmp_path):
    codebook = write(tmp_path, "cb.yaml", ODD_CODEBOOK)
    with pytest.raises(CodebookError, match="category_id 'bond' is already the id of a code"):
        promote_themes(codebook, write(tmp_path, "themes.yaml", REVIEW), category_id="bond")


def test_invalid_yaml_in_the_review_names_file_and_line(tmp_path):
    message = review_error(tmp_path, "themes:\n  - theme: T01\n   decision: [accept\n")
    assert "themes.yaml (line" in message and "invalid YAML" in message


def test_shipped_codebook_needs_out(tmp_path):
    with pytest.raises(InputFileError, match="ross2008-en is a shipped codebook.*out="):
        promote_themes("ross2008-en", write(tmp_path, "themes.yaml", REVIEW))


def test_missing_files_are_input_file_errors(tmp_path):
    with pytest.raises(InputFileError, match="nope.yaml: codebook file not found"):
        promote_themes(tmp_path / "nope.yaml", tmp_path / "themes.yaml")
    codebook = write(tmp_path, "cb.yaml", ODD_CODEBOOK)
    with pytest.raises(InputFileError, match="themes.yaml: theme review file not found"):
        promote_themes(codebook, tmp_path / "themes.yaml")


def test_read_theme_review_sorts_decisions(tmp_path):
    review = read_theme_review(write(tmp_path, "themes.yaml", REVIEW))
    assert [d.theme for d in review.accepted] == ["T01", "T04"]
    assert [d.theme for d in review.merged] == ["T02"]
    assert [d.theme for d in review.rejected] == ["T03"]
    assert review.target_of(review.merged[0]).id == "transport"
    assert review.accepted[1].decision == "accept"  # "Accept" is read case-insensitively


# --------------------------------------------------------------------------- source tagging


def test_code_corpus_marks_codings_of_promoted_codes_inductive(tmp_path):
    codebook = write(tmp_path, "cb.yaml", ODD_CODEBOOK)
    book = promote_themes(codebook, write(tmp_path, "themes.yaml", REVIEW))
    t = Transcript.from_text(
        "ES: I trusted her. The bus was late. Her garden was lovely.", doc_id="es1-c1"
    )
    codings = code_corpus([t], book)
    assert dict(zip(codings["code_id"], codings["source"], strict=True)) == {
        "bond": "rule", "transport": "inductive", "garden": "inductive"
    }  # fmt: skip


def test_tag_inductive_marks_rule_codings_of_promoted_codes_and_keeps_attrs(tmp_path):
    codebook = write(tmp_path, "cb.yaml", ODD_CODEBOOK)
    book = promote_themes(codebook, write(tmp_path, "themes.yaml", REVIEW))
    codings = pd.DataFrame({"code_id": ["bond", "transport", "garden"], "source": ["rule"] * 3})
    codings.attrs["unit"] = "sentence"
    tagged = tag_inductive(codings, book)
    assert tagged["source"].tolist() == ["rule", "inductive", "inductive"]
    assert codings["source"].eq("rule").all()  # the input is not changed
    assert tagged.attrs == codings.attrs


def test_manual_codings_of_inductive_codes_stay_manual(tmp_path):
    codebook = write(tmp_path, "cb.yaml", ODD_CODEBOOK)
    book = promote_themes(codebook, write(tmp_path, "themes.yaml", REVIEW))
    codings = pd.DataFrame({"code_id": ["garden", "garden"], "source": ["manual", "rule"]})
    assert tag_inductive(codings, book)["source"].tolist() == ["manual", "inductive"]


def test_inductive_codes_are_found_by_metadata_category_or_parent():
    from mixedwai.qual.codebook.model import Codebook

    book = Codebook.model_validate({
        "name": "d", "version": "1", "language": "en",
        "categories": [
            {"id": "alliance", "label": "A", "codes": [
                {"id": "bond", "label": "B"},
                {"id": "pace", "label": "P", "metadata": {"origin": "inductive"},
                 "codes": [{"id": "slow", "label": "S"}]},
            ]},
            {"id": "emergent", "label": "E", "metadata": {"origin": "inductive"},
             "codes": [{"id": "bus", "label": "Bus"}]},
            {"id": "inductive", "label": "I", "codes": [{"id": "car", "label": "Car"}]},
        ],
    })  # fmt: skip
    assert inductive_code_ids(book) == ["pace", "slow", "bus", "car"]


def test_tag_inductive_needs_code_id_and_source():
    with pytest.raises(ColumnError, match="'source'"):
        tag_inductive(pd.DataFrame({"code_id": ["x"]}), load_codebook("ross2008-en"))


def test_suggested_themes_can_be_promoted_and_code_the_corpus(tmp_path):
    from mixedwai.qual.themes.review import write_theme_review
    from mixedwai.qual.themes.suggest import suggest_themes

    texts = {
        "es1-c1": "ES: The bus was late. She took the bus and the train. The train was full. "
                  "Her garden had roses. The roses were red.",
        "es1-c2": "ES: He missed the bus. The train was cancelled. His garden was big. "
                  "The roses in his garden.",
    }  # fmt: skip
    docs = [Transcript.from_text(text, doc_id=d) for d, text in texts.items()]
    codebook = write(tmp_path, "cb.yaml", ODD_CODEBOOK)
    found = suggest_themes(docs, load_codebook(codebook), n_themes=2)
    review = tmp_path / "themes.yaml"
    write_theme_review(found, review)
    text = review.read_text(encoding="utf-8")
    review.write_text(text.replace("decision: review", "decision: accept"), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        book = promote_themes(codebook, review)
    assert without_block(codebook.read_text(encoding="utf-8"), ODD_CODEBOOK) == ODD_CODEBOOK
    promoted = [c.id for c in book.category("inductive").codes]
    assert len(promoted) == 2
    tagged = code_corpus(docs, book)
    inductive = tagged[tagged["source"] == "inductive"]
    assert set(inductive["code_id"]) == set(promoted)
    assert set(inductive["segment_id"]) >= set(
        found.assignments.loc[found.assignments["theme_id"].notna(), "segment_id"]
    )


# --------------------------------------------------------------------------- wrapped lists

WRAPPED_CODEBOOK = """\
name: Wrapped
version: "1"
language: en
categories:
  - id: alliance
    label: Alliance
    codes:
      - id: bond
        label: Bond
        match:
          lemmas: [trust, confide, rely,
                   respect, warmth]   # wrapped by hand
          phrases: ["on the same page",
                    "felt heard"]
      - id: goals
        label: Goals
        examples:
          - >-
            We agreed on the job
            she wanted.
        match: {phrases: [job goal,
                          same goal]}
speakers: [ES]
"""


def test_a_list_written_over_several_lines_stays_as_written(tmp_path):
    codebook = write(tmp_path, "cb.yaml", WRAPPED_CODEBOOK)
    with warnings.catch_warnings():
        warnings.simplefilter("error", MixedWAIWarning)  # no normalised rewrite
        promote_themes(codebook, write(tmp_path, "themes.yaml", REVIEW))
    new = codebook.read_text(encoding="utf-8")
    assert without_block(new, WRAPPED_CODEBOOK) == WRAPPED_CODEBOOK
    assert "          lemmas: [trust, confide, rely,\n                   respect, warmth]" in new
    assert new.index("same goal]}") < new.index("- id: inductive") < new.index("speakers:")
    book = load_codebook(codebook)
    assert book.code("bond").match.lemmas == ["trust", "confide", "rely", "respect", "warmth"]
    assert book.code_ids == ["bond", "goals", "transport", "garden"]


def test_codes_appended_after_a_wrapped_list_of_the_same_category(tmp_path):
    codebook = write(tmp_path, "cb.yaml", WRAPPED_CODEBOOK)
    with warnings.catch_warnings():
        warnings.simplefilter("error", MixedWAIWarning)
        promote_themes(codebook, write(tmp_path, "themes.yaml", REVIEW), category_id="alliance")
    new = codebook.read_text(encoding="utf-8")
    assert without_block(new, WRAPPED_CODEBOOK) == WRAPPED_CODEBOOK
    assert new.index("same goal]}") < new.index("- id: transport") < new.index("speakers:")
    assert load_codebook(codebook).category_of("transport") == "alliance"
