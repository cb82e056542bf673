"""Time of ``mw.agreement`` on many coders and segments (budget: 10 coders x 100,000 in 10 s).

The data are synthetic and seeded: ``--docs`` documents of equal length cut into
``--segments`` segments in all (a units table, as :func:`coding_units` returns), a
codebook of ``--codes`` codes in 4 categories, and ``--coders`` coders who each
follow a common "true" coding (each code present in about 5 % of the segments, at
most one code per segment in two of the categories, so they are compared as nominal
variables), miss 10 % of its codes and add a code where there is none in 0.5 % of the
(segment, code) pairs. Each coding is one segment's span.

Reported (wall and CPU time), best of ``--repeat`` runs after one warm-up: the whole
``agreement`` call (checking the codings, mapping them to segments, every row of the table with its
bootstrap interval, the disagreements table, and the validation table against the
first coder), and, separately, the units step alone (:func:`unit_codings`).

Usage::

    python benchmarks/bench_agreement.py [--coders 10] [--segments 100000] [--codes 20]
        [--docs 100] [--n-boot 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build(n_coders: int, n_segments: int, n_codes: int, n_docs: int, seed: int = 0):
    """Units table, codings table and a codebook, seeded."""
    import numpy as np
    import pandas as pd

    from mixedwai.qual.codebook.model import Codebook

    rng = np.random.default_rng(seed)
    per_doc = n_segments // n_docs
    doc = np.repeat(np.arange(n_docs), per_doc)
    position = np.tile(np.arange(per_doc), n_docs)
    start = position * 50
    units = pd.DataFrame({
        "doc_id": [f"doc{d:04d}" for d in doc], "case_id": None,
        "segment_id": [f"t{p}" for p in position], "speaker": "ES", "role": "ES",
        "start": start, "end": start + 45, "text": "",
    })
    codes = [f"code{k:02d}" for k in range(n_codes)]
    groups = np.array_split(np.arange(n_codes), 4)
    truth = rng.random((len(units), n_codes)) < 0.05
    for group in groups[:2]:  # one code at most per segment in categories 0 and 1
        chosen = rng.integers(0, len(group) * 4, size=len(units))  # 1/4 of segments coded
        truth[:, group] = False
        coded = chosen < len(group)
        truth[np.flatnonzero(coded), group[chosen[coded]]] = True
    rows = []
    for c in range(n_coders):
        noise = rng.random(truth.shape)
        judged = np.where(truth, noise >= 0.10, noise < 0.005)  # miss 10 %, add 0.5 %
        for group in groups[:2]:  # keep those categories exclusive for every coder
            block = judged[:, group]
            several = block.sum(axis=1) > 1
            block[several] = truth[several][:, group]
            judged[:, group] = block
        unit_index, code_index = np.nonzero(judged)
        rows.append(pd.DataFrame({
            "doc_id": units["doc_id"].to_numpy()[unit_index],
            "start": units["start"].to_numpy()[unit_index],
            "end": units["end"].to_numpy()[unit_index],
            "code_id": np.asarray(codes)[code_index], "coder": f"coder{c:02d}",
        }))
    codings = pd.concat(rows, ignore_index=True)
    codebook = Codebook.model_validate({
        "name": "bench", "version": "1", "language": "en", "unit": "turn",
        "categories": [
            {"id": f"cat{g}", "label": f"Category {g}",
             "codes": [{"id": codes[k], "label": codes[k], "definition": "x"} for k in group]}
            for g, group in enumerate(groups)
        ],
    })
    return units, codings, codebook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--coders", type=int, default=10)
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--codes", type=int, default=20)
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from mixedwai.qual.agreement.reliability import agreement
    from mixedwai.qual.agreement.units import unit_codings

    units, codings, codebook = build(args.coders, args.segments, args.codes, args.docs)
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{args.coders} coders x {len(units):,} segments, {args.codes} codes, "
          f"{len(codings):,} codings, {args.n_boot} bootstrap resamples")

    def whole():
        return agreement(codings, units, codebook=codebook, n_boot=args.n_boot,
                         reference="coder00")

    def units_only():
        return unit_codings(codings, units, codes=codebook.code_ids)

    result = whole()  # warm-up
    units_only()
    best = {"whole": (float("inf"), float("inf")), "units": (float("inf"), float("inf"))}
    for _ in range(args.repeat):
        for name, run in (("whole", whole), ("units", units_only)):
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    best_whole = best["whole"][0]
    overall = result.table.iloc[-1]
    categories = int((result.table["level"] == "category").sum())
    print(f"agreement (table with {len(result.table)} rows incl. {categories} categories, "
          f"{len(result.disagreements):,} disagreements, validation): "
          f"{best['whole'][0]:.2f} s wall, {best['whole'][1]:.2f} s CPU")
    print(f"  of which units (codings -> segments): {best['units'][0]:.2f} s wall, "
          f"{best['units'][1]:.2f} s CPU")
    print(f"overall alpha {overall['krippendorff_alpha']:.3f} "
          f"[{overall['alpha_low']:.3f}, {overall['alpha_high']:.3f}]")
    print("budget: 10 s for 10 coders x 100,000 segments:",
          "met" if best_whole < 10 else "NOT met")


if __name__ == "__main__":
    main()
