"""The nets the page runs, in headless Chromium, for the default 2-D net (MNIST-5k, 784 pixels) and
the conv kind: decoding under the pointer (Decoder page), and encoding a digit while it is drawn
(the Latent page's pad: read the ink, prepare it as MNIST was, encode, decode, find the 5 nearest
training digits, mark the AE and PCA panels).

    python bench/webdecode.py        # ~3 minutes on 2 cores (two trainings, then the browser)

Two figures each: the page's capacity (whole frames back to back, in the page: frames a second if
nothing else ran) and the frames it drew while the pointer really moved (one frame per animation
frame, so at most the display's rate; headless Chromium's is 60).
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
TARGET_DRAW_FPS = 15
PAD_CAPACITY = """(n) => { const pad = document.querySelector('.aeviz-pad').__pad, t0 = performance.now();
  for (let i = 0; i < n; i++) pad.frame();
  return (performance.now() - t0) / n; }"""
PAD_FRAMES = "() => Number(document.querySelector('.aeviz-pad').dataset.frames || 0)"

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
    drawing(page, url, kind)


def drawing(page, url: str, kind: str) -> None:
    """The pad on the Latent page: a stroke drawn for 3 s, then whole frames back to back."""
    page.get_by_role("link", name="Latent space").click()
    page.wait_for_function("() => document.querySelector('.aeviz-pad-near canvas') && "
                           "document.querySelectorAll('.aeviz-panel').length >= 2", timeout=300_000)
    wait_idle(page, timeout=300_000)
    page.locator(".aeviz-pad-ink").scroll_into_view_if_needed()
    box = page.locator(".aeviz-pad-ink").bounding_box()
    frames0 = page.evaluate(PAD_FRAMES)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20)
    page.mouse.down()
    t0, moves = time.perf_counter(), 0
    while time.perf_counter() - t0 < 3.0:  # a stroke that loops over the pad for 3 s
        f = (moves % 120) / 120
        page.mouse.move(box["x"] + box["width"] * (0.2 + 0.6 * f),
                        box["y"] + box["height"] * (0.15 + 0.7 * abs(1 - 2 * f)))
        moves += 1
    seconds = time.perf_counter() - t0
    frames = page.evaluate(PAD_FRAMES) - frames0
    page.mouse.up()
    inked = page.evaluate("() => document.querySelector('.aeviz-pad').__pad.digit !== null")
    ms = page.evaluate(PAD_CAPACITY, 100)
    cap = 1000 / ms
    met = inked and min(cap, frames / seconds) >= TARGET_DRAW_FPS
    print(f"{kind}, drawing on the pad: a whole frame (ink, MNIST's recipe, encode, decode, 5 nearest of the "
          f"training digits, marks) {ms:.2f} ms = {cap:.0f} frames a second of capacity; a moving pen "
          f"({moves / seconds:.0f} moves a second) drew {frames / seconds:.0f} frames a second; "
          f"target {TARGET_DRAW_FPS}: {'met' if met else 'NOT met'}",
          flush=True)


def main() -> None:
    with streamlit_server() as url, browser_page(1500, 1100) as page:
        for kind in ("undercomplete", "conv"):
            one(page, url, kind)


if __name__ == "__main__":
    from results import recorded  # bench/results.py: RESULTS.md keeps what this printed

    with recorded("webdecode"):
        main()
