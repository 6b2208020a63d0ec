"""What every page shares: the server-wide task registries, the training panel, cached results."""
from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import streamlit as st

from .. import analysis, data, failures, projections, train, worker
from ..config import ExperimentConfig, ProjectionConfig
from .tasks import Task, TaskRegistry

PLOTLY_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 3, "filename": "aeviz"},  # camera: hi-res PNG
}


@st.cache_resource
def training_tasks() -> TaskRegistry:
    """One registry for the whole server: the same config trains once, for every session."""
    return TaskRegistry(max_entries=12)


@st.cache_resource
def projection_tasks() -> TaskRegistry:
    """UMAP / t-SNE of the held-out digits: their own worker, so they never wait for training."""
    return TaskRegistry(max_entries=24, workers=1)


def dataset(name: str, seed: int = 0) -> data.Dataset:
    """data.load: cached there (built-in sets per name and seed; uploads by name)."""
    return data.load(name, seed=seed)


def _train_fn(cfg: ExperimentConfig):
    def run(task: Task) -> train.TrainResult:
        n = cfg.train.epochs
        task.report(0.0, "loading data")
        dataset(cfg.data.name, cfg.data.seed)

        def on_epoch(epoch, tr, va, elapsed):
            left = elapsed / epoch * (n - epoch)
            msg = f"epoch {epoch}/{n} · {elapsed:.1f} s elapsed · ~{left:.0f} s left"
            return task.report(epoch / n, msg, epoch=epoch, train_loss=tr, val_loss=va, elapsed=elapsed)

        task.report(0.0, "training")
        return analysis.fit(cfg, callback=on_epoch)

    return run


def register_loaded(cfg: ExperimentConfig, model) -> Task:
    """A model loaded from files, served like a trained one (no loss history, no replay)."""
    task = training_tasks().submit(cfg, lambda t: train.TrainResult(model=model), label="loaded", restart=True)
    return task.wait(30)


def start_training(cfg: ExperimentConfig, restart: bool = False) -> Task:
    return training_tasks().submit(cfg, _train_fn(cfg), label="train", restart=restart)


def active_config(sidebar_cfg: ExperimentConfig, pressed: bool) -> ExperimentConfig | None:
    """The config whose model the pages show. Train starts the sidebar's config (or finishes one that
    was stopped); a config already trained by anyone shows at once; the first visit trains the
    defaults."""
    ss = st.session_state
    if pressed:
        previous = training_tasks().get(sidebar_cfg)
        start_training(sidebar_cfg, restart=previous is not None and previous.status in ("stopped", "failed"))
        ss["active_cfg"] = sidebar_cfg
    elif sidebar_cfg != ss.get("active_cfg") and _is_finished(sidebar_cfg):
        ss["active_cfg"] = sidebar_cfg  # someone trained it already: show it at once
    elif "active_cfg" not in ss:
        start_training(sidebar_cfg)
        ss["active_cfg"] = sidebar_cfg
    return ss.get("active_cfg")


def _is_finished(cfg: ExperimentConfig) -> bool:
    task = training_tasks().get(cfg)
    return task is not None and task.finished_ok


def _loss_chart(task: Task):
    from .. import figures

    tr = [h["train_loss"] for h in task.history]
    va = [h["val_loss"] for h in task.history]
    fig = figures.loss_curves(np.array(tr), np.array(va), title="Loss per epoch")
    fig.update_layout(height=260)
    return fig


def training_panel(cfg: ExperimentConfig) -> Task | None:
    """Progress of cfg's training while it runs (updated every second), its outcome after."""
    task = training_tasks().get(cfg)
    if task is None:
        st.info("Press **Train** in the sidebar to train this configuration.")
        return None
    if task.active:
        _live_progress(cfg)
    elif task.status == "failed":
        failure("Training failed", task, lambda: start_training(cfg, restart=True), "retry_training")
    elif task.status == "stopped":
        st.warning(f"Stopped at epoch {len(task.history)} of {cfg.train.epochs}: showing the model "
                   "trained so far. Press **Train** to train it fully.")
    return task


@st.fragment(run_every=1.0)
def _live_progress(cfg: ExperimentConfig) -> None:
    task = training_tasks().get(cfg)
    if task is None or not task.active:
        st.rerun(scope="app")  # finished: draw the pages with the results
        return
    cols = st.columns([5, 1])
    label = task.message if task.status == "running" else "⏳ " + task.message
    cols[0].progress(task.progress, text=label)
    if cols[1].button("Stop", key="stop_button", help="Stop after this epoch and keep the model so far"):
        task.stop()
    if task.history:
        st.plotly_chart(_loss_chart(task), config=PLOTLY_CONFIG, key="live_loss")


def trained(cfg: ExperimentConfig) -> train.TrainResult | None:
    task = training_tasks().get(cfg)
    return task.result if task is not None and task.finished_ok else None


@st.cache_resource(max_entries=16)
def latent_view(cfg: ExperimentConfig, finished_at: float) -> analysis.LatentView:
    """The trained model's view of the held-out digits (cached per config and training run)."""
    result = trained(cfg)
    return analysis.latent_view(result.model, dataset(cfg.data.name, cfg.data.seed))


@dataclass
class Active:
    cfg: ExperimentConfig
    task: Task
    result: train.TrainResult
    ds: data.Dataset
    view: analysis.LatentView


def active(sidebar_cfg: ExperimentConfig) -> Active | None:
    """The model the pages show, or None (after drawing why: training, failed, nothing yet)."""
    cfg = st.session_state.get("active_cfg")
    if cfg is None:
        return None
    if cfg != sidebar_cfg:
        st.caption(f"Showing the model trained with the earlier settings. Changed in the sidebar: "
                   f"{config_diff(cfg, sidebar_cfg)}. Press **Train** to train the new ones.")
    task = training_panel(cfg)
    if task is None or not task.finished_ok:
        return None
    ds = dataset(cfg.data.name, cfg.data.seed)
    return Active(cfg, task, task.result, ds, latent_view(cfg, task.finished))


