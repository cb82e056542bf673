"""Time and peak memory of mixedwai's Ward tree beside scipy and fastcluster, on WAI trajectories.

Data: realistic WAI trajectories. Each of ``n`` clients has a personal alliance
level and slope; at each of 3 sessions the ES answers 12 Likert items (1..7)
around that level (item difficulty, session noise, answer noise), and the
global score is the mean of the 12 items, a multiple of 1/12 as in the
reference study. The same seeded data go to every method.

Methods (each run in a fresh subprocess, so that peak memory is that run's):

* ``mixedwai``: :func:`mixedwai.quant.ward.tree.ward_tree` (deduplication, numba
  nearest-neighbour chain on the distinct rows, expansion to all rows);
* ``scipy``: ``scipy.cluster.hierarchy.linkage(X, "ward")`` (needs the
  condensed distance matrix: n (n - 1) / 2 doubles; run up to ``--scipy-max``);
* ``fastcluster``: ``fastcluster.linkage_vector(X, "ward")`` (O(n) memory, but
  every row is a point; run up to ``--fastcluster-max``);
* ``select_k``: ``ward_tree`` + :func:`mixedwai.quant.selection.rules.select_k`
  with the defaults (k = 2..6, silhouette on a 2000-case sample, 100 bootstrap
  replicates of at most 2000 cases);
* ``cluster``: :func:`mixedwai.quant.ward.clustering.cluster_trajectories` on the
  case-by-time matrix, everything included (tree, k selection, tie
  diagnostic, schedule, pattern names, profile table);
* ``ties``: the tie diagnostic alone (:func:`mixedwai.quant.ward.ties.tie_sensitivity`,
  k = 2..5, 20 runs with random tie-breaks, on a 10 000-case sample above
  10 000 cases: the default), then its k-means-refined comparison at k = 3;
* ``ties_all``: the same on all cases (``max_n=None``; run up to ``--ties-all-max``);
* ``refine``: :func:`mixedwai.quant.ward.refine.refine_kmeans` at k = 3 alone.

For ``ties``/``ties_all``/``refine`` the tree is built before the clock starts.
A second table gives what the diagnostic and the refinement found.

Time is wall-clock (and CPU) of the call after a warm-up that loads the
numba cache; memory is the peak resident set size of the subprocess
(``resource.getrusage``), and its increase over the peak before the call
(data loaded, libraries imported). The machine is shared: read the CPU column
when the wall column looks noisy.

Usage::

    python benchmarks/bench_ward.py [--sizes 1000 20000 100000 1000000]
        [--scipy-max 20000] [--fastcluster-max 100000] [--methods ...]
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
import numpy as np
sys.path.insert(0, sys.argv[3])
method, path = sys.argv[1], sys.argv[2]
X = np.load(path)

def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

if method == "mixedwai":
    from mixedwai.quant.ward.tree import ward_tree
    ward_tree(X[:50])
    run = lambda: ward_tree(X)
elif method == "scipy":
    from scipy.cluster.hierarchy import linkage
    run = lambda: linkage(X, "ward")
elif method == "fastcluster":
    import fastcluster
    run = lambda: fastcluster.linkage_vector(X, "ward")
elif method == "select_k":
    from mixedwai.quant.selection.rules import select_k
    from mixedwai.quant.ward.tree import ward_tree
    select_k(X[:50], ward_tree(X[:50]), n_boot=2)
    run = lambda: select_k(X, ward_tree(X))
elif method == "cluster":
    import pandas as pd
    from mixedwai.quant.ward.clustering import cluster_trajectories
    frame = pd.DataFrame(X, columns=[f"t{i + 1}" for i in range(X.shape[1])],
                         index=pd.Index([f"C{i}" for i in range(len(X))], name="case_id"))
    cluster_trajectories(frame.iloc[:50], n_boot=2)
    run = lambda: cluster_trajectories(frame)
elif method in ("ties", "ties_all"):
    from mixedwai.quant.ward.ties import tie_sensitivity
    from mixedwai.quant.ward.tree import ward_tree
    import sklearn.cluster  # noqa: F401  (imported before the clock starts)
    tree = ward_tree(X)
    max_n = 10_000 if method == "ties" else None
    def run():
        diag = tie_sensitivity(tree, [2, 3, 4, 5], n_seeds=20, max_n=max_n)
        info = {f"k{k}": [int(r.tied_merges), r.ari_median, r.ari_min]
                for k, r in diag.table.iterrows()}
        info["refined_k3"] = diag.refined(3)
        info["n_cases"] = int(diag.table["n_cases"].iloc[0])
        return info
elif method == "refine":
    from mixedwai.quant.ward.refine import refine_kmeans
    from mixedwai.quant.ward.tree import ward_tree
    tree = ward_tree(X)
    refine_kmeans(ward_tree(X[:50]), 3)
    def run():
        out = refine_kmeans(tree, 3)
        return {"r2_before": out.r2_before, "r2_after": out.r2_after,
                "moved": out.n_moved, "n_iter": out.n_iter}
else:
    raise SystemExit(f"unknown method {method}")
before = peak_mib()
t0, c0 = time.perf_counter(), time.process_time()
info = run()
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
info = info if isinstance(info, dict) else {}
print(json.dumps({"wall": wall, "cpu": cpu, "peak": peak_mib(), "before": before,
                  "info": info}))
"""


