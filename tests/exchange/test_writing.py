"""write_qdpx / write_qdc: schema-valid, byte-reproducible, and read back unchanged."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mixedwai as mw
from mixedwai.errors import ExchangeError
from mixedwai.exchange.codebook import read_qdc, write_qdc
from mixedwai.exchange.positions import Convention, PositionMap, from_offsets, normalise_text
from mixedwai.exchange.reading import read_qdpx
from mixedwai.exchange.writing import write_qdpx

KEY = ["doc_id", "start", "end", "code_id", "coder"]


@pytest.fixture(scope="module")
def study():
    corpus = mw.load_corpus("sample_corpus/transcripts")
    codebook = mw.load_codebook("ross2008-en")
    codes = codebook.code_ids
    rows = []
    for i, transcript in enumerate(corpus):
        sentences = transcript.segments("sentence")
        for j, sentence in enumerate(sentences[:6]):
            rows.append((transcript.doc_id, sentence.start, sentence.end,
                         codes[(i + j) % len(codes)], "AL" if j % 2 else "mixedwai"))
        # two codes and two coders on the same span
        first = sentences[1]
        rows.append((transcript.doc_id, first.start, first.end, codes[-1], "Jo"))
    codings = pd.DataFrame(rows, columns=KEY)
    cases = mw.read_cases("sample_corpus/cases.csv")
    cases = cases.assign(pattern=["SHA", "SLA", "LDA"] * (len(cases) // 3)
                         + ["SLA"] * (len(cases) % 3))
    cases["cluster"] = pd.array(range(1, len(cases) + 1), dtype="Int64")
    cases = cases[["pattern", "cluster", "job", "days_to_job", "diagnosis"]]
    doc = corpus.doc_ids[0]
    notes = pd.DataFrame([
        {"target": "project", "author": "AL", "title": "Plan", "text": "Code the ES turns."},
        {"target": "source", "doc_id": doc, "author": "", "title": "", "text": "Poor audio."},
        {"target": "selection", "doc_id": doc, "start": int(codings.start[0]),
         "end": int(codings.end[0]), "author": "Jo", "title": "why", "text": "Irony here."},
        {"target": "code", "code_id": "bond_trust", "author": "AL", "title": "",
         "text": "Includes distrust."},
        {"target": "case", "case_id": cases.index[0], "author": "", "title": "",
         "text": "Second interview planned."},
    ])
    return corpus, codings, codebook, cases, notes


def _key(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[KEY].astype({"start": "int64", "end": "int64"}).sort_values(KEY) \
        .reset_index(drop=True)


def test_export_is_schema_valid_and_byte_reproducible(tmp_path, study, assert_valid_project):
    corpus, codings, codebook, cases, notes = study
    a, b = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    write_qdpx(a, corpus, codings=codings, codebook=codebook, cases=cases, notes=notes)
    write_qdpx(b, corpus, codings=codings.sample(frac=1, random_state=1), codebook=codebook,
               cases=cases, notes=notes)
    assert_valid_project(a)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as archive:
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in archive.infolist())


def test_round_trip_gives_back_codings_codebook_cases_and_notes(tmp_path, study):
    corpus, codings, codebook, cases, notes = study
    path = tmp_path / "study.qdpx"
    write_qdpx(path, corpus, codings=codings, codebook=codebook, cases=cases, notes=notes)
    project = read_qdpx(path)
    pd.testing.assert_frame_equal(_key(project.codings), _key(codings))
    assert _tree(project.codebook) == _tree(codebook)
    for transcript in corpus:
        back = project.corpus[transcript.doc_id]
        assert back.text == transcript.text and back.case_id == transcript.case_id
    texts = {(t.doc_id, s.start, s.end): t.text[s.start:s.end]
             for t in corpus for s in t.segments("sentence")}
    assert all(texts[(r.doc_id, r.start, r.end)] == r.text for r in project.codings.itertuples())
    # cases: every case of the table, values and types kept
    expected = cases.copy()
    expected.index = expected.index.map(str)
    got = project.cases.loc[sorted(expected.index), list(expected.columns)]
    assert got["pattern"].tolist() == expected.sort_index()["pattern"].tolist()
    assert got["cluster"].tolist() == expected.sort_index()["cluster"].tolist()
    assert got["job"].tolist() == expected.sort_index()["job"].tolist()
    pd.testing.assert_series_equal(got["days_to_job"], expected.sort_index()["days_to_job"],
                                   check_names=False, check_index=False)
    # notes: same target, place, author, title and text
    columns = ["target", "doc_id", "start", "end", "code_id", "case_id", "author", "title",
               "text"]

    def norm(frame):
        frame = frame.reindex(columns=columns).astype(object)
        frame = frame.where(frame.notna(), None)
        frame.loc[frame["target"] == "case", ["author", "title"]] = ""  # a case keeps text only
        return sorted(map(tuple, frame.to_numpy().tolist()), key=str)

    assert norm(project.notes) == norm(notes)
    assert project.selections["status"].eq("ok").all()


def test_utf16_positions_for_programs_that_count_code_units(tmp_path, assert_valid_project):
    transcript = mw.Transcript.from_text("ES: Great 😀 we trust 😀😀 each other.", doc_id="ES1_C1")
    codebook = mw.load_codebook("ross2008-en")
    start = transcript.text.index("we trust")
    codings = pd.DataFrame({"doc_id": ["ES1_C1"], "start": [start], "end": [start + 8],
                            "code_id": ["bond_trust"], "coder": ["AL"]})
    path = tmp_path / "u.qdpx"
    write_qdpx(path, [transcript], codings=codings, codebook=codebook, positions="utf16")
    assert_valid_project(path)
    with zipfile.ZipFile(path) as archive:
        qde = archive.read("project.qde").decode()
    assert f'startPosition="{start + 1}"' in qde  # one emoji before: one more unit
    project = read_qdpx(path)
    assert project.codings["text"].tolist() == ["we trust"]
    assert project.sources["counting"].tolist() == ["utf16"]


def test_bad_codings_are_refused_with_every_row_named(tmp_path, study):
    corpus, codings, codebook, _, _ = study
    bad = codings.head(3).copy()
    bad.loc[0, "doc_id"] = "nope"
    bad.loc[1, "end"] = 10**9
    bad.loc[2, "code_id"] = "no_such_code"
    with pytest.raises(ExchangeError) as info:
        write_qdpx(tmp_path / "x.qdpx", corpus, codings=bad, codebook=codebook)
    message = str(info.value)
    assert "row 1" in message and "'nope'" in message
    assert "row 2" in message and "0 <= start < end" in message
    assert "row 3" in message and "'no_such_code'" in message
    assert not (tmp_path / "x.qdpx").exists()
    with pytest.raises(ExchangeError, match="without a codebook"):
        write_qdpx(tmp_path / "x.qdpx", corpus, codings=codings)


def test_qdc_is_schema_valid_and_round_trips(tmp_path, codebook_schema):
    from lxml import etree

    codebook = mw.load_codebook("ross2008-fr")
    path = tmp_path / "c.qdc"
    write_qdc(codebook, path)
    assert codebook_schema.validate(etree.parse(str(path))), codebook_schema.error_log
    back = read_qdc(path, language="fr")
    assert _tree(back) == _tree(codebook)
    write_qdc(back, tmp_path / "d.qdc")
    assert path.read_bytes() == (tmp_path / "d.qdc").read_bytes()


def _tree(codebook):
    """Categories and codes with everything REFI keeps (match rules stay in YAML)."""
    categories = [(c.id, c.label, c.description, c.metadata) for c in codebook.categories]
    codes = [(code.id, code.label, code.definition, code.include, code.exclude, code.examples,
              code.metadata, category, parent, depth)
             for code, category, parent, depth in codebook.iter_codes()]
    return categories, codes


def test_independent_reader_reads_our_export(tmp_path, study):
    refi = pytest.importorskip("pyrefiqda")
    corpus, codings, codebook, cases, notes = study
    path = tmp_path / "study.qdpx"
    write_qdpx(path, corpus, codings=codings, codebook=codebook, cases=cases, notes=notes)
    project = refi.RefiProject.load(path, extract_dir=str(tmp_path / "extracted"))
    selections = [s for source in project.sources.text_source
                  for s in source.plain_text_selection]
    assert sum(len(s.coding) for s in selections) == len(codings)
    assert len(project.cases.case) == len(cases)


_TEXT = st.text(alphabet=st.sampled_from(list("ab \n\r") + ["😀", "é", "\ufe0f"]),
                max_size=40)


@settings(max_examples=200, deadline=None)
@given(text=_TEXT, data=st.data())
def test_positions_written_in_utf16_map_back_to_the_same_offsets(text, data):
    text = text.replace("\r", "")  # a loader's text: no CR
    offsets = sorted(data.draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=6)))
    units = from_offsets(text, offsets, counting="utf16")
    assert units.tolist() == [len(text[:o].encode("utf-16-le")) // 2 for o in offsets]
    back, _ = PositionMap(text, Convention("utf16")).to_offsets(units, units)
    assert back.tolist() == offsets


@settings(max_examples=200, deadline=None)
@given(text=_TEXT, bom=st.booleans(), data=st.data())
def test_crlf_and_bom_positions_map_onto_the_loaders_text(text, bom, data):
    raw = ("\ufeff" if bom else "") + text.replace("\r", "").replace("\n", "\r\n")
    plain = normalise_text(raw)
    offsets = sorted(data.draw(st.lists(st.integers(0, len(plain)), min_size=2, max_size=6)))
    # where each offset of the loader's text sits in the file, counted in code points
    file_positions = []
    for o in offsets:
        prefix = plain[:o].replace("\n", "\r\n")
        file_positions.append(len(prefix) + (1 if bom else 0))
    mapped, _ = PositionMap(raw, Convention(bom=bom)).to_offsets(file_positions, file_positions)
    assert mapped.tolist() == offsets


def test_codings_flagged_negated_are_left_out_with_a_warning(tmp_path):
    book = mw.Codebook.model_validate({
        "name": "g", "version": "1", "language": "en",
        "categories": [{"id": "c", "label": "C", "codes": [
            {"id": "goal_agreement", "label": "Goals", "when_negated": "flag",
             "match": {"phrases": ["agreed on"]}}]}]})
    t = mw.Transcript.from_text("ES: We never agreed on a goal. Then we agreed on one.",
                                doc_id="d1")
    codings = mw.code_corpus([t], book, unit="sentence")
    assert codings["negated"].tolist() == [True, False]
    with pytest.warns(UserWarning, match="1 coding"):
        write_qdpx(tmp_path / "p.qdpx", [t], codings=codings, codebook=book)
    back = read_qdpx(tmp_path / "p.qdpx")
    assert back.codings["text"].tolist() == ["Then we agreed on one."]
