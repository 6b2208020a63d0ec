"""At the upload limit: 70,000 digits uploaded through the sidebar of a fresh server, in headless
Chromium, as a user would.

    python bench/big.py            # ~12 minutes on 2 cores
    python bench/big.py 20000      # the same at another size (a quick check)

The digits are MNIST-5k's, each moved by up to two pixels (tests/browser.py shifted_digits), as an
8-bit .npz. The server runs with AEVIZ_MAX_JOB_S=900: at the default budget (120 s) the default
training of 56,000 digits is refused up front with what would fit (tests/test_cost.py holds that
refusal). Prints: the time from Train to the three maps with every held-out digit drawn; the points
each panel draws and how (SVG or WebGL); the lasso's latency to every panel, from the pointer's
release to the first frame that shows the selection in all three (median of 3, a lasso in each
panel); t-SNE added at that size (its stratified sample); the peak memory of the server's process
tree; and the default net's training rate on 56,000 digits and on 4,000 against the GEMM peak and a
plain DataLoader loop (bench/run.py's paired rounds). Saves the page with its four maps as
assets/upload-70k.png.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from app_timing import first_true  # noqa: E402
from browser import (  # noqa: E402
    DRAWN_IDS,
    DRAWN_LIT,
    browser_page,
    lasso,
    shifted_digits,
    streamlit_server,
    tree_peak_rss_mb,
    wait_idle,
)

N = int(sys.argv[1]) if len(sys.argv) > 1 else 70_000
SHOT = ROOT / "assets" / f"upload-{N // 1000}k.png"
HELD_OUT = N // 5
LIT_EVERYWHERE = f"""() => {{ const lit = ({DRAWN_LIT})().map(ids => ids.join());
  return lit.length >= 3 && lit[0] !== '' && lit.every(s => s === lit[0]); }}"""
NOTHING_LIT = f"() => ({DRAWN_LIT})().every(ids => ids.length === 0)"


def every_point(panels: int, points: int) -> str:
    return (f"() => {{ const d = ({DRAWN_IDS})(); return d.length >= {panels} "
            f"&& d.slice(0, 3).every(p => p.ids.length === {points}); }}")


def in_the_browser(npz: Path) -> dict:
    out = {}
    with tempfile.TemporaryDirectory(prefix="aeviz-big-") as cache, \
            streamlit_server(env={"AEVIZ_CACHE": cache, "AEVIZ_MAX_JOB_S": "900"}) as url, \
            browser_page(1500, 1000) as page:
        page.goto(url + "/?data=upload")
        uploader = page.locator(".st-key-data_file input[type='file']")
        uploader.wait_for(state="attached", timeout=60_000)
        t0 = time.perf_counter()
        uploader.set_input_files(str(npz))
        page.get_by_text(f"{N:,} images").first.wait_for(timeout=120_000)
        out["read"] = time.perf_counter() - t0
        wait_idle(page, timeout=120_000)
        t0 = time.perf_counter()
        page.locator(".st-key-train_button button").click()
        page.wait_for_function(every_point(3, HELD_OUT), timeout=1_200_000, polling=500)
        out["maps"] = time.perf_counter() - t0
        out["drawn"] = [(len(p["ids"]), p["kinds"]) for p in page.evaluate(DRAWN_IDS)]
        wait_idle(page, timeout=120_000)
        lit = []
        for panel in range(3):  # a lasso over the middle 70% of each panel in turn
            lit.append(first_true(page, lambda p=panel: lasso(page, panel=p, inset=0.15), LIT_EVERYWHERE))
            wait_idle(page, timeout=60_000)
            out.setdefault("selected", []).append(len(page.evaluate(DRAWN_LIT)[0]))
            if out["selected"][-1]:  # an empty lasso selects nothing, and there is nothing to clear
                page.get_by_role("button", name="Clear selection").click()
                page.wait_for_function(NOTHING_LIT, timeout=30_000)
                wait_idle(page, timeout=60_000)
        out["lasso"] = lit
        t0 = time.perf_counter()
        page.get_by_text("Add t-SNE").click()
        page.wait_for_function(f"() => ({DRAWN_IDS})().length >= 4", timeout=600_000, polling=500)
        out["tsne"] = time.perf_counter() - t0
        out["tsne_drawn"] = len(page.evaluate(DRAWN_IDS)[3]["ids"])
        wait_idle(page, timeout=120_000)
        page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOT))  # the README's screenshot of the limit
        out["rss_mb"] = tree_peak_rss_mb([url.pid])
    return out


def training_shares(npz: Path) -> dict:
    """bench/run.py's paired rounds (GEMM peak, loop.fit, DataLoader loop) on the 56,000 training
    digits of the upload, and on MNIST-5k's 4,000, in this process with all threads."""
    import torch
    from run import training_rates

    from aeviz import data, upload

    torch.set_num_threads(os.cpu_count() or 1)
    big = upload.load_upload(npz.read_bytes(), npz.name)
    small = data.load("mnist-5k")
    # Epochs enough that building the net and the first codes weigh alike at both sizes (~8 s a fit)
    return {"big": (len(big.x_train), training_rates(big, epochs=3, rounds=5)),
            "small": (len(small.x_train), training_rates(small, epochs=30, rounds=5))}


def main() -> None:
    import numpy as np

    with tempfile.TemporaryDirectory(prefix="aeviz-big-data-") as tmp:
        npz = Path(tmp) / "digits70k.npz"
        x, y = shifted_digits(N)
        np.savez_compressed(npz, x=x, y=y)
        print(f"upload: {N:,} digits 28x28 uint8, {npz.stat().st_size / 1e6:.1f} MB compressed; "
              f"server budget AEVIZ_MAX_JOB_S=900, default net (30 epochs, batch 128)")
        b = in_the_browser(npz)
        shares = training_shares(npz)
    print(f"upload read and checked: {b['read']:.1f} s")
    print(f"Train pressed -> three maps, every held-out digit drawn: {b['maps']:.0f} s")
    print("points drawn per panel (AE, PCA, UMAP): " + ", ".join(f"{n:,} ({k})" for n, k in b["drawn"]))
    lit = b["lasso"]
    print(f"lasso lit in all three panels: median {statistics.median(lit):.2f} s (a lasso in each panel: "
          + ", ".join(f"{s:.2f} s, {n:,} digits" for s, n in zip(lit, b["selected"], strict=True)) + ")")
    sample = " (a stratified sample, said under it)" if b["tsne_drawn"] < HELD_OUT else ""
    print(f"t-SNE added: its panel after {b['tsne']:.0f} s, {b['tsne_drawn']:,} of {HELD_OUT:,} digits drawn{sample}")
    print(f"peak memory, server process tree: {b['rss_mb']:,.0f} MB")
    for n, tr in shares.values():
        pr, m = tr["paired"], tr["median"]
        print(f"training on {n:,} digits, batch 256, {tr['rounds']} rounds: median {pr['median']:.0%} of GEMM peak "
              f"(range {pr['low']:.0%}-{pr['high']:.0%}); {m['ours'] / 1e9:.1f} GFLOP/s against "
              f"{m['dataloader'] / 1e9:.1f} in a DataLoader loop (medians)")


if __name__ == "__main__":
    from results import recorded  # bench/results.py: RESULTS.md keeps what this printed

    with recorded("big"):
        main()
