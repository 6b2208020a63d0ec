"""The class board: the models a class shares, with their scores, and the teacher's task.

It lives beside the model store (AEVIZ_CACHE/board), so every server of a deployment reads the same
board and a restart loses nothing: one JSON file per entry (`entries/<id>.json`) and one for the task
(`task.json`), each written to a temporary file and renamed. Writers take a file lock, so two
servers sharing at once cannot pass the board's limit. A shared model is pinned in the store (never
evicted), so opening an entry loads it instead of training it again.

Whoever knows the deployment's AEVIZ_TEACHER_TOKEN may set the task and hide entries; an entry's id
hashes its session and its configuration, so a session can only ever write its own entries.
"""
from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import unicodedata
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from ..config import ExperimentConfig
from ..i18n import Msg
from . import store

log = logging.getLogger("aeviz")
MAX_ENTRIES = 500  # shown entries: a class's runs; at ~6 KB an entry (mostly its thumbnail), ~3 MB a page
NAME_CHARS = (1, 40)
TASK_CHARS = (1, 200)
# The scores an entry carries and a task can rank by: True where higher is better.
METRICS = {"knn_accuracy": True, "trustworthiness": True, "mse": False}


class BoardError(ValueError):
    """A share, a hide or a task the board refuses; the message (a Msg) says why and what is accepted."""


@dataclass(frozen=True)
class Entry:
    """One shared model: who named it, what it is, how it scored on the held-out digits."""

    id: str
    name: str  # the student's words: shown as text, never as HTML
    config: dict  # ExperimentConfig.to_dict()
    scores: dict  # METRICS' names -> the AE panel's figures (mse: per-pixel, held out)
    seconds: float  # training time
    thumbnail: str  # the AE map as a small PNG, a data: URI
    shared_at: str  # ISO time, UTC
    hidden: bool = False  # by the teacher

    @property
    def cfg(self) -> ExperimentConfig:
        return ExperimentConfig.from_dict(self.config)


@dataclass(frozen=True)
class Task:
    """The teacher's assignment: the words shown on every page and the criterion they stand for."""

    text: str
    metric: str = "knn_accuracy"  # what ranks the entries that meet it
    latent_dim: int | None = None  # the code's size it asks for (None: any)
    max_seconds: float | None = None  # the most training time (None: any)


def folder() -> Path:
    return store.root().parent / "board"


