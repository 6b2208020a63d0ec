"""The class board: every model the class shared, ranked, on one scatter; the teacher's task and tools."""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from aeviz import data, export, failures, figures, jobs, tables
from aeviz.config import KINDS
from aeviz.i18n import t
from aeviz.jobs import board
from aeviz.ui import charts, session, share, shown, sidebar

COLUMNS = ("rank", "name", "meets", "map", "kind", "k", "data", "epochs", "knn_accuracy", "trustworthiness", "mse",
           "seconds")  # the CSV has when each was shared, too


def main() -> None:
    if session.take_opened():
        st.switch_page("aeviz/ui/page_latent.py")
    st.header(t("board.header"))
    with st.expander(t("common.about")):
        st.markdown(t("board.about", n=board.MAX_ENTRIES))
    teacher = board.is_teacher(session.teacher_token())
    items, task = board.entries(with_hidden=teacher), board.task()
    if not items:
        st.info(t("board.empty"), icon=":material/groups:")
    else:
        metrics = tuple(board.METRICS)
        metric = st.selectbox(t("board.rank_by"), metrics, format_func=share.metric_label,
                              index=metrics.index(task.metric) if task else 0, key="board_metric",
                              help=t("board.rank_by_help"))
        rows = board.ranked(items, metric, task)
        table_section(rows, task, teacher)
        open_section(rows)
        scatter_section(rows, task)
    teacher_section(items, teacher)


def _row(rank, entry: board.Entry, task) -> dict:
    cfg = entry.config
    # the rank as text: "–" for an entry that does not meet the task (a number column would say "None")
    return {"rank": "–" if rank is None else str(rank), "meets": None if task is None else board.meets(entry, task),
            "name": entry.name,
            "map": entry.thumbnail, "kind": sidebar.kind_label(cfg["model"]["kind"]), "k": cfg["model"]["latent_dim"],
            "data": str(data.DATASETS[cfg["data"]["name"]].title) if cfg["data"]["name"] in data.DATASETS else "",
            "epochs": cfg["train"]["epochs"], **entry.scores, "seconds": entry.seconds, "hidden": entry.hidden}


def table_section(rows: list, task, teacher: bool) -> None:
    """The entries as a table, sortable by any column; a row's click opens its model."""
    frame = pd.DataFrame([_row(rank, e, task) for rank, e in rows])
    columns = [c for c in COLUMNS if task is not None or c != "meets"] + (["hidden"] if teacher else [])
    config = {
        "rank": st.column_config.TextColumn(t("board.col.rank"), help=t("board.col.rank_help"), width="small"),
        "meets": st.column_config.CheckboxColumn(t("board.col.meets"), help=t("board.col.meets_help"), width="small"),
        "name": st.column_config.TextColumn(t("board.col.name")),
        "map": st.column_config.ImageColumn(t("board.col.map"), help=t("board.col.map_help"), width="small"),
        "kind": t("board.col.kind"), "k": st.column_config.NumberColumn(t("board.col.k"), help=t("board.col.k_help")),
        "data": t("board.col.data"), "epochs": t("board.col.epochs"),
        "knn_accuracy": st.column_config.NumberColumn(share.metric_label("knn_accuracy"), format="%.3f"),
        "trustworthiness": st.column_config.NumberColumn(share.metric_label("trustworthiness"), format="%.3f"),
        "mse": st.column_config.NumberColumn(share.metric_label("mse"), format="%.4f"),
        "seconds": st.column_config.NumberColumn(t("board.col.seconds"), format="%.1f"),
        "hidden": st.column_config.CheckboxColumn(t("board.col.hidden")),
    }
    session.set_board_rows([e.id for _, e in rows])
    st.dataframe(frame, column_order=columns, column_config=config, hide_index=True, row_height=64,
                 on_select=_open_clicked, selection_mode="single-row", key="board_table")
    st.caption(t("board.table_caption", n=len(rows)))


def _open_clicked() -> None:
    rows = (st.session_state.get("board_table") or {}).get("selection", {}).get("rows", [])
    ids = session.board_rows()
    if rows and rows[0] < len(ids):
        _open(ids[rows[0]])


def _open(entry_id: str) -> None:
    """The entry's model on this session's pages: the sidebar set to its configuration, the model
    loaded from the store (it was pinned there when shared: nothing trains)."""
    found = [e for e in board.entries(with_hidden=True) if e.id == entry_id]
    if not found:
        return
    cfg = found[0].cfg
    sidebar.open_config(cfg)
    session.show(cfg)
    try:
        shown.start_training(cfg)
    except jobs.OverBudget as exc:  # the store lost it (a format change): said under Train
        session.refuse("train", cfg, failures.message(exc))
    session.mark_opened()


def open_section(rows: list) -> None:
    """The keyboard's way to open an entry (the table's rows answer the pointer)."""
    ids = [e.id for _, e in rows]
    names = {e.id: t("board.entry_label", name=e.name,
                     kind=sidebar.kind_label(e.config["model"]["kind"]), k=e.config["model"]["latent_dim"])
             for r, e in rows}
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    chosen = c1.selectbox(t("board.open_label"), ids, format_func=names.get, key="board_open_choice")
    c2.button(t("board.open"), on_click=_open, args=(chosen,), icon=":material/open_in_new:", width="stretch",
              key="board_open")


