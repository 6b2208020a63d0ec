"""ast.parse behind one lock, for the threads of the server.

CPython 3.11 keeps the AST constructor's recursion count in state that all threads share
(gh-106905), so two threads building ASTs at once can make one of them fail with "SystemError: AST
constructor recursion depth mismatch". In this server they do: a page's first compile (Streamlit's
magic, now off), numpy reading .npy headers (ast.literal_eval) in the training and projection
threads, inspect.signature during torch's first optimizer step. It was seen in about one fresh
start in five, as a page that never loaded. Every one of those goes through ast.parse.
"""
from __future__ import annotations

import ast
import threading

_LOCK = threading.RLock()  # re-entrant: a parse that triggers another one in the same thread
_ORIGINAL = ast.parse


def _parse(*args, **kwargs):
    with _LOCK:
        return _ORIGINAL(*args, **kwargs)


def install() -> None:
    """Route every ast.parse of the process through the lock (once; later calls do nothing)."""
    if ast.parse is _ORIGINAL:
        ast.parse = _parse