def wai_trajectories(n: int, *, sessions: int = 3, seed: int = 0) -> np.ndarray:
    """n realistic WAI global-score trajectories (means of 12 Likert items, 1..7)."""
    rng = np.random.default_rng(seed)
    level = rng.normal(5.4, 0.9, n)
    slope = rng.normal(0.0, 0.25, n)
    item_offset = rng.normal(0.0, 0.3, 12)
    out = np.empty((n, sessions))
    for s in range(sessions):
        latent = level + slope * (s - (sessions - 1) / 2) + rng.normal(0.0, 0.3, n)
        answers = latent[:, None] + item_offset[None, :] + rng.normal(0.0, 0.8, (n, 12))
        out[:, s] = np.clip(np.rint(answers), 1, 7).sum(axis=1) / 12
    return out


def distinct_rows(X: np.ndarray) -> tuple[int, int]:
    """Distinct direct and deviation trajectories (deviations rounded as mixedwai does)."""
    deviation = np.round(X - X.mean(axis=1, keepdims=True), 12) + 0.0
    return len(np.unique(X, axis=0)), len(np.unique(deviation, axis=0))


def run_child(method: str, path: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, method, str(path), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def print_findings(findings: list[tuple[int, str, dict]]) -> None:
    """What the tie diagnostic and the refinement found, per n."""
    if not findings:
        return
    print()
    print("| n | what | k = 2 | k = 3 | k = 4 | k = 5 | refined, k = 3 |")
    print("|---:|---|---|---|---|---|---|")
    for n, method, info in findings:
        if method == "refine":
            print(f"| {n:,} | k-means refinement at k = 3 | | R² {info['r2_before']:.4f} -> "
                  f"{info['r2_after']:.4f}, {info['moved']:,} cases moved, "
                  f"{info['n_iter']} iterations | | | |")
            continue
        cells = [
            f"{info[f'k{k}'][0]:,} tied merges; ARI median {info[f'k{k}'][1]:.2f}, "
            f"min {info[f'k{k}'][2]:.2f}"
            for k in (2, 3, 4, 5)
        ]
        refined = info["refined_k3"]
        print(f"| {n:,} | {method} ({info['n_cases']:,} cases) | " + " | ".join(cells)
              + f" | ARI median {refined[0]:.2f}, min {refined[1]:.2f} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000, 100000, 1000000])
    parser.add_argument("--scipy-max", type=int, default=20000)
    parser.add_argument("--fastcluster-max", type=int, default=100000)
    parser.add_argument("--ties-all-max", type=int, default=1000000)
    parser.add_argument(
        "--methods",
        nargs="+",
        default=[
            "mixedwai", "scipy", "fastcluster", "select_k", "cluster", "ties", "ties_all",
            "refine",
        ],
    )
    args = parser.parse_args(argv)

    print(f"# Ward benchmark: Python {platform.python_version()}, {platform.machine()}, "
          f"{platform.processor() or 'cpu'}")
    print()
    print("| n | distinct (direct) | distinct (deviation) | method | wall s | cpu s "
          "| peak MiB | + MiB | x mixedwai |")
    print("|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    findings: list[tuple[int, str, dict]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            X = wai_trajectories(n)
            path = Path(tmp) / f"wai_{n}.npy"
            np.save(path, X)
            direct, deviation = distinct_rows(X)
            base = None
            for method in args.methods:
                if method == "scipy" and n > args.scipy_max:
                    continue
                if method == "fastcluster" and n > args.fastcluster_max:
                    continue
                if method == "ties_all" and n > args.ties_all_max:
                    continue
                res = run_child(method, path)
                if "error" in res:
                    print(f"| {n:,} | {direct:,} | {deviation:,} | {method} | failed: "
                          f"{res['error']} | | | | |")
                    continue
                if method == "mixedwai":
                    base = res["wall"]
                if res.get("info"):
                    findings.append((n, method, res["info"]))
                ratio = f"{res['wall'] / base:.1f}" if base else ""
                print(
                    f"| {n:,} | {direct:,} | {deviation:,} | {method} | {res['wall']:.2f} "
                    f"| {res['cpu']:.2f} | {res['peak']:.0f} "
                    f"| {max(res['peak'] - res['before'], 0):.0f} | {ratio} |",
                    flush=True,
                )
    print_findings(findings)


if __name__ == "__main__":
    main()

