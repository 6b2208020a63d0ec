"""Lessons: each claim of the autoencoder chapter as a one-click experiment with a verdict."""
from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from aeviz import cost, data, failures, jobs, lessons
from aeviz.figures.lessons import lesson_figures
from aeviz.i18n import t
from aeviz.ui import charts, progress, session


class Settings(NamedTuple):
    """What the page's controls set for every lesson (a lesson with a fixed data set keeps its own)."""

    dataset: str
    seed: int
    epochs: int  # 0: each lesson's own epochs


def main() -> None:
    header_section()
    settings = settings_section()
    for name, lesson in lessons.LESSONS.items():
        lesson_section(name, lesson, settings)


def header_section() -> None:
    st.header(t("lessons_page.header"))
    st.caption(t("lessons_page.intro"))


def settings_section() -> Settings:
    c1, c2, c3 = st.columns(3)
    offline = [n for n, d in data.DATASETS.items() if d.offline and n != "gaussian-noise"]
    dataset = c1.selectbox(t("lessons_page.dataset"), offline, format_func=lambda n: data.DATASETS[n].title,
                           key="lesson_data", help=t("lessons_page.dataset_help"))
    seed = int(c2.number_input(t("lessons_page.seed"), 0, 10_000, 0, key="lesson_seed"))
    epochs = int(c3.number_input(t("lessons_page.epochs"), 0, 200, 0, key="lesson_epochs",
                                 help=t("lessons_page.epochs_help")))
    return Settings(dataset, seed, epochs)


def _key(name: str, settings: Settings) -> tuple:
    """The lesson's job key: what its verdict depends on."""
    lesson = lessons.LESSONS[name]
    return ("lesson", name, lesson.dataset if lesson.fixed_dataset else settings.dataset, settings.seed,
            settings.epochs)


def _kwargs(name: str, settings: Settings) -> dict:
    """lessons.run's keywords for this lesson and these settings."""
    kwargs = {"seed": settings.seed, "epochs": settings.epochs or None}
    if not lessons.LESSONS[name].fixed_dataset:
        kwargs["dataset"] = settings.dataset
    return kwargs


@st.cache_data(max_entries=256, show_spinner=False)
def _estimate(name: str, kwargs_items: tuple) -> float:
    """The lesson's cost on this server (its nets, planned without training them)."""
    return cost.lesson_seconds(name, dict(kwargs_items))


def _run_lesson(name: str, settings: Settings, restart: bool = False) -> jobs.Job | None:
    key = _key(name, settings)
    try:
        return jobs.backend().lesson(key, name, _kwargs(name, settings), restart=restart,
                                     session=session.session_id())
    except jobs.OverBudget as exc:  # nothing starts
        session.refuse(f"lesson:{name}", key, failures.message(exc))
        return None


@st.fragment(run_every=1.0)
def _wait(job: jobs.Job) -> None:
    if not job.pending:
        st.rerun(scope="app")
    st.progress(job.progress, text=t("lessons_page.waiting", message=str(job.message),
                                     seconds=progress.wait_seconds(job)))


def _quote(lesson: lessons.Lesson) -> None:
    """The chapter's own sentence for the claim, as a quotation attributed to it (the Portuguese is
    the chapter's words; the English, a translation; a lesson beyond the chapter says so)."""
    source = t("lessons_page.quoted_beyond" if lesson.beyond_chapter else "lessons_page.quoted")
    st.markdown(f"> “{lesson.quote}”\n>\n> {source}")


def verdict_section(name: str, verdict: lessons.Verdict) -> None:
    """Whether the claim held, by which criterion, its figures and its numbers."""
    # the sentence and criterion are Msgs, made in a background job: str() words them for this reader
    if verdict.holds:
        st.success(t("lessons_page.held", sentence=str(verdict.sentence)), icon=":material/check_circle:")
    else:
        st.warning(t("lessons_page.not_held", sentence=str(verdict.sentence)), icon=":material/cancel:")
    st.caption(t("lessons_page.criterion", criterion=str(verdict.criterion)))
    figs = lesson_figures(verdict)
    for i, (col, fig) in enumerate(zip(st.columns(len(figs)), figs)):
        charts.chart(container=col, fig=fig, key=f"fig_{name}_{i}")
    with st.expander(t("lessons_page.numbers")):
        st.json(verdict.to_json())


def lesson_section(name: str, lesson: lessons.Lesson, settings: Settings) -> None:
    """One claim: its quote, what the experiment does, Run with its cost, then its job or verdict."""
    key = _key(name, settings)
    st.subheader(lesson.claim)
    _quote(lesson)
    st.caption(lesson.about)
    job = jobs.backend().lessons.get(key)
    run_col, cost_col = st.columns([1, 5], vertical_alignment="center")
    if run_col.button(t("lessons_page.run"), key=f"run_{name}", disabled=job is not None and job.pending):
        job = _run_lesson(name, settings, restart=job is not None and job.status == "failed")
    kwargs_items = tuple(sorted(_kwargs(name, settings).items()))
    cost_col.caption(t("lessons_page.cost", time=cost.say(_estimate(name, kwargs_items))) if job is None else "")
    if job is None:
        if (refused := session.refusal(f"lesson:{name}", key)) is not None:
            st.error(str(refused), icon=":material/block:")
    elif job.pending:
        _wait(job)
    elif job.status == "failed":
        progress.failure(t("lessons_page.failed"), job, lambda: _run_lesson(name, settings, restart=True),
                         f"retry_{name}")
    elif job.result is not None:
        verdict_section(name, job.result)
    st.divider()


main()
