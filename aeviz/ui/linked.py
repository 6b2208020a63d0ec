"""Embedding panels linked in the browser: plotly.js inside a Streamlit custom component.

Streamlit's chart element remounts a chart whenever its figure changes, so a selection shown in
every panel meant a server round trip and a full redraw of each panel. The component in
`linked_panel.js` keeps one plotly graph per panel, updates it in place (Plotly.react, or one
Plotly.update when only attributes changed), and lights a selection in the other panels of the
same data set without waiting for the server (as plotly's own lasso paints: calcdata marks and
the trace's styleOnSelect, ~10 ms a panel); the server hears one trigger (the selected ids),
sent before those panels are painted, and draws the gallery.

plotly.js comes from the plotly Python package (the same file `fig.write_html` embeds) and is
served once per browser by Streamlit's static file serving (`server.enableStaticServing`), from
the app's `static/` folder, where `ensure_plotly_js` copies it on the server's first page run.
"""
from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import streamlit as st

_HERE = Path(__file__).parent
ROOT = Path(__file__).resolve().parents[2]  # next to app.py: Streamlit serves ROOT/static at app/static
STATIC = ROOT / "static"
# The component's module: plain scripts (the nets' forward pass, decoding under the pointer, the
# drawing pad, the layer view), then linked_panel.js, which exports the component. One module, so
# that the pad and the panels of a page share its state (which panels are drawn where).
WEBNET_JS = (_HERE / "webnet.js").read_text(encoding="utf-8")
PAD_JS = (_HERE / "pad.js").read_text(encoding="utf-8")
_JS = "\n".join([WEBNET_JS, (_HERE / "inverse.js").read_text(encoding="utf-8"), PAD_JS,
                 (_HERE / "layer_view.js").read_text(encoding="utf-8"),
                 (_HERE / "panel3d.js").read_text(encoding="utf-8"),
                 (_HERE / "linked_panel.js").read_text(encoding="utf-8")])
_CSS = (_HERE / "linked_panel.css").read_text(encoding="utf-8")
_state = {"ok": None}


def ensure_plotly_js() -> bool:
    """Copy plotly.min.js into static/ (once, or when the plotly package changed). False when the
    folder cannot be written: the Latent page then falls back to Streamlit's own chart element."""
    if _state["ok"] is not None:
        return _state["ok"]
    import plotly

    src = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    dst = STATIC / "plotly.min.js"
    try:
        if not dst.exists() or dst.stat().st_size != src.stat().st_size:
            STATIC.mkdir(exist_ok=True)
            tmp = dst.with_name(dst.name + ".tmp")
            shutil.copyfile(src, tmp)
            tmp.replace(dst)  # atomic: a browser never gets half a file
        _state["ok"] = True
    except OSError:
        _state["ok"] = False
    return _state["ok"]


_component = st.components.v2.component("aeviz_linked_panel", js=_JS, css=_CSS, isolate_styles=False)


# Streamlit's chart theme (light), as its chart element applies it to the other charts of the page,
# read from a themed chart's full layout in the browser: the panels should not look different.
_TITLE_FONT = {"family": '"Source Sans", sans-serif', "color": "#2F2D2B"}
_MUTED = "#808495"


def streamlit_look(layout: dict) -> dict:
    """A figure layout (plotly JSON dict) with Streamlit's chart look: bold title, muted text."""
    out = dict(layout)
    title = dict(out.get("title") or {})
    if title.get("text"):
        title["text"] = f"<b>{title['text']}</b>"
        title["font"] = {**title.get("font", {}), **_TITLE_FONT}
    out["title"] = title
    out["font"] = {**out.get("font", {}), "color": _MUTED}
    for axis in ("xaxis", "yaxis"):
        ax = dict(out.get(axis) or {})
        ax["title"] = {**(ax.get("title") or {}), "font": {"color": _MUTED, "size": 14}}
        out[axis] = ax
    out["paper_bgcolor"] = "#FFFFFF"
    out["hoverlabel"] = {**out.get("hoverlabel", {}), "bgcolor": "#FFFFFF", "bordercolor": "#DCD8D4"}
    return out


def split_figure(fig, datarevision: str | None = None) -> tuple[str, str]:
    """A plotly figure as `panel` takes it: (figure JSON with Streamlit's look, no template and the
    given datarevision, template JSON). Arrays go as base64."""
    from plotly.io.json import to_json_plotly

    spec = fig.to_dict()
    layout = streamlit_look(spec["layout"])
    template = layout.pop("template", {})
    layout.pop("meta", None)  # the figure's name and thumbnail list, for exports; a change redraws all
    if datarevision is not None:
        layout["datarevision"] = datarevision
    return to_json_plotly({"data": spec["data"], "layout": layout}), to_json_plotly(template)


