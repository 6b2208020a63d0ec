"""What a lesson concludes: its numbers, whether its claim held by a stated criterion, and one
sentence read off the numbers (which says so plainly when the claim did not hold, and what would
likely change that). Nothing a lesson says is written before it has run.

A lesson runs in a background job, away from whoever reads it: everything it says is a Msg (or a
Joined of them), worded by str() in the reader's language (the catalogue's `lessons.*` entries).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import Joined, Msg


@dataclass
class Check:
    """One condition of a lesson's criterion: whether it held, and the words for either case."""

    ok: bool
    held: Msg  # what the numbers show when it held
    failed: Msg  # what they show when it did not


@dataclass
class Verdict:
    """A lesson's result."""

    name: str
    numbers: dict  # the lesson's measured values: floats, ints and lists of floats
    holds: bool  # did the claim hold on this run, by `criterion`
    criterion: Msg  # one line: the thresholds that decide the claim (str() words it)
    sentence: Msg  # what the numbers say, computed from them (str() words it)
    arrays: dict = field(default_factory=dict)  # inputs of the lesson's figures (numpy)

    def to_json(self) -> dict:
        """The numbers with the verdict, worded in the current language: what `python -m aeviz lesson
        NAME --json` prints."""
        return {**self.numbers, "holds": self.holds, "criterion": str(self.criterion), "sentence": str(self.sentence)}


def judge(name: str, numbers: dict, criterion: Msg, finding: Msg, checks: list[Check], advice: Msg,
          arrays: dict | None = None, aside: Msg | str = "") -> Verdict:
    """A Verdict whose sentence is `finding` plus each check's own words (and `aside`) when all held,
    or a plain 'did not hold' naming what failed and `advice` otherwise."""
    holds = all(c.ok for c in checks)
    if holds:
        sentence = Msg("lessons.verdict.held", finding=finding, checks=Joined([c.held for c in checks], "; "),
                       aside=aside)
    else:
        sentence = Msg("lessons.verdict.failed", failed=Joined([c.failed for c in checks if not c.ok], "; "),
                       advice=advice)
    return Verdict(name, numbers, holds, criterion, sentence, arrays or {})