@st.cache_resource
def projection_pool():
    """One worker process for UMAP and t-SNE. In a thread of the server, numba's first compile
    (~10 s) holds the GIL and stalls training and every page; in its own process it does not, and
    the compiled code stays warm there for later calls."""
    import multiprocessing as mp
    import sys
    from concurrent.futures import ProcessPoolExecutor
    from pathlib import Path

    # The worker must import aeviz wherever the server was started from: "spawn" gives the child
    # the parent's sys.path, so the package's root goes there.
    root = str(Path(__file__).resolve().parents[2])
    if root not in sys.path:
        sys.path.append(root)
    return ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"), initializer=worker.init)


def _in_worker(fn, *args):
    """fn(*args) in the projection worker. A worker that died (killed, out of memory) fails this
    job, to be retried by the user, and is replaced for the next one."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return projection_pool().submit(fn, *args).result()
    except BrokenProcessPool:
        projection_pool.clear()
        raise RuntimeError("the projection worker process stopped (killed, or out of memory)") from None


@st.cache_resource(max_entries=8)
def pca_projection(ds_name: str) -> np.ndarray:
    return analysis.baseline_projection("pca", dataset(ds_name))


def projection_task(method: str, ds_name: str, proj: ProjectionConfig = ProjectionConfig(),
                    restart: bool = False) -> Task:
    """A slow baseline projection (UMAP, t-SNE) of the viewed held-out digits, in the background;
    `restart` (the user's Retry) replaces a failed one."""
    title = {"umap": "UMAP", "tsne": "t-SNE"}.get(method, method)

    def run(task: Task):
        task.report(0.1, f"{title} running (the first UMAP in a fresh server compiles for ~10 s)")
        ds = dataset(ds_name)
        x = np.ascontiguousarray(ds.x_test[analysis.view_indices(ds)])  # sent, so uploads work too
        return _in_worker(projections.project_points, method, x, proj)

    return projection_tasks().submit((method, ds_name, proj), run, label=method, restart=restart)


def finished_projection(method: str, ds_name: str, proj: ProjectionConfig = ProjectionConfig()):
    """The (N, 2) result of a finished background projection, or None (none asked, or not done)."""
    task = projection_tasks().get((method, ds_name, proj))
    return task.result if task is not None and task.finished_ok else None


def warm_up() -> None:
    """Start the sidebar data set's UMAP in the background as soon as a session opens, so the
    first one (numba compiles for ~10 s) is ready by the time the autoencoder is."""
    cfg = st.session_state.get("active_cfg")
    if cfg is not None:
        projection_task("umap", cfg.data.name)


def config_diff(old: ExperimentConfig, new: ExperimentConfig) -> str:
    """'epochs 5 → 20, latent_dim 2 → 3': the settings that differ."""
    a, b = old.to_dict(), new.to_dict()
    out = [f"{k} {a[s][k]} → {b[s][k]}" for s in a for k in a[s] if a[s][k] != b[s][k]]
    return ", ".join(out) or "nothing"


_MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "html": "text/html"}


def chart(fig, key: str, container=None, **kwargs):
    """st.plotly_chart plus an Export menu (see export_menu)."""
    c = container if container is not None else st
    name = figure_name(fig, key)
    event = c.plotly_chart(fig, key=key, config=plotly_config(name), **kwargs)
    export_menu(c, lambda: fig, name, key)
    return event


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
    with container.popover("Export", icon=":material/download:"):
        for fmt in export.STATIC_FORMATS:
            st.download_button(fmt.upper(), data=deferred(lambda f=fmt: export.figure_bytes(make_fig(), f), keys[fmt]),
                               file_name=f"{name}.{fmt}", mime=_MIME[fmt], key=keys[fmt],
                               on_click="ignore", disabled=not has_browser,
                               help=None if has_browser else export.INSTALL_CHROME, width="stretch")
        st.download_button("HTML (interactive)", data=deferred(lambda: export.figure_html(make_fig()), keys["html"]),
                           file_name=f"{name}.html", mime=_MIME["html"], key=keys["html"], on_click="ignore",
                           width="stretch")
    export_failures(container, keys.values())


# (session id, download button key) -> why its last file could not be made; bounded, oldest dropped.
_failed_downloads: OrderedDict[tuple[str, str], str] = OrderedDict()


def _session_id() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else ""


def deferred(make, key: str):
    """make(), for a download button whose file is made when it is pressed (in Streamlit's
    download thread, outside any rerun). A failure is remembered for this session and shown by
    export_failures() on its next rerun; Streamlit logs its traceback once and says "Failed to
    generate file" under the button, and pressing the button again is the retry."""
    slot = (_session_id(), key)

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
    session = _session_id()
    for key in keys:
        if why := _failed_downloads.get((session, key)):
            container.error(f"**The last export failed.** {why} Press the button again to retry.",
                            icon=":material/error:")


def failure(what: str, task: Task, retry, key: str) -> None:
    """A failed background job, shown once where its result would be: what failed, why, and a
    Retry button (the only way it runs again). `retry()` resubmits it."""
    st.error(f"**{what}.** {task.error}", icon=":material/error:")
    st.button("Retry", key=key, on_click=retry, icon=":material/refresh:",
              help="Run it again. Nothing else on the page is affected.")


def about(text: str) -> None:
    with st.expander("About this view"):
        st.markdown(text)


def wait_seconds(task: Task) -> float:
    return time.time() - (task.started or task.created)
