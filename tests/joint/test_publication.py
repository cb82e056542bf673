"""What a researcher puts in front of a journal: Word, Excel, figures, ids, member checks."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest
from docx.oxml.ns import qn

from mixedwai.joint.render.document import Table
from mixedwai.joint.render.word import _CELL_PAD_PT, text_width_points

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def word(written: Path):
    return docx.Document(str(written / "report.docx"))


@pytest.fixture(scope="module")
def book(written: Path):
    return openpyxl.load_workbook(written / "report.xlsx")


def _text(cell) -> str:
    return "\n".join(p.text for p in cell.paragraphs)


def test_table_2_in_word_reads_like_the_paper(word) -> None:
    table = next(t for t in word.tables if _text(t.rows[0].cells[0]) == "Pattern"
                 and _text(t.rows[0].cells[2]) == "Time 1")
    rows = [[_text(c) for c in r.cells] for r in table.rows]
    assert rows[0] == ["Pattern", "n (%)", "Time 1", "Time 2", "Time 3", "Overall"]
    assert rows[1][:2] == ["Stable high (SHA)", "5 (27.8)"] and rows[1][-1] == "6.64 (0.15)"


def test_no_word_of_a_table_header_or_first_column_is_narrower_than_its_column(word) -> None:
    for table in word.tables:
        widths = [int(c.get(qn("w:w"))) / 20 for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        for j, cell in enumerate(table.rows[0].cells):
            for token in _text(cell).split():
                need = text_width_points(token, 9, bold=True) + _CELL_PAD_PT
                assert widths[j] >= need - 0.05, (token, widths[j], need)  # twips rounding
        for row in table.rows[1:]:
            for token in _text(row.cells[0]).split():  # pattern names, levels, case ids
                assert widths[0] >= text_width_points(token, 9) + _CELL_PAD_PT - 0.05, token


def test_word_tables_have_horizontal_rules_only_repeated_headers_and_unsplit_rows(word) -> None:
    for table in word.tables:
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        sides = {child.tag.replace(W, ""): child.get(qn("w:val")) for child in borders}
        assert sides["top"] == sides["bottom"] == "single"
        assert sides["insideV"] == sides["left"] == sides["right"] == "nil"
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)


def test_word_captions_are_fields_kept_with_their_table(word) -> None:
    body = word.element.body
    instr = " ".join(t.text for t in body.iter(qn("w:instrText")))
    # one numbered caption per table; a table too wide for the page is printed in parts,
    # each part a Word table under "Table N, part k of K"
    parts = [p.text for p in word.paragraphs if ", part " in p.text and p.text.startswith("Table")]
    continued = sum(1 for t in parts if not t.endswith(", part 1 of " + t.rsplit(" ", 1)[-1]))
    assert instr.count("SEQ Table") == len(word.tables) - continued
    assert "SEQ Figure" in instr and "TOC" in instr
    captions = [p for p in word.paragraphs if p.style.name == "Caption"]
    assert captions and all(p.paragraph_format.keep_with_next for p in captions)
    footer = word.sections[0].footer._element
    assert any("PAGE" in (t.text or "") for t in footer.iter(qn("w:instrText")))


def test_word_figures_have_alt_text(word) -> None:
    shapes = word.inline_shapes
    pictures = [s for s in shapes if s._inline.docPr.get("descr", "").startswith(
        ("Line chart", "Dendrogram"))]
    assert len(pictures) == 2
    assert "Stable high (SHA), n = 5: 6.55, 6.63, 6.73" in pictures[0]._inline.docPr.get("descr")


def test_word_orientation_changes_at_most_once_per_top_level_section(word) -> None:
    turns = sum(a.orientation != b.orientation for a, b in
                zip(word.sections, list(word.sections)[1:], strict=False))
    top_headings = sum(p.style.name == "Heading 1" for p in word.paragraphs)
    assert turns <= 2 and turns <= top_headings


def test_workbook_holds_every_report_table_with_numbers_as_numbers(sample_run, book) -> None:
    tables = [b for b in sample_run.report.blocks if isinstance(b, Table)]
    assert len(book.sheetnames) == len(tables) + 1  # and a contents sheet
    number = re.compile(r"[-+]?\d+(\.\d+)?")
    for ws in book.worksheets[1:]:
        assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:")
        assert all(c.font.b for c in ws[2] if c.value is not None)
        for row in ws.iter_rows(min_row=3, max_row=ws.max_row):
            for cell in row:
                if isinstance(cell.value, str):
                    assert not number.fullmatch(cell.value.strip()), (ws.title, cell.coordinate)
                elif isinstance(cell.value, float):
                    assert cell.number_format != "General", (ws.title, cell.coordinate)
    table_2 = book["table_2"]
    header = [c.value for c in table_2[2]]
    assert header[:4] == ["Pattern", "Abbreviation", "n", "%"]
    assert table_2["C3"].value == 5 and table_2["D3"].number_format == "0.0"
    assert {"table_1", "table_3", "k_selection", "outcome_by_pattern"} <= set(book.sheetnames)


def test_workbook_text_that_looks_like_a_formula_is_never_evaluated() -> None:
    from mixedwai.joint.render.workbook import SheetTable, workbook_bytes

    risky = ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "-", "plain"]
    data = workbook_bytes([SheetTable("t", "=title", pd.DataFrame({"=col": risky}))])
    ws = openpyxl.load_workbook(io.BytesIO(data))["t"]
    cells = [ws["A1"], ws["A2"]] + [ws[f"A{i}"] for i in range(3, 9)]
    assert [c.value for c in cells] == ["=title", "=col", *risky]
    assert all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells if str(c.value)[:1] in "=+-@")
    assert not [c for c in cells if c.data_type == "f"]  # nothing was written as a formula


def test_clusters_scores_and_excluded_keep_the_ids_as_written(written: Path) -> None:
    sessions = pd.read_csv("sample_corpus/sessions.csv")
    as_written = set(sessions["case_id"])
    for name in ("clusters", "scores", "excluded"):
        frame = pd.read_csv(written / "tables" / f"{name}.csv")
        assert set(frame["case_id"]) <= as_written, name
    assert "ES#3_C1" in set(pd.read_csv(written / "tables" / "scores.csv")["case_id"])


def test_the_report_spells_case_ids_one_way(written: Path) -> None:
    page = (written / "report.md").read_text(encoding="utf-8")
    assert "ES#11_C4" in page
    assert not re.search(r"(?<![#\w/])ES\d+_C\d+(?![\w.])", page)  # file names aside


def test_member_checks_never_hold_another_es_clients(sample_run, written: Path) -> None:
    interviewed = sample_run.linked.interviewed
    ids = {c: f"ES#{c[2:].replace('_C', '_C')}" for c in interviewed.index}
    files = sorted((written / "member_checks").glob("*/*.docx"))
    assert len(files) == len(interviewed)
    for path in files:
        text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        mentioned = {c for c, shown in ids.items() if re.search(re.escape(shown) + r"(?!\d)",
                                                                text)}
        assert mentioned == {path.stem}, (path, mentioned)
        assert interviewed.at[path.stem, "es_id"] == path.parent.name


def test_member_check_of_one_es_gathers_only_their_interviews(linked) -> None:
    from mixedwai.joint.membercheck import member_check_document

    doc = member_check_document(linked, es_id="ES16")
    text = " ".join(getattr(b, "text", "") for b in doc.blocks)
    assert re.findall(r"ES#(\d+)_C", text) and set(re.findall(r"ES#(\d+)_C", text)) == {"16"}


def test_figures_are_300_dpi_png_svg_and_pdf_named_on_the_figure(written: Path) -> None:
    from PIL import Image

    for name in ("trajectories", "dendrogram"):
        png = Image.open(written / "figures" / f"{name}.png")
        assert round(png.info["dpi"][0]) == 300
        svg = (written / "figures" / f"{name}.svg").read_text(encoding="utf-8")
        assert "SHA" in svg and "LDA" in svg and "SLA" in svg  # names, not colour alone
        assert (written / "figures" / f"{name}.pdf").read_bytes()[:4] == b"%PDF"
