"""`python -m aeviz ...`: the lessons (and, later, training and reports) without a browser."""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from . import data, experiments


def _jsonable(v):
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    raise TypeError(f"not JSON-serialisable: {type(v).__name__}")


def _progress(fraction: float, message: str) -> None:
    print(f"  [{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def cmd_lesson(args) -> int:
    kwargs = {"seed": args.seed, "quick": args.quick, "progress": None if args.json else _progress}
    if args.dataset:
        kwargs["dataset"] = args.dataset
    lesson = experiments.run(args.name, **kwargs)
    if args.json:
        print(json.dumps(lesson.numbers, default=_jsonable, indent=2))
    else:
        print(f"{lesson.name}: {lesson.sentence}")
        for k, v in lesson.numbers.items():
            shown = ", ".join(f"{x:.4g}" for x in v) if isinstance(v, list) else f"{v:.4g}"
            print(f"  {k} = {shown}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m aeviz", description="aeviz without a browser.")
    sub = p.add_subparsers(dest="command", required=True)
    les = sub.add_parser("lesson", help="run one of the chapter's experiments and print its numbers",
                         description="Run one lesson: " + "; ".join(
                             f"{n}: {f.__doc__.splitlines()[0]}" for n, f in experiments.LESSONS.items()))
    les.add_argument("name", choices=list(experiments.LESSONS), help="which lesson")
    les.add_argument("--dataset", choices=list(data.DATASETS), help="data set (default: the lesson's own)")
    les.add_argument("--seed", type=int, default=0, help="seed of the split, the models and the noise (default 0)")
    les.add_argument("--quick", action="store_true", help="a smaller budget: fewer digits and epochs")
    les.add_argument("--json", action="store_true", help="print the numbers as JSON")
    les.set_defaults(func=cmd_lesson)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, RuntimeError, OSError) as exc:  # one clear line, non-zero exit
        print(f"error: {exc}", file=sys.stderr)
        return 2
