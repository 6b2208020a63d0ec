"""Decoding under the pointer, in headless Chromium: how many decoded frames a second the page
draws for the default 2-D net (MNIST-5k, 784 pixels) and for the conv kind.

    python bench/webdecode.py        # ~2 minutes on 2 cores (two trainings, then the browser)

Two figures per model: the page's capacity (decode + paint, back to back, in the page: frames a
second if nothing else ran) and the frames it drew while the pointer really moved (one decode per
animation frame, so at most the display's rate; headless Chromium's is 60).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from browser import browser_page, streamlit_server, wait_idle  # noqa: E402

TARGET_FPS = 30

CAPACITY = """(n) => { const gd = document.querySelector('.aeviz-panel'), xa = gd._fullLayout.xaxis,
  ya = gd._fullLayout.yaxis, t0 = performance.now();
  for (let i = 0; i < n; i++) gd.__aeviz.showAt([xa.range[0] + (xa.range[1] - xa.range[0]) * (i % 97) / 97,
                                          ya.range[0] + (ya.range[1] - ya.range[0]) * (i % 89) / 89]);
  return (performance.now() - t0) / n; }"""


def one(page, url: str, kind: str) -> None:
    page.goto(f"{url}/?kind={kind}")
    page.locator(".st-key-train_button button").click()
    page.wait_for_function("() => document.querySelectorAll('.aeviz-panel').length >= 1", timeout=300_000)
    wait_idle(page, timeout=300_000)
    page.get_by_role("link", name="Decoder").click()
    page.wait_for_function("() => document.querySelectorAll('.aeviz-inverse canvas').length === 1", timeout=120_000)
    wait_idle(page)
    ms = page.evaluate(CAPACITY, 300)
    ops = page.evaluate("async () => (await (await fetch(document.querySelector('.aeviz-panel').__aeviz.inverse.url))"
                        ".json()).layers.map((l) => l.op + (l.out ? ' ' + l.out : '')).join(', ')")
    box = page.locator(".aeviz-panel").first.locator(".nsewdrag").first.bounding_box()
    frames0 = page.evaluate("() => document.querySelector('.aeviz-panel').__aeviz.frames")
    t0, moves = time.perf_counter(), 0
    while time.perf_counter() - t0 < 3.0:  # sweep back and forth for 3 s
        f = (moves % 100) / 100
        page.mouse.move(box["x"] + box["width"] * (0.05 + 0.9 * f), box["y"] + box["height"] * (0.1 + 0.8 * f))
        moves += 1
    seconds = time.perf_counter() - t0
    frames = page.evaluate("() => document.querySelector('.aeviz-panel').__aeviz.frames") - frames0
    cap = 1000 / ms
    print(f"{kind} (the page's layers: {ops}): decode + paint {ms:.2f} ms a frame in the page = "
          f"{cap:.0f} frames a second of capacity; "
          f"a moving pointer ({moves / seconds:.0f} moves a second) drew {frames / seconds:.0f} frames a second; "
          f"target {TARGET_FPS}: {'met' if min(cap, frames / seconds) >= TARGET_FPS else 'NOT met'}", flush=True)


def main() -> None:
    with streamlit_server() as url, browser_page(1500, 1100) as page:
        for kind in ("undercomplete", "conv"):
            one(page, url, kind)


if __name__ == "__main__":
    from results import recorded  # bench/results.py: RESULTS.md keeps what this printed

    with recorded("webdecode"):
        main()
