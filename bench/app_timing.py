"""App timings in headless Chromium against a fresh `streamlit run app.py` on 127.0.0.1.

    python bench/app_timing.py

Prints: time from the server answering /_stcore/health to an interactive page (the Train button
enabled); time from the autoencoder panel to the UMAP panel on a fresh server (numba compiles
UMAP once, in the worker process); a cached configuration re-rendered (a bottleneck already trained); a view change that
needs no retraining (the digit-thumbnails toggle); and the server's peak RSS.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from browser import browser_page, streamlit_server, wait_idle  # noqa: E402
from load_test import peak_rss_mb  # noqa: E402

PLOTS = "n => document.querySelectorAll('.js-plotly-plot').length >= n"


def _until(page, n: int, timeout: float = 180_000) -> None:
    page.wait_for_function(PLOTS, arg=n, timeout=timeout, polling=50)


def main() -> None:
    rows = []
    with streamlit_server(with_pid=True) as (url, pid), browser_page() as page:
        t0 = time.perf_counter()  # the server is healthy now
        page.goto(url + "/")
        page.locator(".st-key-train_button button:not([disabled])").wait_for(timeout=60_000)
        rows.append(("page interactive after the server is healthy", time.perf_counter() - t0, 3.0))
        _until(page, 1)
        t_ae = time.perf_counter()
        _until(page, 3)
        rows.append(("UMAP panel after the autoencoder panel (fresh server)", time.perf_counter() - t_ae, 10.0))
        wait_idle(page)
        slider = page.locator(".st-key-w_k input[type='range']")
        slider.focus()
        slider.press("ArrowRight")  # bottleneck 3: train it once
        wait_idle(page)
        page.locator(".st-key-train_button button").click()
        page.get_by_text("3-D code").first.wait_for(timeout=120_000)
        wait_idle(page)
        t = time.perf_counter()
        slider.focus()
        slider.press("ArrowLeft")  # back to 2: a cached configuration
        page.get_by_text("Autoencoder (2-D code)").first.wait_for(timeout=30_000)
        wait_idle(page, poll=20)
        rows.append(("cached configuration re-rendered (bottleneck 3 -> 2)", time.perf_counter() - t, 0.3))
        t = time.perf_counter()
        page.get_by_text("Digit thumbnails").click()
        page.wait_for_function("() => document.querySelector('.js-plotly-plot .layer-above image') !== null",
                               timeout=30_000, polling=20)
        wait_idle(page, poll=20)
        rows.append(("view change without retraining (thumbnails on)", time.perf_counter() - t, 0.5))
        rss = peak_rss_mb(pid)
    print(f"{'measure':55} {'seconds':>8} {'target':>7}")
    for name, sec, target in rows:
        print(f"{name:55} {sec:8.2f} {target:7.1f}  {'ok' if sec <= target else 'over'}")
    print(f"peak server RSS (server + projection worker): {rss:.0f} MB (target 1,200 MB)")


if __name__ == "__main__":
    main()
