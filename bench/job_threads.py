"""How fast a training runs in a job thread of the server, as the app runs it (jobs.backend().train
in its own thread, after the cost measurement ran in another), with MKL's threads left to
themselves and with MKL_NUM_THREADS=1 (what app.py sets before torch loads). Each setting runs in a
fresh Python, three times; the median and range are printed.

    python bench/job_threads.py     # ~3 minutes on 2 cores
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RUN = """
import sys, time
sys.path.insert(0, {root!r})
from aeviz import config, cost, data, jobs
ds = data.load("mnist-5k")
jobs.prefetch(cost.throughput).result()
for cfg in (config.ExperimentConfig(), config.DENOISER):
    t = time.perf_counter()
    job = jobs.backend().train(cfg, ds).wait(600)
    assert job.finished_ok, job.error
    print(time.perf_counter() - t)
"""


def _run(env: dict) -> list[float]:
    with tempfile.TemporaryDirectory() as cache:
        out = subprocess.run([sys.executable, "-c", RUN.format(root=str(ROOT))], capture_output=True, text=True,
                             env={**os.environ, **env, "AEVIZ_CACHE": cache}, check=True).stdout
    return [float(v) for v in out.split()]


def main() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from results import recorded

    settings = {"MKL's own threads": {}, "MKL_NUM_THREADS=1": {"MKL_NUM_THREADS": "1"}}
    times = {name: np.array([_run(env) for _ in range(3)]) for name, env in settings.items()}
    with recorded("job threads"):
        print("Seconds to train in a job thread of the server (median and range of 3 fresh runs):")
        print(f"{'setting':<20} {'default net, 30 epochs':>24} {'the denoiser':>22}")
        for name, t in times.items():
            cells = [f"{np.median(c):.1f} ({c.min():.1f}-{c.max():.1f})" for c in t.T]
            print(f"{name:<20} {cells[0]:>24} {cells[1]:>22}")


if __name__ == "__main__":
    main()
