"""read_qdpx on a real NVivo 12 export and on small projects built here."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from mixedwai.exchange.reading import read_qdpx
from mixedwai.qual.coding.schema import CODING_COLUMNS

NS = "{urn:QDA-XML:project:1.0}"


@pytest.fixture(scope="module")
def nvivo_path(shared_corpora: Path) -> Path:
    path = shared_corpora / "nvivo12_export_hu.qdpx"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return path


@pytest.fixture(scope="module")
def nvivo(nvivo_path: Path):
    return read_qdpx(nvivo_path)


def _xml(path: Path):
    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde")), archive


def test_nvivo_code_tree_keeps_all_152_codes_and_their_hierarchy(nvivo, nvivo_path) -> None:
    root, _ = _xml(nvivo_path)
    codes = list(root.iter(f"{NS}Code"))
    assert len(codes) == 152
    cb = nvivo.codebook
    assert len(cb.categories) + len(cb.code_ids) == 152
    # every REFI code's children, by name, are the children of the code (or category) it became
    for element in codes:
        kids = [c.get("name") for c in element.findall(f"{NS}Code")]
        name = element.get("name")
        if element.getparent().tag == f"{NS}Codes":
            matches = [c for c in cb.categories if c.label == name]
            assert len(matches) == 1, name
            assert [c.label for c in matches[0].codes] == kids
        else:
            parent_name = element.getparent().get("name")
            ours = [code for code, *_ in cb.iter_codes() if code.label == name
                    and (cb.parent_of(code.id) and cb.code(cb.parent_of(code.id)).label
                         or cb.category(cb.category_of(code.id)).label) == parent_name]
            assert len(ours) == 1, name
            assert [c.label for c in ours[0].codes] == kids


def test_nvivo_descriptions_become_definitions(nvivo) -> None:
    category = nvivo.codebook.category("1._oltás_típusa")
    assert category.description == "COVID vay nem COVID"
    assert [c.label for c in category.codes] == ["COVID", "Nem COVID"]


def test_nvivo_303_codings_by_gergo(nvivo) -> None:
    codings = nvivo.codings
    assert len(codings) == 303
    assert set(codings["coder"]) == {"Gergo"}
    assert set(codings["source"]) == {"manual"}
    assert set(codings["doc_id"]) == {"videos_10_selected"}
    assert list(codings.columns) == list(CODING_COLUMNS)
    assert len(nvivo.selections) == 303  # every selection checked, none dropped


def test_nvivo_positions_are_utf16_units_with_crlf_and_no_bom(nvivo, nvivo_path) -> None:
    row = nvivo.sources.set_index("doc_id").loc["videos_10_selected"]
    assert (row["counting"], bool(row["bom"]), bool(row["crlf"])) == ("utf16", False, True)
    # independent computation: slice the file's UTF-16 encoding (BOM removed), then
    # normalise line ends as the text loaders do
    root, _ = _xml(nvivo_path)
    source = next(s for s in root.iter(f"{NS}TextSource") if s.get("name") == row.name)
    member = "Sources/" + source.get("plainTextPath").split("//", 1)[1]
    with zipfile.ZipFile(nvivo_path) as archive:
        raw = archive.read(member).decode("utf-8-sig")
    units = raw.encode("utf-16-le")
    expected = sorted(
        units[2 * int(s.get("startPosition")): 2 * int(s.get("endPosition"))]
        .decode("utf-16-le").replace("\r\n", "\n")
        for s in source.iter(f"{NS}PlainTextSelection")
    )
    assert sorted(nvivo.codings["text"]) == expected
    transcript = nvivo.corpus["videos_10_selected"]
    for row in nvivo.codings.itertuples():
        assert transcript.text[row.start:row.end] == row.text


def test_nvivo_selections_start_and_end_on_word_boundaries(nvivo) -> None:
    text = nvivo.corpus["videos_10_selected"].text

    def cuts_word(i: int) -> bool:
        return 0 < i < len(text) and text[i - 1].isalnum() and text[i].isalnum()

    cut = [r for r in nvivo.codings.itertuples() if cuts_word(r.start) or cuts_word(r.end)]
    # three selections of the coder cut a word under every counting tried; they are
    # imported and listed as "mid-word", the other 300 start and end between words
    assert len(cut) == 3
    listed = nvivo.mismatches
    assert list(listed["status"]) == ["mid-word"] * 3
    assert sorted(zip(listed["start"], listed["end"], strict=True)) == sorted(
        (r.start, r.end) for r in cut)
    assert "300 of 303 selection(s) on word boundaries" in nvivo.summary()


def test_nvivo_document_without_case_gets_none_and_one_transcript_per_source(nvivo) -> None:
    assert nvivo.corpus.doc_ids == ["videos_10_selected", "videos_selection"]
    assert all(t.case_id is None for t in nvivo.corpus)
    assert nvivo.cases.empty and nvivo.skipped.empty


def _project(tmp_path: Path, xml: str, members: dict[str, bytes] | None = None) -> Path:
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml)
        for name, data in (members or {}).items():
            archive.writestr(name, data)
    return path


G = "00000000-0000-0000-0000-0000000000{:02d}"


def test_unlabelled_document_is_one_speakers_text(tmp_path: Path) -> None:
    xml = (f'<Project xmlns="urn:QDA-XML:project:1.0" name="notes">'
           f'<Sources><TextSource guid="{G.format(1)}" name="field notes">'
           f'<PlainTextContent>The client arrived late.\nShe seemed tired.</PlainTextContent>'
           f'</TextSource></Sources></Project>')
    project = read_qdpx(_project(tmp_path, xml), default_speaker="observer")
    transcript = project.corpus["field notes"]
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("observer", "The client arrived late.\nShe seemed tired.")]


def test_cases_variables_notes_and_other_sources(tmp_path: Path) -> None:
    xml = f'''<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="QualCoder">
  <Users><User guid="{G.format(1)}" name="Ana"/></Users>
  <CodeBook><Codes><Code guid="{G.format(2)}" name="Bond" isCodable="true" color="#FF0000">
    <Description>Trust between them.</Description><NoteRef targetGUID="{G.format(30)}"/>
  </Code></Codes></CodeBook>
  <Variables><Variable guid="{G.format(3)}" name="job" typeOfVariable="Boolean"/>
    <Variable guid="{G.format(4)}" name="sessions" typeOfVariable="Integer"/></Variables>
  <Cases><Case guid="{G.format(5)}" name="ES#3_C2"><Description>Met at home.</Description>
    <VariableValue><VariableRef targetGUID="{G.format(3)}"/><BooleanValue>true</BooleanValue>
    </VariableValue><VariableValue><VariableRef targetGUID="{G.format(4)}"/>
    <IntegerValue>4</IntegerValue></VariableValue><SourceRef targetGUID="{G.format(6)}"/>
  </Case></Cases>
  <Sources><TextSource guid="{G.format(6)}" name="interview" plainTextPath="internal://a.txt">
    <PlainTextSelection guid="{G.format(7)}" startPosition="4" endPosition="12"
      creatingUser="{G.format(1)}"><Description>Key moment.</Description>
      <Coding guid="{G.format(8)}" creatingUser="{G.format(1)}">
      <CodeRef targetGUID="{G.format(2)}"/></Coding></PlainTextSelection>
    <PlainTextSelection guid="{G.format(9)}" startPosition="40" endPosition="90">
      <Coding guid="{G.format(10)}"><CodeRef targetGUID="{G.format(2)}"/></Coding>
    </PlainTextSelection>
    <NoteRef targetGUID="{G.format(31)}"/></TextSource>
    <PictureSource guid="{G.format(11)}" name="drawing" path="internal://d.png">
      <PictureSelection guid="{G.format(12)}" firstX="0" firstY="0" secondX="1" secondY="1">
      <Coding guid="{G.format(13)}"><CodeRef targetGUID="{G.format(2)}"/></Coding>
      </PictureSelection></PictureSource>
    <TextSource guid="{G.format(14)}" name="elsewhere" plainTextPath="absolute:///etc/x.txt"/>
  </Sources>
  <Notes><Note guid="{G.format(30)}" name="code memo" creatingUser="{G.format(1)}">
    <PlainTextContent>Watch for irony.</PlainTextContent></Note>
    <Note guid="{G.format(31)}" name="doc memo"><PlainTextContent>Noisy.</PlainTextContent></Note>
  </Notes>
  <Sets><Set guid="{G.format(40)}" name="favourites"/></Sets>
</Project>'''
    project = read_qdpx(_project(tmp_path, xml, {"Sources/a.txt": b"ES: We trust each other."}))
    assert project.cases.to_dict("index") == {"ES3_C2": {"job": True, "sessions": 4}}
    assert project.corpus["interview"].case_id == "ES3_C2"
    assert project.codebook.code("bond").metadata == {"color": "#FF0000"}
    coding = project.codings.iloc[0]
    assert (coding["text"], coding["coder"], coding["case_id"]) == ("We trust", "Ana", "ES3_C2")
    # the selection past the end of the text is listed, not imported and not dropped
    assert list(project.selections["status"]) == ["ok", "outside the text"]
    notes = project.notes.set_index("target")
    assert notes.loc["code", "text"] == "Watch for irony."
    assert notes.loc["code", "author"] == "Ana"
    assert notes.loc["source", "text"] == "Noisy."
    assert notes.loc["selection", "text"] == "Key moment."
    assert notes.loc["case", "text"] == "Met at home."
    skipped = project.skipped.set_index("kind")["what_happened"]
    assert "1 coding(s) on it left out" in skipped["picture source"]
    assert "outside the archive" in skipped["text source"]
    assert "no sets" in skipped["set"]


def test_codings_table_equals_load_manual_codings_on_the_same_rows(nvivo) -> None:
    from mixedwai.qual.coding.manual import load_manual_codings

    rows = nvivo.codings[["doc_id", "start", "end", "code_id", "coder"]]
    for unit in ("turn", "paragraph"):
        ours = read_qdpx_unit(nvivo, unit)
        reference = load_manual_codings(rows, nvivo.corpus, nvivo.codebook, unit=unit)
        pd.testing.assert_frame_equal(ours.reset_index(drop=True), reference, check_like=False)


def read_qdpx_unit(project, unit):
    from mixedwai.exchange.sources import codings_table

    rows = list(project.codings[["doc_id", "start", "end", "code_id", "coder"]]
                .itertuples(index=False, name=None))
    return codings_table(rows, project.corpus, project.codebook, unit=unit)
