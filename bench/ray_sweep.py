"""The bottleneck lesson's sweep (7 sizes x 2 nets) trained one net after another in this process
(the local backend) and as parallel Ray tasks on a local Ray with 2 CPUs, on the same machine,
in one run.

    python bench/ray_sweep.py          # ~1 minute on 2 cores; needs requirements-ray.txt

Prints both wall times, their ratio, and the lesson's verdict from each (they train the same nets).
On a machine whose cores the local run already uses (torch trains on all of them), Ray's gain is
the overlap of small nets and Python overhead, not more cores: read the ratio, not a promise.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    import ray
    import torch

    from aeviz import lessons
    from aeviz.jobs import ray_runner

    torch.set_num_threads(2)
    lessons.run("bottleneck", few_digits=True)  # warm the caches and the first torch kernels for both runs
    t0 = time.perf_counter()
    local = lessons.run("bottleneck")
    t_local = time.perf_counter() - t0

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    t0 = time.perf_counter()
    on_ray = lessons.run("bottleneck", train_many=ray_runner.train_many)
    t_ray = time.perf_counter() - t0
    ray.shutdown()

    print(f"bottleneck lesson, MNIST-5k, 14 nets: local {t_local:.1f} s, Ray (2 CPUs, 1 per net) {t_ray:.1f} s, "
          f"ratio local / Ray {t_local / t_ray:.2f}")
    print(f"verdicts: local holds={local.holds}, Ray holds={on_ray.holds}")
    print(f"largest difference in held-out error between the two runs: "
          f"{max(abs(a - b) for a, b in zip(local.numbers['ae_error'], on_ray.numbers['ae_error'])):.2e}")


if __name__ == "__main__":
    from results import recorded  # bench/results.py: RESULTS.md keeps what this printed

    with recorded("ray_sweep"):
        main()
