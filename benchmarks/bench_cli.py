"""Benchmark: `mixedwai cluster` at scale, stage by stage, beside the library call.

Data: n realistic WAI trajectories written as the files a user would have: a long
sessions table (one row per case and session, the 12 items answered 1..7 around
the client's alliance level and slope) and a cases table (a yes/no outcome, days
to it, a diagnosis and an age), so that every output of the command is made
(tables, crosstab and exact test, score tests, Tables 1 and 3, time to outcome,
both figures).

For each n the command runs in a fresh process (imports and numba's cache load
included), with ``MIXEDWAI_TIMINGS=1`` so that it reports its stages:

* ``reading``: the sessions and cases tables read and checked;
* ``analysis``: scoring, trajectories, Ward clustering with k selection,
  bootstrap stability and the tie diagnostic, pattern names, outcome tables;
* ``tables``: every CSV written; ``figures``: both PNGs drawn and written;
* ``other``: the rest of the wall time (interpreter start, imports, summary).

Beside it, :func:`mixedwai.quant.ward.clustering.cluster_trajectories` runs on
the same scores (the case x time matrix), as in ``bench_ward.py``'s ``cluster``
method, in its own process. Peak memory is the largest resident set of the
process (``ru_maxrss``).

    python benchmarks/bench_cli.py [--sizes 100000 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]

#: Runs a command and prints its peak resident set size (KiB) as the last line.
PEAK = r"""
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stdout.write(done.stdout); sys.stderr.write(done.stderr)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_utime + usage.ru_stime)
print(usage.ru_maxrss)
sys.exit(done.returncode)
"""

LIBRARY = r"""
import json, resource, sys, time
import pandas as pd
sys.path.insert(0, sys.argv[2])
from mixedwai.quant.ward.clustering import cluster_trajectories
import warnings; warnings.simplefilter("ignore")
matrix = pd.read_pickle(sys.argv[1])
cluster_trajectories(matrix.iloc[:50], n_boot=2)  # numba cache loaded before the clock
start, cpu = time.perf_counter(), time.process_time()
cluster_trajectories(matrix)
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"wall": wall, "cpu": cpu,
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def write_study(n: int, folder: Path, *, seed: int = 0) -> pd.DataFrame:
    """sessions.csv and cases.csv for n cases; returns the case x time matrix of scores."""
    rng = np.random.default_rng(seed)
    level = rng.normal(5.4, 0.9, n)
    slope = rng.normal(0.0, 0.25, n)
    offset = rng.normal(0.0, 0.3, 12)
    ids = np.array([f"ES{i // 50 + 1}_C{i % 50 + 1}" for i in range(n)], dtype=object)
    parts, matrix = [], np.empty((n, 3))
    for s in range(3):
        latent = level + slope * (s - 1) + rng.normal(0.0, 0.3, n)
        items = np.clip(np.rint(latent[:, None] + offset + rng.normal(0.0, 0.8, (n, 12))), 1, 7)
        matrix[:, s] = items.sum(axis=1) / 12
        frame = pd.DataFrame(items.astype(int), columns=[f"wai_{j}" for j in range(1, 13)])
        frame.insert(0, "session", s + 1)
        frame.insert(0, "case_id", ids)
        parts.append(frame)
    sessions = pd.concat(parts).sort_values(["case_id", "session"], kind="stable")
    sessions.to_csv(folder / "sessions.csv", index=False)
    job = rng.random(n) < 0.6
    pd.DataFrame({
        "case_id": ids, "job": np.where(job, "yes", "no"),
        "days_to_job": np.where(job, rng.integers(10, 120, n), np.nan),
        "diagnosis": rng.choice(["anxiety", "mood", "psychosis"], n),
        "age": rng.integers(18, 65, n),
    }).to_csv(folder / "cases.csv", index=False)
    return pd.DataFrame(matrix, columns=["t1", "t2", "t3"],
                        index=pd.Index(ids, name="case_id"))


def run_cli(folder: Path) -> dict[str, float]:
    env = {**os.environ, "MIXEDWAI_TIMINGS": "1", "PYTHONPATH": str(ROOT),
           "MPLBACKEND": "Agg"}
    command = [sys.executable, "-m", "mixedwai", "cluster", str(folder / "sessions.csv"),
               "--cases", str(folder / "cases.csv"), "--out", str(folder / "out")]
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK, *command], capture_output=True,
                          text=True, env=env, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"mixedwai cluster failed:\n{done.stderr[-2000:]}")
    lines = done.stdout.strip().splitlines()
    stages: dict[str, float] = {"wall": wall, "cpu": float(lines[-2]),
                                "peak": int(lines[-1]) / 1024}
    for line in done.stderr.splitlines():
        if line.startswith("mixedwai timings:"):
            for part in line.split(":", 1)[1].split():
                key, value = part.split("=")
                stages[key] = float(value)
    stages["other"] = wall - sum(stages.get(k, 0.0)
                                 for k in ("reading", "analysis", "tables", "figures"))
    stages["files"] = len([p for p in (folder / "out").iterdir() if not p.name.startswith(".")])
    return stages


def run_library(matrix: pd.DataFrame, folder: Path) -> dict[str, float]:
    path = folder / "matrix.pkl"
    matrix.to_pickle(path)
    done = subprocess.run([sys.executable, "-c", LIBRARY, str(path), str(ROOT)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--keep", type=Path, default=None,
                        help="Folder to keep the data and outputs in (default: temporary).")
    args = parser.parse_args(argv)
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(a loaded machine stretches wall times; cpu s is the command's own CPU time)")
    print("| n | cli wall s | cli cpu s | reading | analysis | tables | figures | other "
          "| peak MiB | files | library wall s | library cpu s | library peak MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        for n in args.sizes:
            folder = base / f"n{n}"
            folder.mkdir(parents=True, exist_ok=True)
            matrix = write_study(n, folder)
            cli = run_cli(folder)
            lib = run_library(matrix, folder)
            print(f"| {n:,} | {cli['wall']:.1f} | {cli['cpu']:.1f} | {cli.get('reading', 0):.1f} "
                  f"| {cli.get('analysis', 0):.1f} | {cli.get('tables', 0):.1f} "
                  f"| {cli.get('figures', 0):.1f} | {cli['other']:.1f} | {cli['peak']:.0f} "
                  f"| {cli['files']:.0f} | {lib['wall']:.1f} | {lib['cpu']:.1f} "
                  f"| {lib['peak']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
