"""The report of one trained model: every file the app's "Download report" and `python -m aeviz
report` produce, as name -> bytes (config, metrics, figures as HTML and PNG, codes CSV, weights),
with a README.txt that says what each file is, as a zip or a folder. Only `write_dir` writes (for
the CLI)."""
from __future__ import annotations

import fnmatch
import io
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath

import numpy as np
import plotly.graph_objects as go

from . import analysis, data, export, figures, metrics, noise, projections, tables, weights
from .config import DENOISE_NOISE, DENOISE_SEED, ExperimentConfig
from .i18n import t
from .nets import infer, loop


def panel_coords(view: analysis.LatentView, baselines: dict[str, np.ndarray]) -> dict:
    """The coordinates of every panel of the latent page, by name: codes, autoencoder, pca, umap...
    baselines: name -> (N, d) on the view's rows (analysis.every_row: NaN where a panel drew none)."""
    return {"code": view.codes, "autoencoder": view.emb, **baselines}


def latent_csv(view: analysis.LatentView, ds: data.Dataset, baselines: dict[str, np.ndarray]) -> bytes:
    """codes.csv: one row per viewed held-out digit, its code and its place in every panel."""
    return tables.points_csv(view.ids, view.labels, "test", panel_coords(view, baselines),
                             class_names=list(ds.class_names))


def all_metrics(cfg: ExperimentConfig, result: loop.TrainResult, view: analysis.LatentView,
                ds: data.Dataset, baselines: dict[str, np.ndarray]) -> dict:
    scores = {"autoencoder": view.scores}
    for name, emb in baselines.items():
        rows = analysis.filled_rows(emb)  # t-SNE's sample: its other rows are NaN
        scores[name] = analysis.scores(view.x[rows], emb[rows], view.labels[rows])
    return {"dataset": ds.describe(), "reconstruction_mse_per_pixel": view.error,
            "reconstruction_sse_per_image": metrics.reconstruction_error(view.x, view.recon, per="image"),
            "psnr_db": metrics.psnr(view.x, view.recon), "ssim": metrics.ssim(view.x, view.recon, ds.image_shape),
            "epochs_run": result.epochs_run, "train_seconds": result.seconds, "train_loss": result.train_loss,
            "val_loss": result.val_loss, "embedding_scores": scores}


def report_figures(result: loop.TrainResult, view: analysis.LatentView, ds: data.Dataset,
                   baselines: dict[str, np.ndarray]) -> dict[str, go.Figure]:
    names = list(ds.class_names)
    figs = {"latent_autoencoder": figures.embedding(view.emb, view.labels, title="Autoencoder", class_names=names,
                                                    scores=analysis.display_scores(view.scores))}
    for name, emb in baselines.items():
        rows = analysis.filled_rows(emb)
        scores = analysis.display_scores(analysis.scores(view.x[rows], emb[rows], view.labels[rows]))
        figs[f"latent_{name}"] = figures.embedding(emb[rows], view.labels[rows], title=projections.title(name),
                                                   class_names=names, scores=scores, ids=view.ids[rows])
    figs["loss_curves"] = figures.loss_curves(np.array(result.train_loss), np.array(result.val_loss))
    shown = DENOISE_NOISE
    noisy = noise.corrupt(view.x[:12], shown.kind, shown.level, seed=DENOISE_SEED)
    figs["denoising"] = figures.triptych(noisy, view.x[:12], infer.reconstruct(result.model, noisy), ds.image_shape,
                                         title=t("export.report.denoising", kind=t(f"export.report.noise.{shown.kind}"),
                                                 level=shown.level))
    if view.codes.shape[1] == 2 and result.codes_per_epoch is not None:
        figs["replay"] = figures.replay(result.codes_per_epoch, ds.y_test[analysis.track_indices(ds)],
                                        class_names=names)
    return figs


def build(cfg: ExperimentConfig, result: loop.TrainResult, view: analysis.LatentView, ds: data.Dataset,
          baselines: dict[str, np.ndarray], png: bool = True,
          progress: Callable[[str], None] | None = None) -> dict[str, bytes]:
    """Every report file, its texts in the current language. PNGs need Chromium; without one they are
    left out and a note says why."""
    files = {"config.json": tables.metrics_json(cfg.to_dict()),
             "metrics.json": tables.metrics_json(all_metrics(cfg, result, view, ds, baselines)),
             "codes.csv": latent_csv(view, ds, baselines),
             "model.safetensors": weights.model_bytes(result.model),
             "model.json": weights.config_json(cfg, ds.image_shape)}
    for name, fig in report_figures(result, view, ds, baselines).items():
        files[f"{name}.html"] = export.figure_html(fig)
        if png:
            if progress:
                progress(t("export.report.rendering", name=f"{name}.png"))
            try:
                files[f"{name}.png"] = export.figure_bytes(fig, "png", scale=2)
            except export.ExportError as exc:
                files["PNG-MISSING.txt"] = str(exc).encode()
                png = False
    return files


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


def file_description(name: str) -> str:
    """What a report file is, from its name (e.g. 'latent.html' -> 'interactive figure, ...'), in the
    current language; the file names themselves stay as they are."""
    base = PurePosixPath(name).name
    key = next((k for pattern, k in _DESCRIPTIONS if fnmatch.fnmatch(base, pattern)), "export.readme.other")
    return t(key)


def _readme(names: Sequence[str]) -> bytes:
    """README.txt, in the language of whoever asked for the report (it is written when they do)."""
    lines = [t("export.readme.title"), "", t("export.readme.files")]
    lines += [f"  {n}: {file_description(n)}" for n in sorted(names)]
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


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip (deflated) of name -> bytes plus a README.txt describing every file."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content in _with_readme(files).items():
            zf.writestr(name, content)
    return buf.getvalue()


def write_dir(files: dict[str, bytes], out_dir) -> list[Path]:
    """Write the report's files and README.txt under out_dir (created); returns the paths written."""
    out = Path(out_dir)
    paths = []
    for name, content in _with_readme(files).items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        paths.append(path)
    return paths
