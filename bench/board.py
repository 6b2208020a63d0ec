"""The class board at its limit, in one run: a thumbnail made, 500 entries shared, the whole board read
(what every board page's run does), ranked, and its CSV, with the bytes a board page sends a browser.

    python bench/board.py        # about 30 s (most of it training the default model once)

The board is files in a folder every server reads: each page run reads every entry, so its cost at the
limit (500) is what a class pays per click on the board.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["AEVIZ_CACHE"] = tempfile.mkdtemp(prefix="aeviz-bench-board-")  # a board of its own


def timed(fn, repeats: int = 5) -> tuple[float, object]:
    """(median seconds, the last result) over repeats."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    import numpy as np
    from results import recorded

    from aeviz import analysis, data, figures, tables
    from aeviz.config import ExperimentConfig
    from aeviz.jobs import board, store

    ds = data.load("mnist-5k")
    cfg = ExperimentConfig()  # the default model, trained and in the store, as a shared one is
    store.save(cfg, analysis.train_on(ds, cfg, track=False), ds.image_shape)
    view = analysis.latent_view(store.load(cfg)[0].model, ds)
    with recorded("board"):
        seconds, thumb = timed(lambda: figures.map_thumbnail(view.emb, view.labels))
        print(f"a map's thumbnail ({len(view.emb):,} held-out digits): {1000 * seconds:.1f} ms, "
              f"{len(thumb) / 1e3:.1f} kB")
        scores = {"knn_accuracy": 0.7, "trustworthiness": 0.9, "mse": 0.04}
        t0 = time.perf_counter()
        for i in range(board.MAX_ENTRIES):
            board.share(f"student {i}", cfg, {**scores, "knn_accuracy": float(np.random.default_rng(i).random())},
                        5.0, thumb, f"session {i}")
        shared = time.perf_counter() - t0
        print(f"{board.MAX_ENTRIES} shares, one after another: {shared:.2f} s "
              f"({1000 * shared / board.MAX_ENTRIES:.1f} ms each)")
        try:
            board.share("one too many", cfg, scores, 5.0, thumb, "late")
        except board.BoardError as exc:
            print(f"the {board.MAX_ENTRIES + 1}st: refused ({exc.args[0]})")
        seconds, items = timed(board.entries)
        print(f"the whole board read ({len(items)} entries): {1000 * seconds:.0f} ms (median of 5)")
        task = board.Task("best kNN accuracy with a 2-number code", latent_dim=2)
        seconds, _ = timed(lambda: board.ranked(items, "knn_accuracy", task))
        print(f"ranked with a task: {1000 * seconds:.1f} ms")
        rows = [[e.name, *(e.scores[m] for m in board.METRICS)] for e in items]
        seconds, csv = timed(lambda: tables.rows_csv(["name", *board.METRICS], rows))
        print(f"its CSV: {1000 * seconds:.1f} ms, {len(csv) / 1e3:.0f} kB")
        print(f"thumbnails a board page sends: {sum(len(e.thumbnail) for e in items) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
