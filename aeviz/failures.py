"""How aeviz fails: one readable line for a user, and failures on purpose for rehearsals.

AEVIZ_FAIL=umap,export (comma-separated job names) makes those jobs raise in whatever process runs
them (the server, the projection worker, a Ray worker), so the tests, and an operator rehearsing
before a class, can see how each failure is shown: once, in its own panel, with its cause and a
Retry button. Names: umap, tsne, train, lesson, export.
"""
from __future__ import annotations

import os

from .i18n import Joined, Msg

NAMES = ("umap", "tsne", "train", "lesson", "export")


class InjectedFailure(RuntimeError):
    """Raised by check() for a job named in AEVIZ_FAIL."""


def check(name: str) -> None:
    """Raise InjectedFailure when AEVIZ_FAIL names `name`."""
    wanted = {n.strip() for n in os.environ.get("AEVIZ_FAIL", "").split(",")}
    if name in wanted:
        raise InjectedFailure(Msg("jobs.injected", name=name, setting=os.environ["AEVIZ_FAIL"]))


def message(exc: BaseException) -> Msg | Joined | str:
    """What went wrong, in one line: the first line of the exception's own message for the errors
    aeviz raises on purpose (ValueError, RuntimeError, OSError), with its type otherwise. aeviz's own
    messages are Msgs, kept as they are so that each viewer reads them in their language (str() words
    them); a third-party exception's text stays in English, as it was raised."""
    if isinstance(exc, MemoryError):
        return Msg("jobs.out_of_memory")
    if exc.args and isinstance(exc.args[0], (Msg, Joined)):
        return exc.args[0]
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, (ValueError, RuntimeError, OSError)) and text:
        return text
    kind = type(exc).__name__
    return Msg("jobs.unexpected_with_text", kind=kind, text=text) if text else Msg("jobs.unexpected", kind=kind)
