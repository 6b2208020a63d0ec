"""Lessons: each claim of the autoencoder chapter as a one-click experiment with a verdict."""
from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from aeviz import cost, data, failures, jobs, lessons
from aeviz.figures.lessons import lesson_figures
from aeviz.i18n import t
from aeviz.ui import charts, progress, session

PAGE = "aeviz/ui/page_lessons.py"  # this page, as links to one of its lessons name it


class Settings(NamedTuple):
    """What the page's controls set for every lesson (a lesson with a fixed data set keeps its own)."""

    dataset: str
    seed: int
    epochs: int  # 0: each lesson's own epochs


def main() -> None:
    settings = settings_section()
    name = st.query_params.get("lesson")
    if name in lessons.LESSONS:
        # The address names the lesson, so a teacher can copy it: written on every run, since a page
        # link's query parameters reach this run but not always the browser's address bar.
        st.query_params.from_dict({"lesson": name, **_language_param()})
        st.page_link(PAGE, label=t("lessons_page.all"), icon=":material/arrow_back:",
                     query_params=_language_param())
        lesson_section(name, lessons.LESSONS[name], settings)
        return
    header_section()
    if name is not None:  # a link to a lesson that is not (or no longer) one
        st.warning(t("lessons_page.unknown", name=name, valid=", ".join(lessons.LESSONS)))
    run_all_section(settings)
    contents_section(settings)


def header_section() -> None:
    st.header(t("lessons_page.header"))
    st.caption(t("lessons_page.intro"))


def settings_section() -> Settings:
    """The lessons' settings, in the sidebar: the only settings the lessons read."""
    sb = st.sidebar
    sb.subheader(t("lessons_page.settings"))
    offline = [n for n, d in data.DATASETS.items() if d.offline and n != "gaussian-noise"]
    dataset = sb.selectbox(t("lessons_page.dataset"), offline, format_func=lambda n: data.DATASETS[n].title,
                           key="lesson_data", help=t("lessons_page.dataset_help"))
    seed = int(sb.number_input(t("lessons_page.seed"), 0, 10_000, 0, key="lesson_seed"))
    epochs = int(sb.number_input(t("lessons_page.epochs"), 0, 200, 0, key="lesson_epochs",
                                 help=t("lessons_page.epochs_help")))
    return Settings(dataset, seed, epochs)


def _language_param() -> dict:
    """The link's language, as the sidebar writes it: only when it is not the default."""
    from aeviz import i18n

    lang = st.session_state.get("w_lang", i18n.DEFAULT)
    return {} if lang == i18n.DEFAULT else {"lang": lang}


def badge(name: str, settings: Settings, container=st) -> None:
    """Where the lesson stands on this server, in a word and an icon's shape (colour only repeats
    them): held, did not hold, running, waiting, failed, refused, not run."""
    key = _key(name, settings)
    job = jobs.backend().lessons.get(key)
    if job is None:
        refused = session.refusal(f"lesson:{name}", key) is not None
        word, icon, color = (("refused", ":material/block:", "orange") if refused
                             else ("not_run", ":material/radio_button_unchecked:", "gray"))
        container.badge(t(f"lessons_page.badge.{word}"), icon=icon, color=color)
    elif job.pending:
        if job.status == "running":
            container.badge(t("lessons_page.badge.running", percent=100 * job.progress),
                            icon=":material/hourglass_top:", color="blue")
        else:
            container.badge(t("lessons_page.badge.waiting"), icon=":material/schedule:", color="gray")
    elif job.status == "failed":
        container.badge(t("lessons_page.badge.failed"), icon=":material/error:", color="red")
    elif job.result is not None and job.result.holds:
        container.badge(t("lessons_page.badge.held"), icon=":material/check_circle:", color="green")
    elif job.result is not None:
        container.badge(t("lessons_page.badge.not_held"), icon=":material/cancel:", color="violet")


def _pending(settings: Settings) -> bool:
    return any((job := jobs.backend().lessons.get(_key(n, settings))) is not None and job.pending
               for n in lessons.LESSONS)


def contents_section(settings: Settings) -> None:
    """Every lesson in a row: its badge, its title (a link naming it), its claim and its cost.
    While any runs, the rows refresh every second, so each badge fills in as its lesson ends."""
    st.caption(t("lessons_page.toc_intro"))
    (_live_rows if _pending(settings) else _rows)(settings)


def _rows(settings: Settings) -> None:
    for name, lesson in lessons.LESSONS.items():
        with st.container(border=True, key=f"toc_{name}"):
            state, text = st.columns([1, 4], vertical_alignment="center")
            badge(name, settings, state)
            text.page_link(PAGE, label=f"**{lesson.title}**", query_params={"lesson": name, **_language_param()})
            text.caption(f"{lesson.claim} · {cost.say(_estimate(name, _items(name, settings)))}")


@st.fragment(run_every=1.0)
def _live_rows(settings: Settings) -> None:
    if not _pending(settings):
        st.rerun(scope="app")  # the last one ended: the page stops refreshing
    _rows(settings)


def run_all_section(settings: Settings) -> None:
    """Run every lesson not run yet: all are queued at once and the training slots take them one
    after another (the sessions take turns, so nobody else waits behind all eight)."""
    total = sum(_estimate(n, _items(n, settings)) for n in lessons.LESSONS)
    col, caption = st.columns([1, 4], vertical_alignment="center")
    if col.button(t("lessons_page.run_all"), key="run_all", icon=":material/play_arrow:"):
        for name in lessons.LESSONS:
            job = jobs.backend().lessons.get(_key(name, settings))
            if job is None or job.status == "failed":
                _run_lesson(name, settings, restart=job is not None)
        st.rerun()
    caption.caption(t("lessons_page.run_all_cost", time=cost.say(total)))


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


def _items(name: str, settings: Settings) -> tuple:
    """_kwargs as a hashable key of _estimate's cache."""
    return tuple(sorted(_kwargs(name, settings).items()))


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
    st.header(lesson.title)
    badge(name, settings)
    st.subheader(lesson.claim)
    _quote(lesson)
    st.caption(lesson.about)
    job = jobs.backend().lessons.get(key)
    run_col, cost_col = st.columns([1, 5], vertical_alignment="center")
    if run_col.button(t("lessons_page.run"), key=f"run_{name}", disabled=job is not None and job.pending):
        job = _run_lesson(name, settings, restart=job is not None and job.status == "failed")
    cost_col.caption(t("lessons_page.cost", time=cost.say(_estimate(name, _items(name, settings)))) if job is None
                     else "")
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


main()
