"""Seconds to read a .docx transcript with thousands of paragraph styles.

python-docx's ``paragraph.style`` scans every style of the document for every paragraph,
so a transcript whose paragraphs use many styles (Word files converted from other tools
often carry thousands) took minutes to read: issue 15 measured more than 4 minutes for a
441 KB file. ``load_docx`` now reads the styles once. This script builds such a file
(:func:`tests.hostile.docx_files.many_styles_docx`) and prints the time of ``load_docx``
and, for comparison, of python-docx's own per-paragraph style lookup.

Usage::

    python benchmarks/bench_docx.py [--styles 4000] [--paragraphs 4000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mixedwai.qual.transcripts.loaders.docx import load_docx
from tests.hostile.docx_files import many_styles_docx


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--styles", type=int, default=4000)
    parser.add_argument("--paragraphs", type=int, default=4000)
    args = parser.parse_args()
    import docx

    with tempfile.TemporaryDirectory() as folder:
        path = many_styles_docx(Path(folder) / "ES3_C1.docx", n_styles=args.styles,
                                n_paragraphs=args.paragraphs)
        size = path.stat().st_size
        started = time.perf_counter()
        raw = load_docx(path)
        ours = time.perf_counter() - started
        started = time.perf_counter()
        names = [p.style.name for p in docx.Document(str(path)).paragraphs]
        theirs = time.perf_counter() - started
    print(f"file: {size / 1024:.0f} KB, {args.styles} styles, {args.paragraphs} paragraphs, "
          f"{len(raw.turns)} turns")
    print(f"load_docx:                           {ours:8.2f} s")
    print(f"python-docx paragraph.style for all: {theirs:8.2f} s ({len(names)} paragraphs)")


if __name__ == "__main__":
    main()
