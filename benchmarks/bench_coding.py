"""Words per second of ``code_corpus`` against the bare spaCy pipeline, in one run.

The corpus is the English sample interviews (``sample_corpus/transcripts``)
replicated to about a million words (copies get new doc ids and an empty
segment cache, so sentence splitting is paid for every copy, as for a freshly
loaded corpus). Both sides code it with the shipped English codebook
(``ross2008-en``):

* **bare**: ``nlp.pipe`` over the texts of the turns the codebook codes (the ES
  turns, collected before the clock starts) plus the same three matchers, the
  hits kept in a list; no segments, no offsets, no table;
* **mixedwai**: ``code_corpus(corpus, codebook)``, everything included
  (speaker selection, sentence segmentation, mapping hits to sentences, the
  DataFrame).

Each side runs ``--repeat`` times, alternating, after one warm-up; the best
time of each is reported. ``code_corpus`` pauses Python's cyclic garbage
collector while it runs, so the bare runs do too (same conditions). Words are
the words spoken in the whole corpus (:attr:`Transcript.word_count`, interviewer
included), so all rates divide the same number.

Usage::

    python benchmarks/bench_coding.py [--words 1000000] [--repeat 3] [--unit sentence]
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build_corpus(target_words: int) -> list:
    """The English sample transcripts, copied until they hold ``target_words`` words."""
    from mixedwai.qual.transcripts.loading import load_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sample = [t for t in load_corpus(ROOT / "sample_corpus" / "transcripts")
                  if (t.language or "en") == "en"]
    copies = []
    words = 0
    k = 0
    while words < target_words:
        for transcript in sample:
            copies.append(transcript.model_copy(update={"doc_id": f"{transcript.doc_id}~{k}"}))
            words += transcript.word_count
        k += 1
    return copies


def fresh(corpus: list) -> list:
    """Copies without cached segments (as if just loaded)."""
    return [t.model_copy() for t in corpus]


def clock() -> tuple[float, float]:
    """Wall-clock and CPU seconds (the machine may be shared: CPU time is steadier)."""
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float]) -> tuple[float, float]:
    now = clock()
    return now[0] - start[0], now[1] - start[1]


def bare_spacy(texts: list[str], compiled, batch_size: int) -> tuple[tuple[float, float], int]:
    """``nlp.pipe`` + the two PhraseMatchers + one Matcher holding every pattern."""
    from mixedwai.qual.coding.execution import _gc_paused

    with _gc_paused():
        return _bare_spacy(texts, compiled, batch_size)


def _bare_spacy(texts: list[str], compiled, batch_size: int) -> tuple[tuple[float, float], int]:
    matchers = [m for m in (compiled.phrase_matcher, compiled.lemma_matcher,
                            compiled.token_matcher) if m is not None]
    hits = []
    start = clock()
    for doc in compiled.nlp.pipe(texts, batch_size=batch_size):
        for matcher in matchers:
            hits.extend(matcher(doc))
    return since(start), len(hits)


def bare_engine(texts: list[str], compiled, batch_size: int) -> tuple[tuple[float, float], int]:
    """``nlp.pipe`` + mixedwai's matching (``CompiledCodebook.matches``), nothing else."""
    from mixedwai.qual.coding.execution import _gc_paused

    with _gc_paused():
        return _bare_engine(texts, compiled, batch_size)


def _bare_engine(texts: list[str], compiled, batch_size: int) -> tuple[tuple[float, float], int]:
    hits = []
    start = clock()
    for doc in compiled.nlp.pipe(texts, batch_size=batch_size):
        hits.extend(compiled.matches(doc))
    return since(start), len(hits)


def mixedwai_run(
    corpus: list, codebook, unit: str, batch_size: int
) -> tuple[tuple[float, float], int]:
    from mixedwai.qual.coding.apply import code_corpus

    start = clock()
    codings = code_corpus(corpus, codebook, unit=unit, batch_size=batch_size)
    return since(start), len(codings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--unit", default="sentence", choices=["sentence", "turn", "paragraph"])
    parser.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args(argv)

    import spacy

    from mixedwai.qual.codebook.loading import load_codebook
    from mixedwai.qual.coding.matchers import compile_codebook

    codebook = load_codebook("ross2008-en")
    compiled = compile_codebook(codebook)
    corpus = build_corpus(args.words)
    words = sum(t.word_count for t in corpus)
    wanted = {s.casefold() for s in (codebook.speakers or [])}
    texts = [turn.text for t in corpus for turn in t.turns
             if not wanted or turn.role.casefold() in wanted or turn.speaker.casefold() in wanted]
    coded_words = sum(len(text.split()) for text in texts)

    print(f"python {platform.python_version()}, spaCy {spacy.__version__}, "
          f"{platform.machine()} ({platform.processor() or 'cpu'})")
    who = ", ".join(codebook.speakers or ["everyone"])
    print(f"corpus: {len(corpus)} transcripts, {words:,} words spoken, "
          f"{coded_words:,} in the {len(texts):,} turns coded ({who})")
    print(f"codebook: {codebook.name} ({compiled.n_ruled} codes with rules), unit {args.unit}")

    bare_spacy(texts[:2000], compiled, args.batch_size)  # warm-up
    bare_engine(texts[:2000], compiled, args.batch_size)
    mixedwai_run(fresh(corpus[:20]), codebook, args.unit, args.batch_size)
    times: dict[str, list[tuple[float, float]]] = {"spacy": [], "engine": [], "mixedwai": []}
    counts: dict[str, int] = {}
    for _ in range(args.repeat):
        gc.collect()
        seconds, counts["spacy"] = bare_spacy(texts, compiled, args.batch_size)
        times["spacy"].append(seconds)
        gc.collect()
        seconds, counts["engine"] = bare_engine(texts, compiled, args.batch_size)
        times["engine"].append(seconds)
        copies = fresh(corpus)
        gc.collect()
        seconds, counts["mixedwai"] = mixedwai_run(copies, codebook, args.unit, args.batch_size)
        times["mixedwai"].append(seconds)
    wall = {name: min(t[0] for t in values) for name, values in times.items()}
    cpu = {name: min(t[1] for t in values) for name, values in times.items()}
    labels = {
        "spacy": "bare: nlp.pipe + spaCy matchers (one Matcher)",
        "engine": "bare: nlp.pipe + mixedwai's matchers",
        "mixedwai": "code_corpus (everything)",
    }
    units = {"spacy": "hits", "engine": "hits", "mixedwai": "codings"}
    print(f"{'(best of ' + str(args.repeat) + ')':48s} {'wall s':>7s} {'words/s':>10s}"
          f" {'CPU s':>7s} {'words/s':>10s}")
    for name, label in labels.items():
        print(f"{label:48s} {wall[name]:7.2f} {words / wall[name]:10,.0f}"
              f" {cpu[name]:7.2f} {words / cpu[name]:10,.0f}  ({counts[name]:,} {units[name]})")
    for clock_name, best in (("wall", wall), ("CPU", cpu)):
        overhead = 100 * (best["mixedwai"] - best["engine"]) / best["engine"]
        speedup = best["spacy"] / best["mixedwai"]
        print(f"{clock_name}: mixedwai's own overhead (code_corpus vs the same matchers bare) "
              f"{overhead:+.1f} %; code_corpus is {speedup:.2f}x as fast as nlp.pipe + one "
              "spaCy Matcher")
    for name in labels:
        print(f"  all times {name} (wall/CPU s): "
              + ", ".join(f"{w:.2f}/{c:.2f}" for w, c in times[name]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
