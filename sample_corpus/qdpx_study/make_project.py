"""Write ``coded.qdpx``: the sample interviews coded by two people, as a QDA program exports them.

The codings are in ``people_codings.csv``: one row per coded passage, the passage
given by its words (``quote``) rather than by offsets, so that a reader can check
each one against the interview. This script finds each quote in its transcript
(exactly once, or it stops), and writes the transcripts, the shipped English
codebook's code tree and the codings as a REFI-QDA project with
:func:`mixedwai.write_qdpx`. The codings are invented for the example, like the
interviews: two fictional coders, Isabelle and Marc.

Same inputs, same bytes: ``tests/joint/test_qdpx_study.py`` checks that the shipped
``coded.qdpx`` is what this script writes.

Usage::

    python sample_corpus/qdpx_study/make_project.py [--out sample_corpus/qdpx_study/coded.qdpx]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))


def project_bytes() -> bytes:
    """The bytes of ``coded.qdpx``."""
    import pandas as pd

    from mixedwai.errors import EncodingFallbackWarning
    from mixedwai.exchange.writing import qdpx_bytes
    from mixedwai.qual.codebook.loading import load_codebook
    from mixedwai.qual.transcripts.loading import load_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EncodingFallbackWarning)  # the cp1252 interview
        corpus = load_corpus(HERE.parent / "transcripts")
    quotes = pd.read_csv(HERE / "people_codings.csv", dtype=str, keep_default_na=False)
    rows, problems = [], []
    for number, row in enumerate(quotes.itertuples(index=False), start=2):
        text = corpus[row.doc_id].text
        quote = row.quote.replace("\r\n", "\n")
        start = text.find(quote)
        if start == -1 or text.find(quote, start + 1) != -1:
            problems.append(f"people_codings.csv row {number}: {row.quote!r} is "
                            f"{'not' if start == -1 else 'more than once'} in {row.doc_id}")
            continue
        rows.append((row.doc_id, start, start + len(quote), row.code_id, row.coder))
    if problems:
        raise SystemExit("\n".join(problems))
    codings = pd.DataFrame(rows, columns=["doc_id", "start", "end", "code_id", "coder"])
    return qdpx_bytes(corpus, codings=codings, codebook=load_codebook("ross2008-en"),
                      name="Sample interviews coded by hand")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "coded.qdpx")
    args = parser.parse_args()
    from mixedwai.io import write_bytes

    data = project_bytes()
    write_bytes(data, args.out)
    print(f"wrote {args.out} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
