"""Lessons: each claim of the autoencoder chapter as a one-click experiment with a verdict."""
from __future__ import annotations

import streamlit as st

from aeviz import cost, data, experiments, jobs
from aeviz.figures.lessons import lesson_figures
from aeviz.ui import common, session

st.header("Lessons")
st.caption("Each lesson turns one claim about autoencoders into an experiment. Press Run: it trains what "
           "it needs in the background, then shows the evidence, the numbers, and whether the claim held on "
           "this run by a criterion stated beforehand. Results are cached for everyone on this server.")

c1, c2, c3 = st.columns(3)
offline = [n for n, d in data.DATASETS.items() if d.offline and n != "gaussian-noise"]
dataset = c1.selectbox("Data set for the lessons", offline, format_func=lambda n: data.DATASETS[n].title,
                       key="lesson_data", help="The chapter's example always uses 10x10 digits.")
seed = int(c2.number_input("Seed", 0, 10_000, 0, key="lesson_seed"))
epochs = int(c3.number_input("Epochs for every net (0: each lesson's own)", 0, 200, 0, key="lesson_epochs",
                             help="Fewer epochs starve the nets: watch a claim fail, and read why."))


def _key(name: str) -> tuple:
    spec = experiments.LESSONS[name]
    return ("lesson", name, spec.dataset if spec.fixed_dataset else dataset, seed, epochs)


def _kwargs(name: str) -> dict:
    kwargs = {"seed": seed, "epochs": epochs or None}
    if not experiments.LESSONS[name].fixed_dataset:
        kwargs["dataset"] = dataset
    return kwargs


@st.cache_data(max_entries=256, show_spinner=False)
def _estimate(name: str, kwargs_items: tuple) -> float:
    """The lesson's cost on this server (its nets, planned without training them)."""
    return cost.lesson_seconds(name, dict(kwargs_items))


def _run_lesson(name: str, restart: bool = False):
    try:
        return jobs.backend().lesson(_key(name), name, _kwargs(name), restart=restart, session=common.session_id())
    except jobs.OverBudget as exc:  # nothing starts
        session.refuse(f"lesson:{name}", _key(name), str(exc))
        return None


@st.fragment(run_every=1.0)
def _wait(key) -> None:
    task = jobs.backend().lessons.get(key)
    if task is None or not task.pending:
        st.rerun(scope="app")
    st.progress(task.progress, text=f"{task.message} ({common.wait_seconds(task):.0f} s)")


def _verdict(lesson: experiments.Lesson) -> None:
    if lesson.holds:
        st.success(f"**Held on this run.** {lesson.sentence}", icon=":material/check_circle:")
    else:
        st.warning(f"**Did not hold on this run.** {lesson.sentence}", icon=":material/cancel:")
    st.caption(f"Criterion: {lesson.criterion}")


for name, spec in experiments.LESSONS.items():
    key = _key(name)
    st.subheader(spec.claim)
    st.caption(spec.about)
    task = jobs.backend().lessons.get(key)
    run_col, cost_col = st.columns([1, 5], vertical_alignment="center")
    if run_col.button("Run", key=f"run_{name}", disabled=task is not None and task.pending):
        task = _run_lesson(name, restart=task is not None and task.status == "failed")
    cost_col.caption(f"Trains its nets: {cost.say(_estimate(name, tuple(sorted(_kwargs(name).items()))))} "
                     "on this server." if task is None else "")
    if task is None and (refused := session.refusal(f"lesson:{name}", key)) is not None:
        st.error(refused, icon=":material/block:")
    if task is None:
        st.divider()
        continue
    if task.pending:
        _wait(key)
    elif task.status == "failed":
        common.failure("The lesson failed", task, lambda n=name: _run_lesson(n, restart=True), f"retry_{name}")
    elif task.result is not None:
        lesson = task.result
        _verdict(lesson)
        figs = lesson_figures(lesson)
        for i, (col, fig) in enumerate(zip(st.columns(len(figs)), figs)):
            common.chart(container=col, fig=fig, key=f"fig_{name}_{i}")
        with st.expander("The numbers"):
            st.json(lesson.to_json())
    st.divider()
