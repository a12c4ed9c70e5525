"""REML random-effects fit: our engine against metafor's rma.uni and PyMARE, on the same data.

For k = 10, 77, 1,000 and 10,000 (and 100,000 for ours alone, to see the growth in k) one seeded
data set is fitted by

- ours:    ``analysis.stats.rma(yi, vi)`` (REML, z test). The result carries the CI, PI, tau2,
           its Q-profile CI, I2, H2 and Q: everything below is measured against that.
- metafor: ``rma.uni(yi, vi)`` + ``predict()``, timed inside R (start-up excluded) with its
           default control, with the converged control we match (threshold/tol 1e-12), and
           converged + ``confint()`` (the tau2 CI, which our result includes).
- PyMARE:  ``VarianceBasedLikelihoodEstimator("REML", small_sample_correction="wald")``, the fit
           alone, and fit + ``summary()`` with ``get_fe_stats``, ``get_re_stats`` (Q-profile tau2
           CI) and ``get_heterogeneity_stats``. PyMARE has no prediction interval.

Each timing is the median over up to 7 batches of the mean time per fit, a batch lasting at least
0.2 s. A metafor run that has not produced one fit within --cap seconds is killed and reported as
not finished.

Usage (from the repo root):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python benchmarks/bench_rma.py [--cap 120]
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.stats import rma  # noqa: E402

R_SCRIPT = Path(__file__).with_name("rma_metafor.R")
KS = (10, 77, 1_000, 10_000)
KS_OURS_ONLY = (100_000,)
BATCH_SECONDS = 0.2
MAX_BATCHES = 7


def make_data(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Log odds ratio-like effects: study sizes 20-400, true tau2 = 0.05."""
    rng = np.random.default_rng(1000 + k)
    n = rng.integers(20, 401, k)
    vi = 4.0 / n
    yi = rng.normal(0.3, np.sqrt(vi + 0.05))
    return yi, vi


def time_per_fit(fit, budget: float = 10.0) -> tuple[float, list[float]]:
    """Median over batches of the mean seconds per call of ``fit``, and the batch means."""
    t0 = time.perf_counter()
    fit()  # warm-up
    first = time.perf_counter() - t0
    per_batch = max(1, int(np.ceil(BATCH_SECONDS / max(first, 1e-7))))
    means: list[float] = []
    started = time.perf_counter()
    while len(means) < MAX_BATCHES and (not means or time.perf_counter() - started < budget):
        t0 = time.perf_counter()
        for _ in range(per_batch):
            fit()
        means.append((time.perf_counter() - t0) / per_batch)
    return statistics.median(means), means


def time_ours(yi, vi):
    """Seconds per fit as numpy runs it here, and with its BLAS held to one thread.

    The second figure shows the engine's own cost: on a busy 2-core machine a dot product that
    OpenBLAS splits over two threads waits for a core, which made k = 100,000 up to 8x slower.
    """
    def fit():
        return rma(yi, vi, method="REML")

    res = fit()
    median, _ = time_per_fit(fit)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return median, None, res.tau2
    with threadpool_limits(limits=1, user_api="blas"):
        single, _ = time_per_fit(fit)
    return median, single, res.tau2


