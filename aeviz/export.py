"""Figures and results to bytes: PNG/SVG/PDF (kaleido), HTML, CSV, JSON and a zip report (the
weights and their config are aeviz.weights).

Every function returns bytes or objects; only `write_report_dir` writes (for the CLI).

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
import csv
import fnmatch
import io
import json
import math
import os
import shutil
import threading
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

import numpy as np
import plotly.io as pio

from . import failures
from .i18n import Msg, t

STATIC_FORMATS = ("png", "svg", "pdf")
INSTALL_CHROME = Msg("export.install_chrome")  # shown with str(): in the viewer's language
_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection: what a spreadsheet evaluates


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
    fig_dict = fig if isinstance(fig, dict) else fig.to_dict()
    deadline = time.monotonic() + timeout
    if not _LOCK.acquire(timeout=max(timeout, 0.0)):
        raise ExportError(Msg("export.busy", timeout=timeout))
    try:
        return _render_locked(fig_dict, {"format": fmt, "scale": scale}, deadline, timeout)
    finally:
        _LOCK.release()


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


def _safe_cell(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _number(value):
    """A numpy scalar as a CSV cell: shortest round-trip text, '' for NaN."""
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return ""
    return value.item() if isinstance(value, np.integer) else str(value)


def _columns(coords: dict[str, np.ndarray], n: int) -> tuple[list[str], list[np.ndarray]]:
    """Header names and (N,) columns: (N,) -> name; (N, 2) -> name_x, name_y; (N, k) -> name_0.."""
    header, cols = [], []
    for name, arr in coords.items():
        arr = np.asarray(arr)
        if arr.ndim == 1:
            arr = arr[:, None]
            names = [name]
        elif arr.ndim == 2:
            k = arr.shape[1]
            names = [f"{name}_x", f"{name}_y"] if k == 2 else [f"{name}_{i}" for i in range(k)]
        else:
            raise ValueError(f"coords[{name!r}] must be (N,) or (N, k), got shape {arr.shape}")
        if len(arr) != n:
            raise ValueError(f"coords[{name!r}] has {len(arr)} rows, expected {n} (one per sample)")
        header += names
        cols += list(arr.T)
    return header, cols


def points_csv(
    ids: Sequence, labels: Sequence, split, coords: dict[str, np.ndarray], class_names: Sequence[str] | None = None
) -> bytes:
    """CSV (UTF-8), one row per sample: sample_id, label, split, then the columns of each array.

    ids, labels: (N,); split: one string for all, or (N,); coords: name -> (N,) or (N, k) array.
    With class_names, label y is written as class_names[y]. Text cells are neutralised against
    formula injection; numbers (negative ones too) are written as numbers.
    """
    ids, labels = np.asarray(ids), np.asarray(labels)
    n = len(ids)
    splits = [split] * n if isinstance(split, str) else list(split)
    if len(labels) != n or len(splits) != n:
        raise ValueError(f"ids, labels and split must have one entry per sample: got {n}, {len(labels)}, {len(splits)}")
    header, cols = _columns(coords, n)
    out = io.StringIO()
    writer = csv.writer(out)  # RFC 4180: CRLF rows, so a \r or \n inside a cell gets quoted
    writer.writerow(["sample_id", "label", "split", *header])
    for i in range(n):
        label = class_names[int(labels[i])] if class_names is not None else labels[i]
        text = [_safe_cell(v.item() if isinstance(v, np.generic) else v) for v in (ids[i], label, splits[i])]
        writer.writerow(text + [_number(c[i]) for c in cols])
    return out.getvalue().encode("utf-8")


def _plain(obj):
    """obj with numpy scalars/arrays as Python values, tuples as lists, NaN/inf as None."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _plain(obj.tolist())
    if isinstance(obj, np.generic):
        return _plain(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    raise TypeError(f"cannot write {type(obj).__name__} to JSON: {obj!r:.80}")


def metrics_json(d: dict) -> bytes:
    """d as JSON (UTF-8): numpy converted, NaN/inf as null, keys sorted, indented by 2."""
    return json.dumps(_plain(d), sort_keys=True, indent=2, allow_nan=False).encode("utf-8")


_DESCRIPTIONS = (  # (file-name pattern, the key of what README.txt says about it); first match wins
    ("README.txt", "export.readme.this_file"),
    ("config.json", "export.readme.config"),
    ("metrics.json", "export.readme.metrics"),
    ("codes.csv", "export.readme.codes"),
    ("model.safetensors", "export.readme.weights"),
    ("model.json", "export.readme.model_json"),
    ("*.html", "export.readme.html"),
    ("*.png", "export.readme.png"),
    ("*.svg", "export.readme.svg"),
    ("*.pdf", "export.readme.pdf"),
    ("*.csv", "export.readme.csv"),
    ("*.json", "export.readme.json"),
)


def describe(name: str) -> str:
    """What a report file is, from its name (e.g. 'latent.html' -> 'interactive figure, ...'), in the
    current language; the file names themselves stay as they are."""
    base = PurePosixPath(name).name
    key = next((k for pattern, k in _DESCRIPTIONS if fnmatch.fnmatch(base, pattern)), "export.readme.other")
    return t(key)


def _readme(names: Sequence[str]) -> bytes:
    """README.txt, in the language of whoever asked for the report (it is written when they do)."""
    lines = [t("export.readme.title"), "", t("export.readme.files")] + [f"  {n}: {describe(n)}" for n in sorted(names)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _with_readme(files: dict[str, bytes]) -> dict[str, bytes]:
    """files plus README.txt; names must be relative paths inside the report."""
    for name in files:
        p = PurePosixPath(name)
        if not name or p.is_absolute() or ".." in p.parts or "\\" in name or name == "README.txt":
            raise ValueError(
                f"bad report file name {name!r}: use a relative path without '..' (README.txt is written for you)"
            )
    return {**files, "README.txt": _readme(list(files))}


def report_zip(files: dict[str, bytes]) -> bytes:
    """A zip (deflated) of name -> bytes plus a README.txt describing every file."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in _with_readme(files).items():
            zf.writestr(name, data)
    return buf.getvalue()


def write_report_dir(files: dict[str, bytes], out_dir) -> list[Path]:
    """Write the report's files and README.txt under out_dir (created); returns the paths written."""
    out = Path(out_dir)
    paths = []
    for name, data in _with_readme(files).items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    return paths
