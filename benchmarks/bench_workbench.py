"""Words per second of the workbench: search, word frequencies, keyness, pseudonymisation.

The corpus is the English sample interviews (``sample_corpus/transcripts``)
replicated to about ``--words`` words (copies get new doc ids and case ids, so
sentence splitting is paid for every copy). Each step runs ``--repeat`` times
after one warm-up; the best wall-clock and CPU times are reported, with the
words per CPU second. Words are those spoken in the whole corpus
(:attr:`Transcript.word_count`).

* ``search words``: ``search(corpus, "trust")`` (a phrases rule);
* ``search wildcard``: ``search(corpus, "trust*")`` (a Matcher pattern with REGEX);
* ``word_frequencies``: lemmas by case, stop words removed;
* ``keyness``: every case against the others, on that table;
* ``pseudonymise``: five names replaced in the corpus in memory.

Usage::

    python benchmarks/bench_workbench.py [--words 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def corpus_of(words: int) -> list:
    from mixedwai.qual.transcripts.loading import load_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sample = [t for t in load_corpus(ROOT / "sample_corpus" / "transcripts")
                  if (t.language or "en") == "en"]
    copies, total, k = [], 0, 0
    while total < words:
        for transcript in sample:
            copies.append(transcript.model_copy(update={
                "doc_id": f"{transcript.doc_id}~{k}", "case_id": f"{transcript.case_id}_{k}"}))
            total += transcript.word_count
        k += 1
    return copies


def best(step, repeat: int) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds (the machine may be shared: CPU is steadier)."""
    step()  # warm-up (pipelines, matchers)
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        step()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from mixedwai.qual.pseudonyms import pseudonymise
    from mixedwai.qual.retrieval.frequencies import keyness, word_frequencies
    from mixedwai.qual.retrieval.search import search
    from mixedwai.qual.transcripts.corpus import Corpus

    documents = corpus_of(args.words)
    words = sum(t.word_count for t in documents)
    corpus = Corpus(documents)
    table = word_frequencies(corpus, by="case_id")
    names = {"Kevin": "C1", "Julie": "ES-A", "Denise": "C2", "Karim": "C3", "Léa": "C4"}
    steps = {
        "search words": lambda: search(corpus, "trust"),
        "search wildcard": lambda: search(corpus, "trust*"),
        "word_frequencies": lambda: word_frequencies(corpus, by="case_id"),
        "keyness": lambda: keyness(table),
        "pseudonymise": lambda: pseudonymise(corpus, names),
    }
    print(f"{len(documents)} transcripts, {words} words; Python {platform.python_version()}, "
          f"{platform.machine()}")
    for name, step in steps.items():
        wall, cpu = best(step, args.repeat)
        print(f"{name:18s} wall {wall:7.2f} s  cpu {cpu:7.2f} s  "
              f"{words / cpu:12,.0f} words/s (cpu)")


if __name__ == "__main__":
    main()