def scatter_section(rows: list, task) -> None:
    """Every entry at its bottleneck and error: the class's bottleneck curve, from everyone's runs."""
    points = [{"name": e.name, "kind": e.config["model"]["kind"], "latent_dim": e.config["model"]["latent_dim"],
               "mse": e.scores["mse"], "meets": task is not None and board.meets(e, task)} for _, e in rows]
    fig = figures.class_board(points, {k: sidebar.kind_label(k) for k in KINDS})
    charts.chart(fig, key="board_scatter")
    header = [t(f"board.col.{c}") if c not in board.METRICS else share.metric_label(c)  # worded here, in the
              for c in ("rank", "meets", "name", "kind", "k", "data", "epochs", *board.METRICS, "seconds",  # page's
                        "shared_at", "hidden")] + ["config"]  # language (the file is made in another thread)
    c1, c2 = st.columns(2)
    c1.download_button(t("board.dl_csv"), charts.deferred(lambda: tables.rows_csv(header, _csv_rows(rows, task)),
                                                          "board_csv"),
                       "aeviz-class-board.csv", "text/csv", key="board_csv", on_click="ignore", icon=":material/table:",
                       width="stretch")
    c2.download_button(t("board.dl_html"), charts.deferred(lambda: export.figure_html(fig), "board_html"),
                       "aeviz-class-board.html", "text/html", key="board_html", on_click="ignore",
                       icon=":material/scatter_plot:", width="stretch")
    charts.export_failures(st, ["board_csv", "board_html"])


def _csv_rows(rows: list, task) -> list[list]:
    """The board's rows for its CSV: every entry's configuration (as JSON too) and scores."""
    return [[r, None if task is None else int(board.meets(e, task)), e.name, e.config["model"]["kind"],
             e.config["model"]["latent_dim"], e.config["data"]["name"], e.config["train"]["epochs"],
             *(e.scores[m] for m in board.METRICS), e.seconds, e.shared_at, int(e.hidden),
             json.dumps(e.config, sort_keys=True)] for r, e in rows]


def teacher_section(items: list, teacher: bool) -> None:
    """The teacher's tools, behind the deployment's token: the task, and hiding entries."""
    with st.expander(t("board.teacher_header"), expanded=teacher, icon=":material/school:"):
        if not board.teacher_token_set():
            st.caption(t("board.no_token"))
            return
        if not teacher:
            with st.form("teacher_sign_in", border=False):
                token = st.text_input(t("board.token"), type="password", help=t("board.token_help"))
                signed = st.form_submit_button(t("board.sign_in"))
            if signed:
                if board.is_teacher(token):
                    session.set_teacher_token(token)
                    st.rerun()
                st.error(t("board.not_teacher"), icon=":material/block:")
            return
        st.caption(t("board.signed_in"))
        if st.button(t("board.sign_out"), key="teacher_sign_out"):
            session.set_teacher_token(None)
            st.rerun()
        task_form()
        hide_form(items)


def task_form() -> None:
    current = board.task()
    with st.form("task_form"):
        text = st.text_input(t("board.task_text"), value=current.text if current else "",
                             max_chars=board.TASK_CHARS[1], placeholder=t("board.task_placeholder"))
        c1, c2, c3 = st.columns(3)
        metrics = tuple(board.METRICS)
        metric = c1.selectbox(t("board.task_metric"), metrics, format_func=share.metric_label,
                              index=metrics.index(current.metric) if current else 0)
        k = c2.number_input(t("board.task_k"), 0, 64, value=(current.latent_dim or 0) if current else 2,
                            help=t("board.any_help"))
        seconds = c3.number_input(t("board.task_seconds"), 0.0, 3600.0, step=5.0,
                                  value=float(current.max_seconds or 0) if current else 30.0, help=t("board.any_help"))
        b1, b2 = st.columns(2)
        set_it = b1.form_submit_button(t("board.set_task"), type="primary", width="stretch")
        clear = b2.form_submit_button(t("board.clear_task"), width="stretch")
    if set_it or clear:
        task = board.Task(text, metric, int(k) or None, float(seconds) or None) if set_it else None
        try:
            board.set_task(task, session.teacher_token())
        except board.BoardError as exc:
            st.error(str(failures.message(exc)), icon=":material/block:")
        else:
            st.rerun()


def hide_form(items: list) -> None:
    if not items:
        return
    ids = [e.id for e in items]
    label = {e.id: t("board.hide_item", name=e.name, state=t("board.hidden" if e.hidden else "board.shown"))
             for e in items}
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    chosen = c1.selectbox(t("board.hide_label"), ids, format_func=label.get, key="board_hide_choice")
    entry = next(e for e in items if e.id == chosen)
    if c2.button(t("board.show_again" if entry.hidden else "board.hide"), key="board_hide", width="stretch"):
        try:
            board.set_hidden(chosen, not entry.hidden, session.teacher_token())
        except board.BoardError as exc:
            st.error(str(failures.message(exc)), icon=":material/block:")
        else:
            st.rerun()


main()
