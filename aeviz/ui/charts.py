"""Figures on the page: a chart with its Export menu and its text alternative, and the files a
download button makes when pressed (with their failures, said on the next rerun)."""
from __future__ import annotations

import html
import time
from collections import OrderedDict

import streamlit as st

from .. import failures
from ..i18n import t
from .session import session_id

PLOTLY_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 3, "filename": "aeviz"},  # camera: hi-res PNG
}
_MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "html": "text/html"}


def chart(fig, key: str, container=None, **kwargs):
    """st.plotly_chart plus an Export menu (see export_menu)."""
    c = container if container is not None else st
    name = figure_name(fig, key)
    event = c.plotly_chart(fig, key=key, config=plotly_config(name), **kwargs)
    text_alternative(c, fig)
    export_menu(c, lambda: fig, name, key)
    return event


# Off screen but read by screen readers (the usual "visually hidden" pattern: display:none would hide it from them too).
_HIDDEN = "position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap"


def text_alternative(container, fig) -> None:
    """What the plot shows, in words, for whoever cannot see it (figures.describe)."""
    from .. import figures

    container.markdown(f'<p style="{_HIDDEN}">{html.escape(figures.describe(fig))}</p>', unsafe_allow_html=True)


def figure_name(fig, default: str) -> str:
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    return meta.get("aeviz_figure", default)


def plotly_config(name: str) -> dict:
    camera = {**PLOTLY_CONFIG["toImageButtonOptions"], "filename": name}  # the toolbar's hi-res PNG
    return {**PLOTLY_CONFIG, "toImageButtonOptions": camera}


_browser_seen = [float("-inf"), False]  # when we last looked for kaleido's browser, and whether it was there


def _has_browser() -> bool:
    """Whether kaleido has a browser, looked up at most once a minute: the lookup walks PATH and the
    usual install places, ~2 ms, and every panel's Export menu asks on every rerun."""
    from .. import export

    if time.monotonic() - _browser_seen[0] > 60:
        _browser_seen[:] = [time.monotonic(), export.find_browser() is not None]
    return _browser_seen[1]


def export_menu(container, make_fig, name: str, key: str) -> None:
    """An Export menu: PNG (2x), SVG and PDF through kaleido, and a standalone HTML file.
    make_fig() gives the figure; it and the files are made only when a button is pressed (in
    Streamlit's download thread)."""
    from .. import export

    has_browser = _has_browser()
    keys = {fmt: f"{key}_dl_{fmt}" for fmt in (*export.STATIC_FORMATS, "html")}
    with container.popover(t("common.export"), icon=":material/download:"):
        for fmt in export.STATIC_FORMATS:
            st.download_button(fmt.upper(), data=deferred(lambda f=fmt: export.figure_bytes(make_fig(), f), keys[fmt]),
                               file_name=f"{name}.{fmt}", mime=_MIME[fmt], key=keys[fmt],
                               on_click="ignore", disabled=not has_browser,
                               help=None if has_browser else str(export.INSTALL_CHROME), width="stretch")
        st.download_button(t("common.html_interactive"),
                           data=deferred(lambda: export.figure_html(make_fig()), keys["html"]),
                           file_name=f"{name}.html", mime=_MIME["html"], key=keys["html"], on_click="ignore",
                           width="stretch")
    export_failures(container, keys.values())


# (session id, download button key) -> why its last file could not be made; bounded, oldest dropped.
_failed_downloads: OrderedDict[tuple[str, str], str] = OrderedDict()


def deferred(make, key: str):
    """make(), for a download button whose file is made when it is pressed (in Streamlit's
    download thread, outside any rerun). A failure is remembered for this session and shown by
    export_failures() on its next rerun; Streamlit logs its traceback once and says "Failed to
    generate file" under the button, and pressing the button again is the retry."""
    slot = (session_id(), key)

    def run():
        try:
            out = make()
        except Exception as exc:
            _failed_downloads[slot] = failures.message(exc)
            while len(_failed_downloads) > 256:
                _failed_downloads.popitem(last=False)
            raise
        _failed_downloads.pop(slot, None)
        return out

    return run


def export_failures(container, keys) -> None:
    """The cause of this session's last failed download among the buttons `keys`, if any."""
    session = session_id()
    for key in keys:
        if why := _failed_downloads.get((session, key)):
            container.error(t("common.export_failed", why=why), icon=":material/error:")