@contextmanager
def _locked():
    """One writer at a time, across the servers that share the folder."""
    (folder() / "entries").mkdir(parents=True, exist_ok=True)
    with open(folder() / ".lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _words(text: str, limits: tuple[int, int], what: str) -> str:
    """text stripped, when its length is within limits and it holds no control character."""
    text = (text or "").strip()
    lo, hi = limits
    if not lo <= len(text) <= hi:
        raise BoardError(Msg(f"board.bad_{what}_length", n=len(text), lo=lo, hi=hi))
    if any(unicodedata.category(c).startswith("C") for c in text):
        raise BoardError(Msg(f"board.bad_{what}_chars"))
    return text


def check_name(name: str) -> str:
    """A display name as the board keeps it; BoardError naming what is accepted otherwise."""
    return _words(name, NAME_CHARS, "name")


def entry_id(session: str, cfg: ExperimentConfig) -> str:
    """One entry per session and configuration; the session id itself is never written."""
    return hashlib.sha256(f"{session}\0{store.key(cfg)}".encode()).hexdigest()[:24]


def share(name: str, cfg: ExperimentConfig, scores: dict, seconds: float, thumbnail: str, session: str) -> Entry:
    """Put session's model of cfg on the board (again: its name is updated, the teacher's hiding kept).
    Raises BoardError for a bad name, a model of uploaded digits (nobody else has them) or not in the
    store (stopped early, loaded from files), or a full board."""
    from .. import data

    name = check_name(name)
    if cfg.data.name not in data.DATASETS:
        raise BoardError(Msg("board.upload_not_shared"))
    if not store.contains(cfg):  # stopped early, or loaded from files: nobody could open it
        raise BoardError(Msg("board.not_stored"))
    if not session:
        raise BoardError(Msg("board.no_session"))
    entry = Entry(entry_id(session, cfg), name, cfg.to_dict(), {m: float(scores[m]) for m in METRICS},
                  float(seconds), thumbnail, datetime.now(UTC).isoformat(timespec="seconds"))
    with _locked():
        path = folder() / "entries" / f"{entry.id}.json"
        old = _read(path) if path.exists() else None
        if old is None and len(entries()) >= MAX_ENTRIES:  # the shown ones: hiding one frees its place
            raise BoardError(Msg("board.full", n=MAX_ENTRIES))
        if old is not None:
            entry = replace(entry, hidden=old.hidden, shared_at=old.shared_at)
        store.pin(cfg)
        store.write_atomic(path, json.dumps(asdict(entry)).encode())
    return entry


def _read(path: Path) -> Entry | None:
    try:
        entry = Entry(**json.loads(path.read_bytes()))
        entry.cfg  # noqa: B018 (a configuration this version cannot read is not shown)
        return entry
    except (OSError, ValueError, TypeError) as exc:
        log.warning("class board: ignored %s: %s", path.name, exc)
        return None


def entries(with_hidden: bool = False) -> list[Entry]:
    """Every entry, oldest first (the hidden ones only for the teacher's view)."""
    paths = sorted((folder() / "entries").glob("*.json")) if (folder() / "entries").exists() else []
    found = [e for e in map(_read, paths) if e is not None and (with_hidden or not e.hidden)]
    return sorted(found, key=lambda e: (e.shared_at, e.id))


def teacher_token_set() -> bool:
    return bool(os.environ.get("AEVIZ_TEACHER_TOKEN", "").strip())


def is_teacher(token: str | None) -> bool:
    """Whether token is the deployment's teacher token (compared in constant time)."""
    wanted = os.environ.get("AEVIZ_TEACHER_TOKEN", "").strip()
    return bool(wanted) and hmac.compare_digest((token or "").strip().encode(), wanted.encode())


def _teacher(token: str | None) -> None:
    if not is_teacher(token):
        raise BoardError(Msg("board.not_teacher"))


def set_hidden(entry: str, hidden: bool, token: str | None) -> None:
    """Hide (or show again) an entry: the teacher's alone."""
    _teacher(token)
    with _locked():
        path = folder() / "entries" / f"{entry}.json"
        if not path.exists() or (old := _read(path)) is None:
            raise BoardError(Msg("board.no_entry"))
        store.write_atomic(path, json.dumps(asdict(replace(old, hidden=hidden))).encode())


def set_task(task: Task | None, token: str | None) -> None:
    """Set the assignment shown on every page (None: clear it): the teacher's alone."""
    _teacher(token)
    if task is not None:
        if task.metric not in METRICS:
            raise BoardError(Msg("board.bad_metric", valid=", ".join(METRICS)))
        task = replace(task, text=_words(task.text, TASK_CHARS, "task"))
    with _locked():
        path = folder() / "task.json"
        if task is None:
            path.unlink(missing_ok=True)
        else:
            store.write_atomic(path, json.dumps(asdict(task)).encode())


def task() -> Task | None:
    path = folder() / "task.json"
    if not path.exists():
        return None
    try:
        return Task(**json.loads(path.read_bytes()))
    except (OSError, ValueError, TypeError) as exc:
        log.warning("class board: ignored the task: %s", exc)
        return None


def meets(entry: Entry, task: Task) -> bool:
    """Whether entry fits the task's criterion (its code's size, its training time)."""
    k = entry.config["model"]["latent_dim"]
    return (task.latent_dim is None or k == task.latent_dim) and \
        (task.max_seconds is None or entry.seconds <= task.max_seconds)


def ranked(items: list[Entry], metric: str, task: Task | None = None) -> list[tuple[int | None, Entry]]:
    """(rank, entry), best first by metric; with a task, the entries that meet it come first and are
    ranked 1, 2, ... by the task's metric, the others follow unranked (None)."""
    def by(m):
        return lambda e: -e.scores[m] if METRICS[m] else e.scores[m]

    if task is None:
        return [(i + 1, e) for i, e in enumerate(sorted(items, key=by(metric)))]
    fit = sorted((e for e in items if meets(e, task)), key=by(task.metric))
    rest = sorted((e for e in items if not meets(e, task)), key=by(metric))
    return [(i + 1, e) for i, e in enumerate(fit)] + [(None, e) for e in rest]
