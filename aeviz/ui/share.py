"""The class board on every page: the teacher's task above each, and "Share with the class" on the
Latent page (jobs.board holds the entries; page_board shows them)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

import streamlit as st

from .. import data, failures, i18n
from ..i18n import t
from ..jobs import board
from . import session

if TYPE_CHECKING:  # the task banner, on every page, loads neither torch nor plotly
    from .shown import ShownModel

BOARD_PAGE = "aeviz/ui/page_board.py"
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: str) -> str:
    """A user's words inside Streamlit markdown, shown as they were typed: no link, emphasis, icon
    (":material/...:"), formula or HTML. Streamlit reads icons before markdown, so no backslash stops
    them: a zero-width space after each colon does."""
    return _MARKDOWN.sub(r"\\\1", text).replace(":", ":\u200b")


def task_banner() -> None:
    """The teacher's task, at the top of every page, with its criterion in words."""
    task = board.task()
    if task is None:
        return
    st.info(f"**{t('board.task_label')}** {plain(task.text)}  \n{criterion(task)}", icon=":material/assignment:")


def criterion(task: board.Task) -> str:
    """What the board checks, in words: 'ranked by kNN accuracy; a 2-number code; at most 30 s of training'."""
    parts = [t("board.ranked_by", metric=metric_label(task.metric))]
    if task.latent_dim is not None:
        parts.append(t("board.needs_k", k=task.latent_dim))
    if task.max_seconds is not None:
        parts.append(t("board.needs_seconds", seconds=task.max_seconds))
    return "; ".join(parts)


def metric_label(metric: str) -> str:
    return t(f"board.metric.{metric}")


def section(shown: ShownModel) -> None:
    """Share the shown model with the class: a name, then one press."""
    st.subheader(t("share.header"))
    if shown.cfg.data.name not in data.DATASETS:
        st.caption(t("board.upload_not_shared"))
        return
    with st.form("share_form", border=False):
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        name = c1.text_input(t("share.name"), max_chars=board.NAME_CHARS[1], key="share_name",
                             help=t("share.name_help", lo=board.NAME_CHARS[0], hi=board.NAME_CHARS[1]))
        pressed = c2.form_submit_button(t("share.button"), icon=":material/groups:", width="stretch")
    if pressed:
        _share(shown, name)
    if (outcome := session.shared(shown.cfg)) is not None:
        ok, message = outcome
        if ok:
            st.success(i18n.text(message), icon=":material/check_circle:")
            st.page_link(BOARD_PAGE, label=t("share.see_board"), icon=":material/leaderboard:")
        else:
            st.error(i18n.text(message), icon=":material/block:")


def _share(shown: ShownModel, name: str) -> None:
    from .. import figures

    view = shown.view
    scores = {"knn_accuracy": view.scores["knn_accuracy"], "trustworthiness": view.scores["trustworthiness"],
              "mse": view.error}
    try:
        entry = board.share(name, shown.cfg, scores, shown.result.seconds,
                            figures.map_thumbnail(view.emb, view.labels), session.session_id())
    except board.BoardError as exc:
        session.set_shared(shown.cfg, False, failures.message(exc))
    else:
        session.set_shared(shown.cfg, True, i18n.Msg("share.done", name=plain(entry.name)))
