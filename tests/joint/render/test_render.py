"""Renderers: Markdown, self-contained HTML, real Word tables, reproducible bytes."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import docx
import pandas as pd
import pytest
from docx.enum.section import WD_ORIENT

from mixedwai.joint.displays.tables import JointDisplay
from mixedwai.joint.render.document import Document
from mixedwai.joint.render.formats import (
    frame_to_markdown,
    render_html,
    render_markdown,
    sparkline_text,
)
from mixedwai.joint.render.word import render_docx


@pytest.fixture()
def display() -> JointDisplay:
    table = pd.DataFrame({
        "Case": ["ES#1_C1", "ES#1_C2"],
        "Trajectory": [(6.5, 6.6, 6.7), (6.6, 6.0, 5.5)],
        "Key quote": ["“We agreed quickly.” — ES#1_C1", "plain | text\nsecond line"],
    })
    return JointDisplay("demo", "Demo display", table.assign(n=[1, 2]), table,
                        ["A note."], landscape=True, row_key="case_id")


def _document(display: JointDisplay) -> Document:
    return (Document("Report").heading("Section").paragraph("Text <b>not bold</b>.")
            .table(display).figure("A figure", _tiny_png()))


def _tiny_png() -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1, 1))
    ax.plot([1, 2], [1, 2])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def test_markdown_escapes_pipes_and_keeps_line_breaks(display: JointDisplay) -> None:
    text = frame_to_markdown(display.table)
    assert "plain \\| text<br>second line" in text
    assert text.splitlines()[1] == "|---|---|---|"
    assert sparkline_text((5.5, 6.7), lo=5.5, hi=6.7) in text or "▁" in text


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith(("data:", "#")):
                self.external.append(value)
        if tag in ("link", "script", "iframe"):
            self.external.append(tag)


def test_html_parses_and_references_nothing_external(display: JointDisplay) -> None:
    page = render_html(_document(display))
    parser = _Collector()
    parser.feed(page)
    assert parser.external == []
    assert "table" in parser.tags and "svg" in parser.tags and "img" in parser.tags
    assert "&lt;b&gt;not bold&lt;/b&gt;" in page
    assert '<span class="quote">“We agreed quickly.”' in page


def test_docx_has_real_tables_header_row_landscape_and_italic_quotes(display) -> None:
    data = render_docx(_document(display))
    word = docx.Document(io.BytesIO(data))
    assert len(word.tables) == 1
    table = word.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Case", "Trajectory", "Key quote"]
    assert table.rows[0]._tr.trPr.xpath("./w:tblHeader")
    assert any(s.orientation == WD_ORIENT.LANDSCAPE for s in word.sections)
    quote_runs = [r for p in table.rows[1].cells[2].paragraphs for r in p.runs]
    assert quote_runs and all(r.italic for r in quote_runs)
    assert len(word.inline_shapes) == 3  # two sparklines and the figure


def test_renderers_are_deterministic(display: JointDisplay) -> None:
    assert render_docx(_document(display)) == render_docx(_document(display))
    assert render_html(_document(display)) == render_html(_document(display))
    assert render_markdown(_document(display)) == render_markdown(_document(display))


def test_characters_xml_cannot_hold_are_replaced_in_every_format() -> None:
    import io
    import zipfile

    import docx
    import openpyxl

    from mixedwai.joint.render.document import REPLACEMENT, xml_safe
    from mixedwai.joint.render.formats import render_html, render_markdown
    from mixedwai.joint.render.word import render_docx
    from mixedwai.joint.render.workbook import document_workbook

    bad = "a\x00b\x01c\x1bd\x0be\x0cf\ud800g\ufffeh\tI\nJ\rK"
    assert xml_safe(bad) == "a" + REPLACEMENT * 1 + "b" + REPLACEMENT + "c" + REPLACEMENT + \
        "d" + REPLACEMENT + "e" + REPLACEMENT + "f" + REPLACEMENT + "g" + REPLACEMENT + \
        "h\tI\nJ\rK"
    doc = Document(bad).heading(bad).paragraph(bad).bullets([bad])
    doc.table(pd.DataFrame({bad: [bad, 1.5]}), bad, (bad,))
    word = docx.Document(io.BytesIO(render_docx(doc)))
    assert "a\ufffdb\ufffdc" in word.paragraphs[0].text
    book = openpyxl.load_workbook(io.BytesIO(document_workbook(doc)))
    assert any("a\ufffdb" in str(c.value) for ws in book.worksheets for r in ws.iter_rows()
               for c in r)
    for text in (render_html(doc), render_markdown(doc)):
        text.encode("utf-8")  # no lone surrogate left
        assert "\x00" not in text and "\x1b" not in text and "a\ufffdb" in text
    assert zipfile.ZipFile(io.BytesIO(render_docx(doc))).testzip() is None


def test_a_title_longer_than_word_properties_hold_is_cut_there_only() -> None:
    import io

    import docx

    from mixedwai.joint.render.word import render_docx

    title = "Member check ES#1_" + "C" * 300
    word = docx.Document(io.BytesIO(render_docx(Document(title).paragraph("x"))))
    assert len(word.core_properties.title) == 255
    assert word.core_properties.title.endswith("…")
    assert word.paragraphs[0].text == title  # the page shows it whole


def test_markdown_escapes_links_images_and_raw_html_of_the_text() -> None:
    from mixedwai.joint.render.formats import markdown_text, render_markdown

    assert markdown_text("![img](http://x) <b> \\[") == "!\\[img\\](http://x) \\<b> \\\\\\["
    doc = Document("<h1>T</h1>").paragraph("[a](javascript:alert(1))")
    doc.table(pd.DataFrame({"<i>c</i>": ["<img src=x onerror=alert(1)>"]}), "[t](x)")
    text = render_markdown(doc)
    assert "# \\<h1>T\\</h1>" in text and "\\[a\\](javascript:alert(1))" in text
    assert "\\<img src=x onerror=alert(1)>" in text and "**\\[t\\](x)**" in text


def test_a_table_too_wide_for_the_page_is_printed_in_parts_that_fit() -> None:
    from docx.shared import Length

    from mixedwai.joint.render.word import _width_bounds, column_groups

    frame = pd.DataFrame({"Pattern": ["stable high (SHA)", "linear decrease (LDA)"],
                          **{f"Theme number {i}": ["4/5 (80 %) “Extraordinarily "
                                                   "long-winded quotation”", "1/3 (33 %)"]
                             for i in range(14)}})
    available = 9.0 * 72  # landscape A4 text width, roughly
    groups = column_groups(frame, available)
    assert len(groups) > 1
    assert all(g[0] == 0 for g in groups)  # the row labels repeat in every part
    assert sorted(j for g in groups for j in g[1:]) == list(range(1, 15))
    _, minimum = _width_bounds(frame, 9.0)
    assert all(sum(minimum[j] for j in g) <= available for g in groups)
    doc = Document("Wide").table(frame, "A display of 14 themes")
    word = docx.Document(io.BytesIO(render_docx(doc)))  # a portrait page: narrower
    section = word.sections[0]
    page = Length(section.page_width - section.left_margin - section.right_margin).pt
    parts = column_groups(frame, page)
    assert len(word.tables) == len(parts) > len(groups)
    assert [t.rows[0].cells[0].text for t in word.tables] == ["Pattern"] * len(parts)
    captions = [p.text for p in word.paragraphs if p.text.startswith("Table 1, part")]
    assert captions == [f"Table 1, part {k} of {len(parts)}" for k in range(1, len(parts) + 1)]
    for table in word.tables:  # every part fits the page width
        assert sum(Length(c.width).pt for c in table.rows[0].cells) <= page + 1


def test_a_count_with_a_quote_below_is_text_that_wraps_not_a_number() -> None:
    from mixedwai.joint.render.formats import frame_to_html, is_numeric_text

    cell = "5/5 (100 %)\n“Not my whole story, but I said, when you told me about the fight.”"
    assert not is_numeric_text(cell) and is_numeric_text("5/5 (100 %)")
    page = frame_to_html(pd.DataFrame({"Pattern": ["SHA"], "n (%)": ["5 (27.8 %)"],
                                       "Awareness": [cell]}))
    cells = page.split("<td")
    assert 'class="num"' in cells[1] and 'class="num"' not in cells[2]
