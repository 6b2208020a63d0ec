"""What the Latent page draws and scores of the held-out digits: every one of them up to the
upload limit's 14,000, scores on a stratified 2,000, t-SNE on a stratified 5,000, and every digit
in the export, with nothing sampled that the page cannot say."""
import csv
import io

import numpy as np
import pytest

from aeviz import analysis, cost, data, export, figures, metrics, report


def _dataset(n_test: int, seed: int = 0) -> data.Dataset:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n_test)
    x = np.clip(rng.normal(y[:, None] / 10, 0.2, size=(n_test, 16)), 0, 1).astype(np.float32)
    return data.Dataset("test", x[:50], y[:50], x, y, (4, 4), tuple(map(str, range(10))))


def test_every_held_out_digit_is_viewed_up_to_the_upload_limits_share():
    assert analysis.VIEW_SIZE == 70_000 // 5  # the upload limit's held-out 20%
    assert analysis.TRACKED == cost.TRACKED  # the estimate counts the codes the replay keeps
    ds = _dataset(6000)
    assert np.array_equal(analysis.view_indices(ds), np.arange(6000))
    assert analysis.sampling(6000, "ae") == analysis.Sampling(total=6000, drawn=6000, scored=analysis.SCORED)
    assert analysis.sampling(6000, "tsne") == analysis.Sampling(6000, analysis.TSNE_MAX, analysis.SCORED)
    assert analysis.sampling(300, "tsne").complete and not analysis.sampling(2001, "umap").complete


def test_a_sample_keeps_each_class_share_and_is_the_same_every_time():
    labels = np.random.default_rng(1).integers(0, 10, 6000)
    pos = analysis.subset(labels, 2000)
    assert len(pos) == 2000 and len(set(pos)) == 2000 and np.array_equal(pos, analysis.subset(labels, 2000))
    share, whole = np.bincount(labels[pos], minlength=10) / 2000, np.bincount(labels, minlength=10) / 6000
    assert np.abs(share - whole).max() < 1 / 2000 + 1e-9  # stratified: off by at most one digit a class
    assert np.array_equal(analysis.subset(labels[:500], 2000), np.arange(500))  # fewer: all of them


def test_the_scores_are_the_metrics_on_the_stated_sample_and_exact_below_it():
    ds = _dataset(6000)
    emb = ds.x_test[:, :2] + np.random.default_rng(2).normal(0, 0.05, (6000, 2))
    pos = analysis.subset(ds.y_test, analysis.SCORED)
    sampled = metrics.embedding_scores(ds.x_test[pos], emb[pos], ds.y_test[pos])
    assert analysis.scores(ds.x_test, emb, ds.y_test) == sampled
    small = slice(0, 800)
    assert analysis.scores(ds.x_test[small], emb[small], ds.y_test[small]) == \
        metrics.embedding_scores(ds.x_test[small], emb[small], ds.y_test[small])


def test_tsne_draws_a_stratified_sample_and_the_export_keeps_every_digit():
    ds = _dataset(6000)
    ids = analysis.drawn_ids(ds, "tsne")
    assert len(ids) == analysis.TSNE_MAX and np.isin(ids, analysis.view_indices(ds)).all()
    assert np.array_equal(analysis.drawn_ids(ds, "umap"), np.arange(6000))
    emb = np.random.default_rng(3).normal(size=(len(ids), 2)).astype(np.float32)
    rows = analysis.every_row(emb, ds, "tsne")
    assert rows.shape == (6000, 2) and np.array_equal(analysis.filled_rows(rows), ids)
    assert np.array_equal(rows[ids], emb) and np.isnan(np.delete(rows, ids, axis=0)).all()
    view = analysis.LatentView(np.arange(6000), ds.x_test, ds.y_test, ds.x_test[:, :3], ds.x_test,
                               ds.x_test[:, :2].copy())
    table = list(csv.DictReader(io.StringIO(report.latent_csv(view, ds, {"tsne": rows}).decode())))
    assert len(table) == 6000  # every held-out digit, its t-SNE cells empty outside the sample
    assert sum(r["tsne_x"] == "" for r in table) == 6000 - analysis.TSNE_MAX
    assert float(table[ids[0]]["tsne_x"]) == pytest.approx(emb[0, 0])


@pytest.mark.parametrize("n, kind", [(figures.SVG_MAX_POINTS, "scatter"), (figures.SVG_MAX_POINTS + 1, "scattergl")])
def test_large_maps_are_webgl_with_the_same_shapes_and_files_get_vector_points(n, kind):
    labels = np.arange(n) % 10
    fig = figures.embedding(np.random.default_rng(4).normal(size=(n, 2)), labels, selected=np.arange(5))
    assert {tr.type for tr in fig.data} == {kind}
    assert sum(len(tr.x) for tr in fig.data[:10]) == n  # every point, in ten class traces
    assert [tr.marker.symbol for tr in fig.data[:10]] == [figures.class_symbol(c) for c in range(10)]
    flat = export.vector_points(fig.to_dict())
    assert {tr["type"] for tr in flat["data"]} == {"scatter"}
    assert [tr["marker"] for tr in flat["data"]] == [tr["marker"] for tr in fig.to_dict()["data"]]
