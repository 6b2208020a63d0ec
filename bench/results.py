"""Each bench script rewrites its own section of bench/RESULTS.md with what it printed, so the file
always holds the latest figures of every script beside the methods written around them (the
history is in git)."""
from __future__ import annotations

import contextlib
import io
import os
import platform
import re
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


class _Tee(io.TextIOBase):
    def __init__(self, *streams):
        self.streams = streams

    def write(self, s: str) -> int:
        for stream in self.streams:
            stream.write(s)
        return len(s)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


def _machine() -> str:
    import torch

    return (f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
            f"torch {torch.__version__}, {torch.get_num_threads()} threads")


@contextlib.contextmanager
def recorded(name: str):
    """Print as usual; on success, the printed text replaces the section `name` of RESULTS.md (between
    its `<!-- bench:name -->` and `<!-- /bench:name -->` lines), headed by the command and the date."""
    captured = io.StringIO()
    with contextlib.redirect_stdout(_Tee(sys.stdout, captured)):
        yield
    command = "python " + " ".join([f"bench/{Path(sys.argv[0]).name}", *sys.argv[1:]])
    body = (f"<!-- bench:{name} -->\n`{command}` on {time.strftime('%Y-%m-%d')} ({_machine()}):\n\n"
            f"```text\n{captured.getvalue().rstrip()}\n```\n<!-- /bench:{name} -->")
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: body, text)
    else:
        text = text.rstrip() + f"\n\n## {name}\n\n{body}\n"
    RESULTS.write_text(text)
    print(f"(written to {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS})")
