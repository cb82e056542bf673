"""Word files built for the hostile-input tests and the .docx benchmark.

The files are assembled as zip archives from a blank python-docx document, so that they
can hold what python-docx itself is slow to create (thousands of styles) or what Word
never writes (a member that expands thousands of times).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _blank_members() -> dict[str, bytes]:
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def many_styles_docx(path: Path, *, n_styles: int = 4000, n_paragraphs: int = 4000) -> Path:
    """A transcript whose paragraphs each use one of ``n_styles`` paragraph styles.

    python-docx looks a paragraph's style up by scanning every style, so reading this
    file's styles paragraph by paragraph costs ``n_styles * n_paragraphs`` steps.
    """
    members = _blank_members()
    styles = members["word/styles.xml"].decode("utf-8")
    added = "".join(
        f'<w:style w:type="paragraph" w:styleId="Speech{i}"><w:name w:val="Speech {i}"/>'
        f'<w:basedOn w:val="Normal"/></w:style>' for i in range(n_styles)
    )
    members["word/styles.xml"] = styles.replace("</w:styles>", added + "</w:styles>").encode()
    paragraphs = []
    for i in range(n_paragraphs):
        speaker, speech = ("Interviewer", "How did it go?") if i % 2 == 0 else (
            "Marie", f"It went well, I trusted her {i}.")
        paragraphs.append(
            f'<w:p><w:pPr><w:pStyle w:val="Speech{i % n_styles}"/></w:pPr>'
            f'<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{speaker}: </w:t></w:r>'
            f'<w:r><w:t>{escape(speech)}</w:t></w:r></w:p>'
        )
    document = members["word/document.xml"].decode("utf-8")
    start = document.index("<w:body>") + len("<w:body>")
    members["word/document.xml"] = (document[:start] + "".join(paragraphs)
                                    + document[start:]).encode()
    return _write(path, members)


def expanding_docx(path: Path, *, expanded: int = 400 * 1024 * 1024) -> Path:
    """A small .docx whose ``word/document.xml`` declares ``expanded`` bytes (a zip bomb).

    The member is written with a stream of spaces inside an XML comment, compressed with
    deflate (about 1000 to 1), so the file is a few hundred KB.
    """
    members = _blank_members()
    document = members.pop("word/document.xml")
    head, tail = document.split(b"<w:body>", 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(head + b"<w:body><!--")
            chunk = b" " * (1024 * 1024)
            for _ in range(expanded // len(chunk)):
                member.write(chunk)
            member.write(b"-->" + tail)
    return path


def entity_docx(path: Path, *, secret: Path, levels: int = 1) -> Path:
    """A .docx whose document.xml uses nested entities (``levels`` deep: 10**levels "lol"s,
    a billion laughs at 9) and an external one.

    The external entity names ``secret``, a local file: resolving it would copy the file's
    text into the transcript.
    """
    members = _blank_members()
    document = members["word/document.xml"].decode("utf-8")
    declaration_end = document.index("?>") + 2
    laughs = "".join(f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, levels + 1))
    dtd = (f'<!DOCTYPE w:document [<!ENTITY l0 "lol">{laughs}'
           f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>')
    start = document.index("<w:body>") + len("<w:body>")
    body = (f"<w:p><w:r><w:t>Interviewer: Hello &l{levels}; &xxe;</w:t></w:r></w:p>"
            "<w:p><w:r><w:t>Marie: Fine.</w:t></w:r></w:p>")
    members["word/document.xml"] = (document[:declaration_end] + dtd
                                    + document[declaration_end:start] + body
                                    + document[start:]).encode()
    return _write(path, members)
