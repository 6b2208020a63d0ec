"""The chapter's claims, one lesson each, in one registry (LESSONS).

A lesson is one module here with a `LESSON` (planner.Lesson: the nets it plans, how it measures
them) and one line in the list below. It returns a Verdict (verdict.py): the numbers that decide
its claim, whether the claim held against a criterion stated with its thresholds, one sentence
read off the numbers, and arrays for its figures. Its texts live in the catalogue under
`lessons.<name>.*` (claim, about, quote, and what its checks say); its figures in
figures/lessons.py.

`few_digits=True` runs a lesson on 800 training and 300 held-out digits, with more epochs to make
up for the fewer steps: for tests and previews. `epochs=N` overrides the epochs of every net, so a
learner can starve one and watch a claim fail.
"""
from __future__ import annotations

from .. import failures
from ..i18n import Msg
from . import (
    bottleneck,
    chapter_example,
    denoise_then_classify,
    latent_holes,
    linear_vs_pca,
    overcomplete,
    sparsity,
    structure_vs_noise,
)
from .planner import Lesson, Planned, train_in_turn, train_net
from .verdict import Check, Verdict

LESSONS: dict[str, Lesson] = {m.LESSON.name: m.LESSON for m in [
    bottleneck,
    linear_vs_pca,
    structure_vs_noise,
    sparsity,
    overcomplete,
    denoise_then_classify,
    chapter_example,
    latent_holes,
]}

__all__ = ["LESSONS", "Check", "Lesson", "Planned", "Verdict", "plan", "run", "train_in_turn", "train_net"]


def lesson(name: str) -> Lesson:
    """The registered lesson `name`; an unknown name raises ValueError naming the valid ones."""
    if name not in LESSONS:
        raise ValueError(Msg("lessons.unknown", name=repr(name), valid=", ".join(LESSONS)))
    return LESSONS[name]


def plan(name: str, **kwargs) -> list[Planned]:
    """The nets lesson `name` would train with these keywords (ExperimentConfigs and
    ClassifierConfigs), without training any: what cost.lesson_seconds prices."""
    return lesson(name).plan(**kwargs)


def run(name: str, **kwargs) -> Verdict:
    """Run the lesson `name` (one of LESSONS): its keywords are dataset, seed, few_digits, epochs,
    progress, train_many and the lesson's own parameters."""
    chosen = lesson(name)
    failures.check("lesson")
    return chosen.run(**kwargs)
