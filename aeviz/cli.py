"""`python -m aeviz ...`: lessons, training and reports without a browser.

English by default; `--lang pt` (before or after the command) prints the results in Portuguese.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from . import analysis, data, failures, i18n, lessons, report, weights
from .config import (
    KINDS,
    NOISE_KINDS,
    ExperimentConfig,
    parse_hidden,
)
from .i18n import Msg, t


def _jsonable(v):
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    raise TypeError(f"not JSON-serialisable: {type(v).__name__}")


def _progress(fraction: float, message: str) -> None:
    print(f"  [{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def cmd_lesson(args) -> int:
    kwargs = {"seed": args.seed, "few_digits": args.few_digits, "epochs": args.epochs,
              "progress": None if args.json else _progress}
    if args.dataset:
        kwargs["dataset"] = args.dataset
    lesson = lessons.run(args.name, **kwargs)
    if args.json:
        print(json.dumps(lesson.to_json(), default=_jsonable, indent=2, ensure_ascii=False))
    else:
        verdict = "cli.lesson_holds" if lesson.holds else "cli.lesson_failed"
        print(t(verdict, name=lesson.name, sentence=lesson.sentence))
        print(f"  {t('cli.criterion', criterion=lesson.criterion)}")
        sep = t("cli.list_separator")  # ", " where numbers have decimal points, "; " where they have commas

        def show(v):
            return i18n.number(v, ".4g") if isinstance(v, (int, float)) else str(v)

        for k, v in lesson.numbers.items():
            print(f"  {k} = {sep.join(map(show, v)) if isinstance(v, list) else show(v)}")
    return 0


def _config(args) -> ExperimentConfig:
    hidden = parse_hidden(args.hidden)
    if hidden is None:
        raise ValueError(Msg("cli.bad_hidden", hidden=repr(args.hidden)))
    cfg = ExperimentConfig.of(args.dataset, args.kind, args.latent_dim, hidden, args.epochs, args.batch_size,
                              args.lr, args.seed, args.noise, args.noise_level)
    return replace(cfg, data=replace(cfg.data, seed=args.seed))  # --seed seeds the split too, as its help says


def _train(args):
    cfg = _config(args)
    ds = data.load(cfg.data.name, seed=cfg.data.seed)

    def on_epoch(epoch, tr, va, elapsed):
        print(
            f"  {t('cli.epoch', epoch=epoch, epochs=cfg.train.epochs, train=tr, val=va, seconds=elapsed)}",
            file=sys.stderr,
            flush=True,
        )

    return cfg, ds, analysis.train(cfg, callback=on_epoch)


def cmd_train(args) -> int:
    cfg, ds, result = _train(args)
    out = Path(args.out)
    files = {
        "model.safetensors": weights.model_bytes(result.model),
        "model.json": weights.config_json(cfg, ds.image_shape),
    }
    for path in report.write_dir(files, out):
        print(path)
    return 0


def cmd_report(args) -> int:
    cfg, ds, result = _train(args)
    view = analysis.latent_view(result.model, ds)
    baselines = {"pca": analysis.baseline_projection("pca", ds)}
    if not args.no_umap:
        print(f"  {t('cli.umap')}", file=sys.stderr, flush=True)
        baselines["umap"] = analysis.baseline_projection("umap", ds)
    files = report.build(
        cfg,
        result,
        view,
        ds,
        baselines,
        png=not args.no_png,
        progress=lambda m: print(f"  {m}", file=sys.stderr, flush=True),
    )
    for path in report.write_dir(files, Path(args.out)):
        print(path)
    return 0


def _training_options(p: argparse.ArgumentParser) -> None:
    d = ExperimentConfig()
    p.add_argument("--dataset", choices=list(data.DATASETS), default=d.data.name, help="data set (default mnist-5k)")
    p.add_argument("--kind", choices=list(KINDS), default=d.model.kind, help="kind of autoencoder")
    p.add_argument("--latent-dim", type=int, default=d.model.latent_dim, help="bottleneck size (default 2)")
    hidden = ",".join(map(str, d.model.hidden))
    p.add_argument("--hidden", default=hidden, help=f"encoder widths, comma-separated (default {hidden})")
    p.add_argument("--epochs", type=int, default=d.train.epochs, help=f"training epochs (default {d.train.epochs})")
    p.add_argument("--batch-size", type=int, default=d.train.batch_size,
                   help=f"minibatch size (default {d.train.batch_size})")
    p.add_argument("--lr", type=float, default=d.train.lr, help=f"Adam's peak learning rate (default {d.train.lr:g})")
    p.add_argument("--noise", choices=list(NOISE_KINDS), default="none", help="training corruption (denoising)")
    p.add_argument("--noise-level", type=float, default=0.3, help="sigma or fraction of pixels (default 0.3)")
    p.add_argument("--seed", type=int, default=0, help="seed of the split, the weights and the noise (default 0)")
    p.add_argument("--out", required=True, help="output directory (created if missing)")


def _language(default) -> argparse.ArgumentParser:
    """--lang, for the main parser (default "en") and each command (no default, so that `python -m aeviz
    --lang pt lesson ...` is not undone by the command's own parser; `lesson ... --lang pt` works too)."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--lang", choices=list(i18n.LANGUAGES), default=default,
                   help="language of the printed results: " + ", ".join(f"{k} ({v})" for k, v in i18n.LANGUAGES.items())
                   + f" (default {i18n.DEFAULT})")
    return p


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m aeviz", description="aeviz without a browser.",
                                parents=[_language(i18n.DEFAULT)])
    sub = p.add_subparsers(dest="command", required=True)
    command = _language(argparse.SUPPRESS)
    les = sub.add_parser(
        "lesson",
        parents=[command],
        help="run one of the chapter's lessons and print its numbers",
        description="Run one lesson and say whether its claim held: "
        + "; ".join(f"{n}: {lesson.claim}" for n, lesson in lessons.LESSONS.items()),
    )
    les.add_argument("name", choices=list(lessons.LESSONS), help="which lesson")
    les.add_argument("--dataset", choices=list(data.DATASETS), help="data set (default: the lesson's own)")
    les.add_argument("--seed", type=int, default=0, help="seed of the split, the models and the noise (default 0)")
    les.add_argument("--few-digits", "--quick", dest="few_digits", action="store_true",
                     help="fewer digits: 800 to train, 300 held out (--quick is the old name)")
    les.add_argument("--epochs", type=int, help="train every net of the lesson for this many epochs "
                     "(fewer starve them: watch a claim fail)")
    les.add_argument("--json", action="store_true", help="print the numbers as JSON")
    les.set_defaults(func=cmd_lesson)
    tr = sub.add_parser(
        "train",
        parents=[command],
        help="train a model and save model.safetensors + model.json",
        description="Train an autoencoder and save its weights (safetensors) and configuration.",
    )
    _training_options(tr)
    tr.set_defaults(func=cmd_train)
    rep = sub.add_parser(
        "report",
        parents=[command],
        help="train a model and write the app's report files (unzipped)",
        description="Train, then write config, metrics, figures (HTML and PNG), codes CSV "
        "and weights to --out, as the app's 'Download report' does.",
    )
    _training_options(rep)
    rep.add_argument("--no-umap", action="store_true", help="skip the UMAP panel (saves ~10 s)")
    rep.add_argument("--no-png", action="store_true", help="skip PNG figures (no Chromium needed)")
    rep.set_defaults(func=cmd_report)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    i18n.use(args.lang)
    try:
        return args.func(args)
    except Exception as exc:  # one clear line and exit status 1; AEVIZ_DEBUG=1 for the traceback
        if os.environ.get("AEVIZ_DEBUG"):
            raise
        print(t("cli.error", message=failures.message(exc)), file=sys.stderr)
        return 1
