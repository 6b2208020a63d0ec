"""Lessons: each claim of the autoencoder chapter as a one-click experiment with a number."""
from __future__ import annotations

import streamlit as st

from aeviz import data, experiments
from aeviz.lesson_figures import lesson_figures
from aeviz.ui import common

st.header("Lessons")
st.caption("Each lesson turns one claim about autoencoders into an experiment. Press Run: it trains what "
           "it needs in the background (well under a minute on MNIST-5k), then shows the evidence and "
           "the number that decides the claim. Results are cached for everyone on this server.")

CLAIMS = {
    "bottleneck": ("A bottleneck forces a compressed representation",
                   "Error on held-out digits as the code narrows from 64 numbers to 1: the autoencoder, a "
                   "linear autoencoder and PCA. Narrower codes lose more. The non-linear net wins clearly at "
                   "narrow codes; at wide ones, on this short training budget, PCA catches up."),
    "linear-vs-pca": ("A linear autoencoder learns what PCA learns",
                      "Without non-linearities the best an autoencoder can do is PCA's projection. The "
                      "error ratio should be close to 1 and the principal angles between the decoder's "
                      "subspace and PCA's close to 0 (the basis inside it may be rotated)."),
    "structure-vs-noise": ("Structure can be compressed; i.i.d. noise cannot",
                           "The same 32-D autoencoder on digits and on independent Gaussian pixels. Digits' "
                           "pixels are correlated, so little is lost; noise has nothing to share."),
    "sparsity": ("With a sparsity constraint, many hidden units still find structure",
                 "200 sigmoid hidden units, pushed towards a mean firing rate ρ by a KL penalty (UFLDL's "
                 "form), against the same net without it. The first-layer weights, drawn as images, show "
                 "what each unit looks for."),
    "overcomplete": ("Too much capacity just copies the input",
                     "A code twice as wide as the image with no constraint: near-zero training error, but "
                     "it reconstructs random noise as readily as digits, and it passes noise through where "
                     "a denoising autoencoder removes it."),
    "denoise-then-classify": ("Denoise first, then classify",
                              "A small CNN trained on clean digits loses accuracy on noisy ones; cleaning "
                              "them with a denoising autoencoder first wins much of it back."),
    "chapter-example": ("The chapter's example: n = 100 inputs, s = 50 hidden units",
                        "Digits shrunk to 10x10 pass through 50 hidden units, beside PCA with 50 "
                        "components."),
}

c1, c2 = st.columns(2)
offline = [n for n, d in data.DATASETS.items() if d.offline and n != "gaussian-noise"]
dataset = c1.selectbox("Data set for the lessons", offline, format_func=lambda n: data.DATASETS[n].title,
                       key="lesson_data", help="The chapter example always uses 10x10 digits.")
seed = c2.number_input("Seed", 0, 10_000, 0, key="lesson_seed")


def _lesson_fn(name: str, ds: str, s: int):
    def run(task):
        kwargs = {"seed": s, "progress": lambda f, m: task.report(f, m)}
        if name != "chapter-example":
            kwargs["dataset"] = ds
        return experiments.run(name, **kwargs)

    return run


def _run_lesson(key: tuple, name: str, restart: bool = False):
    return common.training_tasks().submit(key, _lesson_fn(name, dataset, int(seed)), label=name, restart=restart)


@st.fragment(run_every=1.0)
def _wait(key) -> None:
    task = common.training_tasks().get(key)
    if task is None or not task.active:
        st.rerun(scope="app")
    st.progress(task.progress, text=f"{task.message} ({common.wait_seconds(task):.0f} s)")


for name, (claim, text) in CLAIMS.items():
    key = ("lesson", name, dataset if name != "chapter-example" else "mnist-10x10", int(seed))
    st.subheader(claim)
    st.caption(text)
    task = common.training_tasks().get(key)
    if st.button("Run", key=f"run_{name}", disabled=task is not None and task.active):
        task = _run_lesson(key, name, restart=task is not None and task.status == "failed")
    if task is None:
        st.divider()
        continue
    if task.active:
        _wait(key)
    elif task.status == "failed":
        common.failure("The lesson failed", task, lambda k=key, n=name: _run_lesson(k, n, restart=True),
                       f"retry_{name}")
    elif task.result is not None:
        lesson = task.result
        st.success(lesson.sentence)
        figs = lesson_figures(lesson)
        cols = st.columns(len(figs))
        for i, (col, fig) in enumerate(zip(cols, figs)):
            common.chart(container=col, fig=fig, key=f"fig_{name}_{i}")
        with st.expander("The numbers"):
            st.json(lesson.numbers)
    st.divider()
