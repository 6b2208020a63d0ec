"""Results to table bytes: one row per digit as CSV, and nested numbers as JSON."""
from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence

import numpy as np

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection: what a spreadsheet evaluates


def _safe_cell(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _number(value):
    """A numpy scalar as a CSV cell: shortest round-trip text, '' for NaN."""
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return ""
    return value.item() if isinstance(value, np.integer) else str(value)


def _columns(coords: dict[str, np.ndarray], n: int) -> tuple[list[str], list[np.ndarray]]:
    """Header names and (N,) columns: (N,) -> name; (N, 2) -> name_x, name_y; (N, k) -> name_0.."""
    header, cols = [], []
    for name, arr in coords.items():
        arr = np.asarray(arr)
        if arr.ndim == 1:
            arr = arr[:, None]
            names = [name]
        elif arr.ndim == 2:
            k = arr.shape[1]
            names = [f"{name}_x", f"{name}_y"] if k == 2 else [f"{name}_{i}" for i in range(k)]
        else:
            raise ValueError(f"coords[{name!r}] must be (N,) or (N, k), got shape {arr.shape}")
        if len(arr) != n:
            raise ValueError(f"coords[{name!r}] has {len(arr)} rows, expected {n} (one per sample)")
        header += names
        cols += list(arr.T)
    return header, cols


def points_csv(
    ids: Sequence, labels: Sequence, split, coords: dict[str, np.ndarray], class_names: Sequence[str] | None = None
) -> bytes:
    """CSV (UTF-8), one row per sample: sample_id, label, split, then the columns of each array.

    ids, labels: (N,); split: one string for all, or (N,); coords: name -> (N,) or (N, k) array.
    With class_names, label y is written as class_names[y]. Text cells are neutralised against
    formula injection; numbers (negative ones too) are written as numbers.
    """
    ids, labels = np.asarray(ids), np.asarray(labels)
    n = len(ids)
    splits = [split] * n if isinstance(split, str) else list(split)
    if len(labels) != n or len(splits) != n:
        raise ValueError(f"ids, labels and split must have one entry per sample: got {n}, {len(labels)}, {len(splits)}")
    header, cols = _columns(coords, n)
    out = io.StringIO()
    writer = csv.writer(out)  # RFC 4180: CRLF rows, so a \r or \n inside a cell gets quoted
    writer.writerow(["sample_id", "label", "split", *header])
    for i in range(n):
        label = class_names[int(labels[i])] if class_names is not None else labels[i]
        text = [_safe_cell(v.item() if isinstance(v, np.generic) else v) for v in (ids[i], label, splits[i])]
        writer.writerow(text + [_number(c[i]) for c in cols])
    return out.getvalue().encode("utf-8")


def rows_csv(header: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """CSV (UTF-8) of rows under header; text neutralised against formula injection, numbers as numbers."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_safe_cell(h) for h in header])
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"a row has {len(row)} cells, the header {len(header)}")
        writer.writerow([_safe_cell(v) if isinstance(v, str) else "" if v is None else _number(v) for v in row])
    return out.getvalue().encode("utf-8")


def _plain(obj):
    """obj with numpy scalars/arrays as Python values, tuples as lists, NaN/inf as None."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _plain(obj.tolist())
    if isinstance(obj, np.generic):
        return _plain(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    raise TypeError(f"cannot write {type(obj).__name__} to JSON: {obj!r:.80}")


def metrics_json(d: dict) -> bytes:
    """d as JSON (UTF-8): numpy converted, NaN/inf as null, keys sorted, indented by 2."""
    return json.dumps(_plain(d), sort_keys=True, indent=2, allow_nan=False).encode("utf-8")
