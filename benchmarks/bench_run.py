"""Benchmark: `mixedwai run sample_corpus --out DIR` from a cold start, stage by stage.

"other" is the rest of the wall time: starting the interpreter, reading
study.yaml, loading spaCy pipelines outside the coding timer, and process exit.

Each repeat starts a fresh Python process (imports, spaCy pipeline and numba
compilation included, as a user's first run pays them) and reports the wall time
of the whole command beside the time of each stage (reading, scoring, clustering,
coding, displays, rendering), so the slow stage is visible.

    python benchmarks/bench_run.py [--repeats 3] [--study sample_corpus]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from mixedwai.joint.output import run_study
t_import = time.perf_counter() - t0
run, written = run_study(sys.argv[1], sys.argv[2])
print(json.dumps({"import": t_import, **run.timings, "files": len(written)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--study", default="sample_corpus")
    args = parser.parse_args()

    rows = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", CHILD, args.study, out],
                                  capture_output=True, text=True, check=True)
            wall = time.perf_counter() - start
        stages = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append({"wall": wall, **stages})

    stages = ["import", "reading", "scoring", "clustering", "coding", "displays", "rendering"]
    print(f"mixedwai run {args.study} (cold start, {args.repeats} runs; seconds)")
    print(f"{'stage':<12}" + "".join(f"{'run ' + str(i + 1):>9}" for i in range(len(rows)))
          + f"{'best':>9}")
    for row in rows:
        row["other"] = row["wall"] - sum(row.get(stage, 0.0) for stage in stages)
    for stage in [*stages, "other", "wall"]:
        values = [r.get(stage, 0.0) for r in rows]
        print(f"{stage:<12}" + "".join(f"{v:9.2f}" for v in values) + f"{min(values):9.2f}")
    best = min(r["wall"] for r in rows)
    print(f"files written: {rows[0]['files']}; best wall time {best:.2f} s "
          f"= {best / 15:.2f} x the 15 s budget")


if __name__ == "__main__":
    main()
