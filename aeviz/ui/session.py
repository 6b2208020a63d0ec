"""What a session keeps between reruns, besides its widgets' values (sidebar.py owns those): every
key in one place, read and written through these functions and nowhere else; and which session
this is."""
from __future__ import annotations

from typing import Any

import streamlit as st

from ..config import ExperimentConfig
from ..i18n import Msg


def _get(key: str, default: Any = None) -> Any:
    return st.session_state.get(key, default)


def _set(key: str, value: Any) -> None:
    st.session_state[key] = value


# The model the pages show, and the configuration the sidebar describes now.
def shown_config() -> ExperimentConfig | None:
    return _get("shown_config")


def show(cfg: ExperimentConfig | None) -> None:
    """Show cfg's model on the pages; None: nothing."""
    if cfg is None:
        st.session_state.pop("shown_config", None)
    else:
        _set("shown_config", cfg)


def sidebar_config() -> ExperimentConfig:
    return _get("sidebar_config")


def set_sidebar_config(cfg: ExperimentConfig) -> None:
    _set("sidebar_config", cfg)


# Refusals (over the budget), each for what was asked: ("train", cfg), ("denoiser", cfg), ("lesson", key).
def refusal(what: str, key: Any) -> str | Msg | None:
    """The message of the last refusal of `what`, when it was for `key`."""
    held = _get(f"refused:{what}")
    return held[1] if held is not None and held[0] == key else None


def refuse(what: str, key: Any, message: str | Msg) -> None:
    _set(f"refused:{what}", (key, message))


def forget_refusal(what: str) -> None:
    st.session_state.pop(f"refused:{what}", None)


# The digits picked on the Latent page, per data set (ids of another set's digits mean nothing).
def selection(ds_name: str) -> list[int]:
    return list(_get(f"selection:{ds_name}", []))


def select(ds_name: str, ids: list[int]) -> None:
    _set(f"selection:{ds_name}", list(ids))


# The user's own digit (drawn on the pad or uploaded), as the data set's digits are: (h*w,) in [0, 1].
def own_digit(ds_name: str):
    return _get(f"own_digit:{ds_name}")


def set_own_digit(ds_name: str, pixels) -> None:
    """pixels (h*w,) float32, or None: no digit of the user's own."""
    if pixels is None:
        st.session_state.pop(f"own_digit:{ds_name}", None)
    else:
        _set(f"own_digit:{ds_name}", pixels)


# The placeholder under Train, filled once the estimate is known.
def put_estimate_slot(slot) -> None:
    _set("estimate_slot", slot)


def take_estimate_slot():
    return st.session_state.pop("estimate_slot", None)


# The link: read once per session.
def link_read() -> bool:
    return bool(_get("link_read"))


def mark_link_read() -> None:
    _set("link_read", True)


# Uploads: the data set the session uploaded, and what the sidebar says about it.
def uploaded_name() -> str | None:
    return _get("uploaded_name")


def set_uploaded(name: str | None, description: str | Msg | None = None) -> None:
    if name is None:
        st.session_state.pop("uploaded_name", None)
    else:
        _set("uploaded_name", name)
        _set("uploaded_description", description)


def uploaded_description() -> str | Msg | None:
    return _get("uploaded_description")


def last_builtin_data(default: str) -> str:
    return _get("last_builtin_data", default)


def set_last_builtin_data(name: str) -> None:
    _set("last_builtin_data", name)


def problem(where: str) -> str | Msg | None:
    """What went wrong with the session's last upload of data ("data") or of a model ("model")."""
    return _get(f"problem:{where}")


def set_problem(where: str, message: str | Msg | None) -> None:
    if message is None:
        st.session_state.pop(f"problem:{where}", None)
    else:
        _set(f"problem:{where}", message)


def session_id() -> str:
    """This session's id ("" outside a script run): whose jobs and failed downloads are whose."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else ""


# The class board: the teacher's token once entered (never in a URL), the last share's outcome, and
# an entry opened on the board (the next run goes to the Latent page).
def teacher_token() -> str | None:
    return _get("teacher_token")


def set_teacher_token(token: str | None) -> None:
    if token is None:
        st.session_state.pop("teacher_token", None)
    else:
        _set("teacher_token", token)


def shared(cfg: ExperimentConfig) -> tuple[bool, str | Msg] | None:
    """(whether it was shared, what to say) for the session's last Share of cfg's model."""
    held = _get("shared")
    return held[1] if held is not None and held[0] == cfg else None


def set_shared(cfg: ExperimentConfig, ok: bool, message: str | Msg) -> None:
    _set("shared", (cfg, (ok, message)))


def board_rows() -> list[str]:
    """The entries' ids in the order the board's table showed them (its selection gives positions)."""
    return list(_get("board_rows", []))


def set_board_rows(ids: list[str]) -> None:
    _set("board_rows", list(ids))


def mark_opened() -> None:
    _set("opened_from_board", True)


def take_opened() -> bool:
    return bool(st.session_state.pop("opened_from_board", False))
