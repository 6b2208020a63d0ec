"""Load test: several browser sessions train and run UMAP at once against `streamlit run app.py`.

    python bench/load_test.py [--sessions 4] [--backend local|ray|both]

Each session opens the app with its own data set and seed (so nothing is shared through the cache:
every session trains its own model and needs its own UMAP), waits for the three latent panels,
and checks that it shows its own data set. Prints sessions held, failures, the p95 time from
opening (which trains at once) to all three plots, and the peak memory of every process involved
(the server, its projection worker, and with --backend ray the whole local Ray cluster: head,
raylet, workers). With ray, a local head with 2 CPUs is started for the run. Only this machine is
contacted (Ray uses the machine's own address).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import contextlib  # noqa: E402

from browser import CHROMIUM_ARGS, find_chromium, ray_head, streamlit_server, tree_peak_rss_mb  # noqa: E402

DATASETS = ["digits", "mnist-5k", "mnist-10x10", "gaussian-noise", "digits", "mnist-5k"]
TITLES = {"digits": "Digits (8x8)", "mnist-5k": "MNIST 5k (28x28)", "mnist-10x10": "MNIST 5k at 10x10",
          "gaussian-noise": "Gaussian noise (28x28)"}
DONE_JS = "() => document.querySelectorAll('.js-plotly-plot').length >= 3"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--backend", choices=["local", "ray", "both"], default="both")
    args = ap.parse_args()
    if find_chromium() is None:
        sys.exit("no Chromium found: apt-get install -y chromium")
    for backend in ["local", "ray"] if args.backend == "both" else [args.backend]:
        print(f"== backend: {backend}")
        run(args, backend)


def run(args, backend: str) -> None:
    import tempfile

    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        # A model store of this run's own: the other backend's run must not have trained its models.
        env, ray_pids = {"AEVIZ_CACHE": stack.enter_context(tempfile.TemporaryDirectory())}, []
        if backend == "ray":
            address, ray_env = stack.enter_context(ray_head(cpus=2))
            env = {**env, **ray_env, "AEVIZ_RAY_ADDRESS": address}
        url = stack.enter_context(streamlit_server(env=env))
        p = stack.enter_context(sync_playwright())
        pid = url.pid
        browser = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        pages, started, done, failures = [], {}, {}, []
        for i in range(args.sessions):
            page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            ds = DATASETS[i % len(DATASETS)]
            started[i] = time.perf_counter()
            page.goto(f"{url}/?data={ds}&seed={i}&epochs=10", wait_until="commit")
            pages.append((i, ds, page))
        deadline = time.perf_counter() + args.timeout
        while len(done) + len(failures) < len(pages) and time.perf_counter() < deadline:
            for i, ds, page in pages:
                if i in done or i in [f[0] for f in failures]:
                    continue
                try:
                    if page.locator("[data-testid='stException']").count():
                        failures.append((i, "exception box"))
                    elif page.evaluate(DONE_JS.replace("() => ", "")):
                        done[i] = time.perf_counter() - started[i]
                        if TITLES[ds] not in page.locator(".st-key-w_data").inner_html():
                            failures.append((i, f"does not show its own data set {TITLES[ds]}"))
                except Exception as exc:  # a page that broke counts as a failure, not a crash
                    failures.append((i, repr(exc)[:200]))
            time.sleep(0.5)
        failures += [(i, "timed out") for i, _, _ in pages if i not in done and i not in [f[0] for f in failures]]
        if backend == "ray":  # the head's process tree: gcs, raylet, the workers that ran the jobs
            found = subprocess.run(["pgrep", "-f", "ray start --head"], capture_output=True, text=True)
            ray_pids = found.stdout.split()
        rss = tree_peak_rss_mb([pid, *ray_pids])
        for i, _, page in pages:
            if i not in done or any(f[0] == i for f in failures):
                page.screenshot(path=f"/tmp/aeviz-load-session-{i}.png")  # what a failing session saw
        browser.close()
    times = sorted(done.values())
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))] if times else float("nan")
    print(f"sessions held: {len(pages)}   finished: {len(done)}   failures: {len(failures)}")
    for f in failures:
        print(f"  failure in session {f[0]}: {f[1]}")
    print(f"time from opening to three plots: p50 {times[len(times) // 2] if times else float('nan'):.1f} s, "
          f"p95 {p95:.1f} s, max {max(times) if times else float('nan'):.1f} s")
    print(f"peak memory, every process together (sum of each one's peak RSS): {rss:.0f} MB")


if __name__ == "__main__":
    from results import recorded  # bench/results.py: RESULTS.md keeps what this printed

    with recorded("load_test"):
        main()
