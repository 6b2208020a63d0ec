"""The Latent page's downloads: the panels' points, the metrics, the model's files and the whole
report, each made when pressed."""
from __future__ import annotations

import streamlit as st

from aeviz import analysis, report, tables, weights
from aeviz.i18n import t
from aeviz.ui import baselines, charts
from aeviz.ui.shown import ShownModel


def _baselines(shown: ShownModel) -> dict:
    """The baselines' points ready now, on every viewed digit's row: PCA, and UMAP and t-SNE once
    finished (t-SNE's rows outside its sample empty)."""
    proj = baselines.dims(shown.view.codes.shape[1])
    out = {"pca": baselines.pca_projection(shown.ds, shown.digits, proj.n_components)}
    for m in ("umap", "tsne"):
        if (emb := baselines.finished_projection(m, shown.digits, proj)) is not None:
            out[m] = analysis.every_row(emb, shown.ds, m)
    return out


def section(shown: ShownModel) -> None:
    """The codes, the metrics, the model's files and the whole report, each made when pressed."""
    cfg, result, view, ds = shown.cfg, shown.result, shown.view, shown.ds
    st.subheader(t("latent.export_header"))
    st.caption(t("latent.export_caption"))
    downloads = [  # (label, key, make the bytes, file name, MIME type, icon)
        (t("latent.dl_codes"), "dl_codes", lambda: report.latent_csv(view, ds, _baselines(shown)), "codes.csv",
         "text/csv", ":material/table:"),
        (t("latent.dl_metrics"), "dl_metrics",
         lambda: tables.metrics_json(report.all_metrics(cfg, result, view, ds, _baselines(shown))),
         "metrics.json", "application/json", ":material/data_object:"),
        (t("latent.dl_weights"), "dl_weights", lambda: weights.model_bytes(result.model), "model.safetensors",
         "application/octet-stream", ":material/memory:"),
        (t("latent.dl_config"), "dl_config", lambda: weights.config_json(cfg, ds.image_shape), "model.json",
         "application/json", ":material/settings:"),
        (t("latent.dl_report"), "dl_report",
         lambda: report.zip_bytes(report.build(cfg, result, view, ds, _baselines(shown))), "aeviz-report.zip",
         "application/zip", ":material/folder_zip:"),
    ]
    for col, (label, key, make, file_name, mime, icon) in zip(st.columns(len(downloads)), downloads):
        report_button = key == "dl_report"
        col.download_button(label, charts.deferred(make, key), file_name, mime, key=key, on_click="ignore", icon=icon,
                            width="stretch", type="primary" if report_button else "secondary",
                            help=t("latent.dl_report_help") if report_button else None)
    charts.export_failures(st, [d[1] for d in downloads])