def time_pymare(yi, vi):
    from pymare import Dataset
    from pymare.estimators import VarianceBasedLikelihoodEstimator

    y, v, X = yi[:, None], vi[:, None], np.ones((yi.size, 1))

    def fit_only():
        est = VarianceBasedLikelihoodEstimator(method="REML", small_sample_correction="wald")
        return est.fit(y=y, v=v, X=X)

    def fit_and_stats():
        est = VarianceBasedLikelihoodEstimator(method="REML", small_sample_correction="wald")
        est.fit_dataset(Dataset(y=yi, v=vi))
        summary = est.summary()
        return (summary.get_fe_stats(), summary.get_re_stats(), summary.get_heterogeneity_stats())

    tau2 = float(fit_only().params_["tau2"].ravel()[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alone, _ = time_per_fit(fit_only)
        full, _ = time_per_fit(fit_and_stats)
    return alone, full, tau2


def time_metafor(data_path: Path, k: int, variant: str, cap: float, workdir: Path):
    out = workdir / f"metafor_{k}_{variant}.json"
    # the budget leaves room inside the cap for the batch that is running when it runs out
    budget = max(1.0, cap / 4)
    try:
        subprocess.run(
            ["Rscript", str(R_SCRIPT), str(data_path), str(k), variant, str(budget), str(out)],
            check=True, timeout=cap, capture_output=True, text=True,
        )
    except subprocess.TimeoutExpired:
        pass  # whatever the run measured before the cap is in its file
    if not out.exists():
        return None
    res = json.loads(out.read_text())
    # a fit so slow that only the warm-up finished is reported from that one fit
    res["median"] = statistics.median(res["per_fit"]) if res["per_fit"] else res["first_fit"]
    return res


def blas_kernel() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    return "; ".join(
        f"{i['internal_api']} {i['version']} {i.get('architecture')} x{i['num_threads']}"
        for i in threadpool_info() if i["user_api"] == "blas"
    )


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap", type=float, default=120.0, help="seconds allowed per metafor run")
    parser.add_argument("--ks", type=int, nargs="*", default=list(KS))
    opts = parser.parse_args()

    import pymare

    print(f"python {platform.python_version()}, numpy {np.__version__}, pymare {pymare.__version__}")
    print(f"numpy BLAS: {blas_kernel()}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        data = {str(k): dict(zip(("yi", "vi"), map(list, make_data(k)), strict=True)) for k in opts.ks}
        data_path = workdir / "data.json"
        data_path.write_text(json.dumps(data))
        for k in opts.ks:
            yi, vi = make_data(k)
            ours, ours_1, tau2_ours = time_ours(yi, vi)
            pm_alone, pm_full, tau2_pm = time_pymare(yi, vi)
            mf = {}
            for variant in ("default", "converged", "confint"):
                # the converged runs do at least the default's work: no need to wait for them too
                skip = variant != "default" and mf["default"] is None
                mf[variant] = None if skip else time_metafor(data_path, k, variant, opts.cap, workdir)
            row = {"k": k, "ours": ours, "ours_1thread": ours_1, "pymare_fit": pm_alone, "pymare_full": pm_full,
                   "tau2_ours": tau2_ours, "tau2_pymare": tau2_pm}
            for variant, res in mf.items():
                row[f"metafor_{variant}"] = res["median"] if res else None
                if res:
                    row[f"tau2_metafor_{variant}"] = res["tau2"]
                    row["r_info"] = f"metafor {res['metafor']}, {res['R']}, BLAS {res['blas']}"
            rows.append(row)
            print(json.dumps(row), flush=True)
        for k in KS_OURS_ONLY:
            yi, vi = make_data(k)
            ours, ours_1, tau2_ours = time_ours(yi, vi)
            rows.append({"k": k, "ours": ours, "ours_1thread": ours_1, "tau2_ours": tau2_ours})
            print(json.dumps(rows[-1]), flush=True)

    print()
    print(report(rows, opts.cap))


def report(rows, cap) -> str:
    dnf = f"did not finish in {cap:.0f} s"
    lines = [
        "| k | ours | ours, BLAS 1 thread | metafor default | metafor converged | metafor converged + confint "
        "| PyMARE fit | PyMARE fit + stats | metafor conv./ours | metafor conv.+confint/ours "
        "| metafor default/ours | PyMARE fit/ours | PyMARE fit+stats/ours |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ours = r["ours"]
        if "pymare_fit" not in r:
            lines.append(f"| {r['k']:,} | {fmt_s(ours)} | {fmt_s(r['ours_1thread'])} | | | | | | | | | | |")
            continue

        def cell(key, r=r):
            return fmt_s(r[key]) if r[key] is not None else dnf

        def ratio(key, r=r, ours=ours):
            return f"{r[key] / ours:.1f}x" if r[key] is not None else f"> {cap / ours:,.0f}x"

        lines.append(
            f"| {r['k']:,} | {fmt_s(ours)} | {fmt_s(r['ours_1thread'])} | {cell('metafor_default')} "
            f"| {cell('metafor_converged')} "
            f"| {cell('metafor_confint')} | {fmt_s(r['pymare_fit'])} | {fmt_s(r['pymare_full'])} "
            f"| {ratio('metafor_converged')} | {ratio('metafor_confint')} | {ratio('metafor_default')} "
            f"| {ratio('pymare_fit')} | {ratio('pymare_full')} |"
        )
    lines.append("")
    for key, label in (("ours", "ours"), ("ours_1thread", "ours, BLAS 1 thread")):
        pts = [(r["k"], r[key]) for r in rows if r["k"] >= 1000 and r.get(key)]
        if len(pts) >= 2:
            ks, ts = zip(*pts, strict=True)
            slope = np.polyfit(np.log(ks), np.log(ts), 1)[0]
            per_study = ", ".join(f"k={k:,}: {t / k * 1e9:.0f} ns" for k, t in pts)
            lines.append(f"{label}: log-log slope of time against k for k >= 1,000: {slope:.2f} "
                         f"(1 = linear); time per study {per_study}")
    lines.append("")
    lines.append("tau2 estimates (same data): " + "; ".join(
        f"k={r['k']}: ours {r['tau2_ours']:.10g}"
        + (f", PyMARE {r['tau2_pymare']:.10g}" if "tau2_pymare" in r else "")
        + (f", metafor conv. {r['tau2_metafor_converged']:.10g}" if "tau2_metafor_converged" in r else "")
        + (f", metafor default {r['tau2_metafor_default']:.10g}" if "tau2_metafor_default" in r else "")
        for r in rows))
    info = next((r["r_info"] for r in rows if "r_info" in r), None)
    if info:
        lines.append(f"R side: {info}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
