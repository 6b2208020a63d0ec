"""What a lesson is: the nets it trains, planned as configs before any is trained, and the judge
that measures the trained nets and decides the claim.

Splitting a lesson in two (`nets`, then `measure`) is what lets the server price it before it starts
(cost.lesson_seconds sums its planned nets) and lets the Ray backend train its nets in parallel.
A planned net is the training run it is: an ExperimentConfig (or a ClassifierConfig for the CNN).
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

from .. import data
from ..config import ClassifierConfig, ExperimentConfig
from ..i18n import Msg, t
from ..nets import classifier, loop
from .recipes import Setting
from .verdict import Verdict

Planned = ExperimentConfig | ClassifierConfig
# progress(fraction, message) as the work goes on; the jobs pass their report here.
Progress = Callable[[float, Msg | str], None] | None
# train_many(planned nets, progress) -> the trained nets, in order: in turn here, in parallel on Ray.
TrainMany = Callable[[list, Progress], list]


def say(progress: Progress, fraction: float, message: Msg | str) -> None:
    if progress is not None:
        progress(fraction, message)


def train_net(planned: Planned):
    """Train one planned net: an autoencoder (ExperimentConfig) or the CNN (ClassifierConfig); the
    trained module, in eval mode on the CPU."""
    ds = data.of(planned.data)
    if isinstance(planned, ClassifierConfig):
        return classifier.fit_classifier(ds.x_train, ds.y_train, ds.image_shape, epochs=planned.epochs,
                                         seed=planned.seed)
    return loop.fit(ds.x_train, ds.x_test, ds.image_shape, planned.model, planned.train, planned.noise).model


def train_in_turn(planned: list[Planned], progress: Progress = None) -> list:
    """The default train_many: each planned net in turn, in this process."""
    out = []
    for i, cfg in enumerate(planned):
        what = cfg.model.kind if isinstance(cfg, ExperimentConfig) else Msg("lessons.progress.classifier")
        say(progress, i / len(planned), Msg("lessons.progress.training_net", i=i + 1, n=len(planned), what=what))
        out.append(train_net(cfg))
    return out


@dataclass(frozen=True)
class Lesson:
    """One of the chapter's claims as an experiment. `nets(setting, **params)` plans the nets it
    trains; `measure(setting, trained, progress, **params)` measures them and returns the Verdict.
    Its words are in the catalogue under its name (lessons.<name>.claim, .about, .quote), so each
    reader gets them in their language."""

    name: str
    nets: Callable[..., list[Planned]]
    measure: Callable[..., Verdict]
    dataset: str = "mnist-5k"  # its data set by default; the page offers the others unless fixed
    fixed_dataset: bool = False  # True: the experiment is about this data set
    beyond_chapter: bool = False  # True: the chapter does not make this claim; its quote is the closest it comes

    def _split(self, kwargs: dict) -> tuple[Setting, dict]:
        """A run's keywords as (its Setting, the lesson's own parameters, checked by name)."""
        kwargs = dict(kwargs)
        setting = Setting(kwargs.pop("dataset", None) or self.dataset, int(kwargs.pop("seed", 0)),
                          bool(kwargs.pop("few_digits", False)), kwargs.pop("epochs", None))
        own = [p for p in inspect.signature(self.nets).parameters if p != "setting"]
        if unknown := set(kwargs) - set(own):
            raise TypeError(f"lesson {self.name!r} takes no {sorted(unknown)}; its parameters: "
                            f"dataset, seed, few_digits, epochs, {', '.join(own) or '(none)'}")
        return setting, kwargs

    def plan(self, **kwargs) -> list[Planned]:
        """The nets this lesson would train with these keywords, without training any."""
        setting, params = self._split(kwargs)
        return self.nets(setting, **params)

    def run(self, progress: Progress = None, train_many: TrainMany = train_in_turn, **kwargs) -> Verdict:
        """Train the planned nets (through `train_many`) and judge them."""
        setting, params = self._split(kwargs)
        trained = train_many(self.nets(setting, **params), progress)
        return self.measure(setting, trained, progress, **params)

    @property
    def title(self) -> str:
        """A few words naming the lesson, as the table of contents lists it."""
        return t(f"lessons.{self.name}.title")

    @property
    def claim(self) -> str:
        """The chapter's claim, as the page's heading."""
        return t(f"lessons.{self.name}.claim")

    @property
    def about(self) -> str:
        """What the experiment does, in a few plain sentences."""
        return t(f"lessons.{self.name}.about")

    @property
    def quote(self) -> str:
        """The chapter's own sentence for the claim: verbatim in Portuguese (the chapter's language),
        translated in English (tests/test_lessons.py checks the Portuguese against the chapter)."""
        return t(f"lessons.{self.name}.quote")
