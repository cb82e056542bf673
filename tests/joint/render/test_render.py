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
