"""Seconds to export and import a REFI-QDA project of 200 sources and 100,000 selections.

The project is built from seeded random interviews: each source is a transcript of
alternating ``Interviewer:`` / ``ES:`` turns (about 25,000 characters, with a few
emoji so that the UTF-16 counting differs from code points), coded with 500
selections on word boundaries, each with one code of the shipped English codebook
(``ross2008-en``) and one of three coders. Two cases' variables per source are
added.

* **export**: ``write_qdpx`` (XML, texts, zip), code-point positions;
* **export utf16**: the same with UTF-16 positions;
* **import**: ``read_qdpx`` of the first export, everything included (safe
  archive reading, XML, convention detection on every source, the selection checks,
  transcripts cut into turns, the codings table with segments);
* **import utf16**: ``read_qdpx`` of the UTF-16 export (the convention is found).

Each step runs ``--repeat`` times; the best wall and CPU times are reported (on a
shared machine the CPU time is the steadier figure).

Usage::

    python benchmarks/bench_qdpx.py [--sources 200] [--selections 100000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = (
    "we", "talked", "about", "the", "job", "search", "and", "she", "trusted", "me", "more",
    "after", "the", "second", "meeting", "but", "the", "anxiety", "came", "back", "when",
    "the", "interview", "was", "near", "so", "we", "agreed", "on", "small", "steps", "like",
    "calling", "one", "employer", "each", "week",
)


def build(n_sources: int, n_selections: int, seed: int):
    import pandas as pd

    from mixedwai.qual.codebook.loading import load_codebook
    from mixedwai.qual.transcripts.corpus import Corpus
    from mixedwai.qual.transcripts.model import Transcript

    rng = random.Random(seed)
    codebook = load_codebook("ross2008-en")
    codes = codebook.code_ids
    per_source = n_selections // n_sources
    transcripts, rows, cases = [], [], []
    for i in range(n_sources):
        lines = []
        for turn in range(60):
            speaker = "Interviewer" if turn % 2 == 0 else "ES"
            words = [rng.choice(WORDS) for _ in range(rng.randint(20, 90))]
            if rng.random() < 0.2:
                words.insert(rng.randrange(len(words)), "😀")
            lines.append(f"{speaker}: {' '.join(words)}.")
        doc_id = f"ES{i // 10 + 1}_C{i % 10 + 1}"
        transcript = Transcript.from_text("\n".join(lines), doc_id=doc_id)
        transcripts.append(transcript)
        text = transcript.text
        starts = [m for m in range(1, len(text)) if text[m - 1] == " " and text[m].isalpha()]
        for _ in range(per_source):
            a = rng.choice(starts)
            b = text.find(" ", a + rng.randint(5, 200))
            b = len(text) if b == -1 else b
            if not text[b - 1].isalnum():
                b -= 1
            rows.append((doc_id, a, b, rng.choice(codes), rng.choice(["AL", "Jo", "mixedwai"])))
        cases.append((transcript.case_id, rng.choice(["SHA", "SLA", "LDA"]), rng.random() < 0.6))
    codings = pd.DataFrame(rows, columns=["doc_id", "start", "end", "code_id", "coder"])
    case_table = pd.DataFrame(cases, columns=["case_id", "pattern", "job"]).set_index("case_id")
    return Corpus(transcripts), codings, codebook, case_table


def best(fn, repeat: int) -> tuple[float, float]:
    """Best wall time and best CPU time (seconds) of ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--selections", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from mixedwai.exchange.reading import read_qdpx
    from mixedwai.exchange.writing import write_qdpx

    corpus, codings, codebook, cases = build(args.sources, args.selections, args.seed)
    chars = sum(len(t.text) for t in corpus)
    print(f"python {platform.python_version()}, {len(corpus)} sources, {chars:,} characters, "
          f"{len(codings):,} selections")
    with tempfile.TemporaryDirectory() as tmp:
        plain, utf16 = Path(tmp) / "p.qdpx", Path(tmp) / "u.qdpx"
        results = {
            "export": best(lambda: write_qdpx(plain, corpus, codings=codings,
                                              codebook=codebook, cases=cases), args.repeat),
            "export utf16": best(lambda: write_qdpx(utf16, corpus, codings=codings,
                                                    codebook=codebook, cases=cases,
                                                    positions="utf16"), args.repeat),
        }
        projects = {}

        def read(path, key):
            projects[key] = read_qdpx(path)

        results["import"] = best(lambda: read(plain, "plain"), args.repeat)
        results["import utf16"] = best(lambda: read(utf16, "utf16"), args.repeat)
        size = plain.stat().st_size
    for name, (wall, cpu) in results.items():
        print(f"{name:>13}: {wall:6.2f} s wall, {cpu:6.2f} s CPU")
    print(f"archive: {size / 1e6:.1f} MB; imported codings: {len(projects['plain'].codings):,} "
          f"(utf16: {len(projects['utf16'].codings):,}, counting found: "
          f"{sorted(set(projects['utf16'].sources['counting']))})")


if __name__ == "__main__":
    main()