def figure_key(*parts) -> str:
    """A short stable name for a figure's identity (what made it), so the browser redraws a panel
    only when its figure really changed."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


NETS_KEPT = 256  # the newest published nets and digit sheets kept in static/nets (a class trains many)


def publish(content: str | bytes, name: str, suffix: str = ".json") -> str | None:
    """Write `content` (a net's spec, nets/webnet.py's to_json; a sheet of digits) where the browser
    fetches it, once per content name; its URL, or None when static/ cannot be written (nothing
    runs in the page then)."""
    if not ensure_plotly_js():
        return None
    folder = STATIC / "nets"
    path = folder / f"{name}{suffix}"
    try:
        if not path.exists():
            folder.mkdir(exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
            tmp.replace(path)
            old = sorted(folder.glob("*.*"), key=lambda p: p.stat().st_mtime)[:-NETS_KEPT]
            for p in old:
                p.unlink(missing_ok=True)
    except OSError:
        return None
    return f"app/static/nets/{name}{suffix}"


def publish_net(spec_json: str, name: str) -> str | None:
    """A net's spec published (publish); its URL or None."""
    return publish(spec_json, name)


def panel(container, figure_json: str, template_json: str, fkey: str, *, key: str, group: str, selected: list[int],
          linked: bool, config: dict, on_select: Callable[[], None], inverse: dict | None = None,
          on_pin: Callable[[], None] | None = None, place: str | None = None, marker: list[float] | None = None,
          lasso3d: dict | None = None):
    """Mount one linked panel in `container`.

    figure_json: the figure (plotly JSON, no selection) without its template, which comes apart
    (template_json) so the browser can keep one template object; fkey: its identity (figure_key).
    group: panels of one group light each other's selections (one group per data set).
    selected: the ids the server holds as selected (applied when the panel shows something else).
    linked: False draws no selection (the thumbnails view). on_select runs when the user selects
    in this panel; the ids are then in `selection(key)`.
    inverse: the panel's way back to pixels, decoded in the browser under the pointer: {"url"
    (publish_net), "shape" [h, w], "label", "where" (with {z1} {z2}), "hint", "failed", "pinned"
    (a point or None)}; on_pin runs when the user pins a point (click, Enter): it is in `pinned(key)`.
    place: the URL of the net that carries a new digit to this panel's axes (the pad marks its digit
    there while it is drawn); marker: where the server puts the session's own digit, or None.
    lasso3d: a 3-D panel's Lasso button's words, {"label", "help"} (panel3d.js).
    """
    with container:
        data = {"figure": figure_json, "template": template_json, "figure_key": fkey, "group": group,
                "selected": [int(i) for i in selected], "linked": linked, "config": config, "inverse": inverse,
                "place": place, "marker": None if marker is None else [float(v) for v in marker], "lasso3d": lasso3d}
        return _component(key=key, data=data, on_selection_change=on_select, on_pinned_change=on_pin or (lambda: None))


def pad(container, spec: dict, *, key: str, on_drawn: Callable[[], None]):
    """Mount the drawing pad (pad.js) in `container`; spec: see padMount there. on_drawn runs when
    the pen lifts or Clear is pressed: the digit is then in `drawn(key)`."""
    with container:
        return _component(key=key, data={"pad": spec}, on_drawn_change=on_drawn)


def layers(container, spec: dict, *, key: str):
    """Mount the layer view (layer_view.js) in `container`; spec: see layersMount there."""
    with container:
        return _component(key=key, data={"layers": spec})


def drawn(key: str) -> list[float] | None:
    """The digit the pad `key` just sent (h*w numbers; [] when it was cleared), or None."""
    result = st.session_state.get(key)
    return None if result is None else result.get("drawn")


def preload(container) -> None:
    """Start loading plotly.js in the browser at once (from the sidebar, on every page), not when
    the first panel mounts: on a fresh server that happens right after training, with UMAP still
    compiling on the same cores, and loading and parsing 4.8 MB of script then took ~2 s."""
    if ensure_plotly_js():
        with container:
            _component(key="aeviz_plotly_preload", data={"preload": True})


def selection(key: str) -> list[int] | None:
    """The ids the user just selected in panel `key` (None when that panel sent nothing)."""
    result = st.session_state.get(key)
    ids = result.get("selection") if result is not None else None
    return None if ids is None else sorted({int(i) for i in ids})


def pinned(key: str) -> tuple[float, float] | None:
    """The point the user just pinned in panel `key` (None when that panel sent none)."""
    result = st.session_state.get(key)
    z = result.get("pinned") if result is not None else None
    return None if z is None else (float(z[0]), float(z[1]))
