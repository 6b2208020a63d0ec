"""Figures to bytes: PNG/SVG/PDF (kaleido) and standalone HTML. (Tables are aeviz.tables, the
zip report aeviz.report, the weights and their config aeviz.weights.)

Static export runs plotly.js in headless Chromium through kaleido 1.x. kaleido's global sync server
is not thread-safe (kaleido issue 444: concurrent callers got each other's images) and a hung render
would wedge it for good, so this module drives its own "engine": one kaleido.Kaleido (one Chromium)
on a private asyncio loop in a daemon thread. One module-level lock serialises every static export.
A call that runs past `timeout` raises ExportError and abandons its engine: the render is
cancelled, the browser is closed as soon as the engine's loop is free, and the engine is never used
again (the next export starts a fresh one, ~3 s). So the lock is released the moment a call gives
up, and no later caller can ever receive a hung render's late result.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import os
import shutil
import threading
import time

import plotly.io as pio

from . import failures
from .i18n import Msg

STATIC_FORMATS = ("png", "svg", "pdf")
INSTALL_CHROME = Msg("export.install_chrome")  # shown with str(): in the viewer's language
_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


class ExportError(RuntimeError):
    """A static export failed: no browser, a timeout, or the browser broke. The message (a Msg) says why."""


def find_browser() -> str | None:
    """The browser kaleido will drive, or None: $BROWSER_PATH, else the copy `plotly_get_chrome`
    downloaded, else chromium / google-chrome / ... on PATH or in the usual places."""
    if env := os.environ.get("BROWSER_PATH"):
        return env if os.access(env, os.X_OK) else None
    try:  # choreographer, kaleido's browser driver, knows its own download and the typical paths
        from choreographer.browsers import Chromium

        found = Chromium.find_browser(skip_local=False)
    except Exception:
        found = None
    return found or next(filter(None, map(shutil.which, _BROWSER_NAMES)), None)


async def _calc(kal, fig_dict: dict, opts: dict) -> bytes:
    """The one kaleido call (tests replace it to simulate a hang)."""
    return await kal.calc_fig(fig_dict, opts=opts)


class _Engine:
    """One kaleido.Kaleido (one Chromium) and the asyncio loop, on a daemon thread, that drives it."""

    def __init__(self, browser: str):
        self.browser, self.kaleido, self.abandoned = browser, None, False
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="aeviz-kaleido", daemon=True).start()

    async def _render(self, fig_dict: dict, opts: dict) -> bytes:
        try:
            if self.kaleido is None:
                import kaleido

                self.kaleido = kaleido.Kaleido(path=self.browser, mathjax=False, timeout=None)  # no CDN
                await self.kaleido.open()  # assigned first, so close() also ends a half-open browser
            return await _calc(self.kaleido, fig_dict, opts)
        except Exception:
            if self.abandoned:  # choreographer turns our cancel into BrowserFailedError; nobody waits
                return b""
            raise

    def render(self, fig_dict: dict, opts: dict, timeout: float) -> bytes:
        """Render on the engine's loop; concurrent.futures.TimeoutError after `timeout` seconds."""
        future = asyncio.run_coroutine_threadsafe(self._render(fig_dict, opts), self.loop)
        try:
            return future.result(timeout=max(timeout, 0.0))
        except concurrent.futures.TimeoutError:
            self.abandoned = True  # before the cancel below reaches the loop
            raise
        finally:
            future.cancel()  # no-op when done; otherwise cancels the hung render

    def close(self, wait: float = 0.0) -> None:
        """Close the browser, then stop the loop, once the loop is free; wait up to `wait` s."""

        async def shutdown():
            if self.kaleido is not None:
                await self.kaleido.close()

        future = asyncio.run_coroutine_threadsafe(shutdown(), self.loop)
        future.add_done_callback(lambda _: self.loop.call_soon_threadsafe(self.loop.stop))
        concurrent.futures.wait([future], timeout=wait)


_LOCK = threading.Lock()  # serialises every static export; guards _engine
_engine: _Engine | None = None


@atexit.register
def _shutdown() -> None:
    if _engine is not None and _LOCK.acquire(timeout=5):
        try:
            _engine.close(wait=5)
        finally:
            _LOCK.release()


def figure_bytes(fig, fmt: str, *, scale: float = 2, timeout: float = 30.0) -> bytes:
    """The figure (go.Figure or dict) as PNG, SVG or PDF bytes; thread-safe, one render at a time.

    Size: layout width x height (700 x 500 if unset) times scale. scale multiplies a PNG's pixels
    and also the nominal size of an SVG (its viewBox stays the layout size) or a PDF page.
    Raises ValueError for an unknown fmt; ExportError when no browser is found, the render fails,
    or the call (waiting for the lock included) takes longer than `timeout` seconds.
    """
    fmt = fmt.lower()
    if fmt not in STATIC_FORMATS:
        raise ValueError(f"unknown figure format {fmt!r}; valid: {', '.join(STATIC_FORMATS)} (or figure_html)")
    failures.check("export")
    fig_dict = vector_points(fig if isinstance(fig, dict) else fig.to_dict())
    deadline = time.monotonic() + timeout
    if not _LOCK.acquire(timeout=max(timeout, 0.0)):
        raise ExportError(Msg("export.busy", timeout=timeout))
    try:
        return _render_locked(fig_dict, {"format": fmt, "scale": scale}, deadline, timeout)
    finally:
        _LOCK.release()


def vector_points(fig_dict: dict) -> dict:
    """The figure (plotly dict) with its WebGL scatters drawn as SVG ones, the same in every other
    attribute: a file's points should be vectors, and the export's headless browser may have no
    WebGL at all."""
    data = [{**tr, "type": "scatter"} if tr.get("type") == "scattergl" else tr for tr in fig_dict.get("data", [])]
    return {**fig_dict, "data": data}


def _render_locked(fig_dict: dict, opts: dict, deadline: float, timeout: float) -> bytes:
    """The render itself, with _LOCK held; a failed or hung engine is dropped, never reused."""
    global _engine
    if _engine is None:
        if (browser := find_browser()) is None:
            raise ExportError(INSTALL_CHROME)
        _engine = _Engine(browser)
    try:
        return _engine.render(fig_dict, opts, deadline - time.monotonic())
    except Exception as e:
        engine, _engine = _engine, None
        engine.close()  # returns at once; the browser closes when the engine's loop is free
        if isinstance(e, concurrent.futures.TimeoutError):
            raise ExportError(Msg("export.timed_out", timeout=timeout)) from None
        raise ExportError(Msg("export.failed", fmt=opts["format"], kind=type(e).__name__, err=str(e))) from e


def figure_html(fig, *, config: dict | None = None) -> bytes:
    """A standalone HTML page (UTF-8) with plotly.js embedded: opens offline in any browser."""
    html = pio.to_html(fig, include_plotlyjs=True, full_html=True, config=config)
    return html.encode("utf-8")
