"""Lessons: each claim of the autoencoder chapter as a one-click experiment with a verdict."""
from __future__ import annotations

import streamlit as st

from aeviz import cost, data, failures, jobs, lessons
from aeviz.figures.lessons import lesson_figures
from aeviz.i18n import t
from aeviz.ui import charts, common, session

st.header(t("lessons_page.header"))
st.caption(t("lessons_page.intro"))

c1, c2, c3 = st.columns(3)
offline = [n for n, d in data.DATASETS.items() if d.offline and n != "gaussian-noise"]
dataset = c1.selectbox(t("lessons_page.dataset"), offline, format_func=lambda n: data.DATASETS[n].title,
                       key="lesson_data", help=t("lessons_page.dataset_help"))
seed = int(c2.number_input(t("lessons_page.seed"), 0, 10_000, 0, key="lesson_seed"))
epochs = int(c3.number_input(t("lessons_page.epochs"), 0, 200, 0, key="lesson_epochs",
                             help=t("lessons_page.epochs_help")))


def _key(name: str) -> tuple:
    les = lessons.LESSONS[name]
    return ("lesson", name, les.dataset if les.fixed_dataset else dataset, seed, epochs)


def _kwargs(name: str) -> dict:
    kwargs = {"seed": seed, "epochs": epochs or None}
    if not lessons.LESSONS[name].fixed_dataset:
        kwargs["dataset"] = dataset
    return kwargs


@st.cache_data(max_entries=256, show_spinner=False)
def _estimate(name: str, kwargs_items: tuple) -> float:
    """The lesson's cost on this server (its nets, planned without training them)."""
    return cost.lesson_seconds(name, dict(kwargs_items))


def _run_lesson(name: str, restart: bool = False):
    try:
        return jobs.backend().lesson(_key(name), name, _kwargs(name), restart=restart, session=session.session_id())
    except jobs.OverBudget as exc:  # nothing starts
        session.refuse(f"lesson:{name}", _key(name), failures.message(exc))
        return None


@st.fragment(run_every=1.0)
def _wait(key) -> None:
    task = jobs.backend().lessons.get(key)
    if task is None or not task.pending:
        st.rerun(scope="app")
    st.progress(task.progress, text=t("lessons_page.waiting", message=str(task.message),
                                      seconds=common.wait_seconds(task)))


def _quote(les: lessons.Lesson) -> None:
    """The chapter's own sentence for the claim, as a quotation attributed to it (the Portuguese is
    the chapter's words; the English, a translation; a lesson beyond the chapter says so)."""
    source = t("lessons_page.quoted_beyond" if les.beyond_chapter else "lessons_page.quoted")
    st.markdown(f"> “{les.quote}”\n>\n> {source}")


def _verdict(lesson: lessons.Verdict) -> None:
    # the sentence and criterion are Msgs, made in a background job: str() words them for this reader
    if lesson.holds:
        st.success(t("lessons_page.held", sentence=str(lesson.sentence)), icon=":material/check_circle:")
    else:
        st.warning(t("lessons_page.not_held", sentence=str(lesson.sentence)), icon=":material/cancel:")
    st.caption(t("lessons_page.criterion", criterion=str(lesson.criterion)))


for name, les in lessons.LESSONS.items():
    key = _key(name)
    st.subheader(les.claim)
    _quote(les)
    st.caption(les.about)
    task = jobs.backend().lessons.get(key)
    run_col, cost_col = st.columns([1, 5], vertical_alignment="center")
    if run_col.button(t("lessons_page.run"), key=f"run_{name}", disabled=task is not None and task.pending):
        task = _run_lesson(name, restart=task is not None and task.status == "failed")
    cost_col.caption(t("lessons_page.cost", time=cost.say(_estimate(name, tuple(sorted(_kwargs(name).items())))))
                     if task is None else "")
    if task is None and (refused := session.refusal(f"lesson:{name}", key)) is not None:
        st.error(str(refused), icon=":material/block:")
    if task is None:
        st.divider()
        continue
    if task.pending:
        _wait(key)
    elif task.status == "failed":
        common.failure(t("lessons_page.failed"), task, lambda n=name: _run_lesson(n, restart=True), f"retry_{name}")
    elif task.result is not None:
        lesson = task.result
        _verdict(lesson)
        figs = lesson_figures(lesson)
        for i, (col, fig) in enumerate(zip(st.columns(len(figs)), figs)):
            charts.chart(container=col, fig=fig, key=f"fig_{name}_{i}")
        with st.expander(t("lessons_page.numbers")):
            st.json(lesson.to_json())
    st.divider()
