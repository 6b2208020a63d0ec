"""The model store: every fully trained model on disk, under its configuration's hash, for every
server that shares the folder (AEVIZ_CACHE/models, default ~/.cache/aeviz/models).

An entry is three files named by the key: <key>.safetensors (the weights), <key>.codes.safetensors
(the held-out codes after every epoch, for the replay) and <key>.json (configuration, histories,
and when, where and in how long it was trained). A projection of a data set (UMAP, t-SNE) is one
file, <key>.points.safetensors. Each is written to a temporary file and renamed,
the JSON last: a reader sees a whole entry or none, and two servers writing the same key leave one
whole entry. Nothing is unpickled: safetensors and JSON only; a damaged or foreign file is ignored
with a log line. The store keeps at most AEVIZ_STORE_MB megabytes (default 500), dropping the
least recently used entries; a read refreshes an entry's time. An entry pinned by the class board
(<key>.pin) is never dropped.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from safetensors.numpy import load as load_arrays
from safetensors.numpy import save as save_arrays

if TYPE_CHECKING:  # torch loads only when a model is saved or read
    from ..config import ExperimentConfig
    from ..nets.loop import TrainResult

log = logging.getLogger("aeviz")
# The files' format and the training that made them: bumped when either changes, so that a store
# never serves as this config's model one that the current training loop would not make (2: equal batches;
# 3: parametric UMAP's lighter edge steps; 4: the conv kind's batch norms).
STORE_FORMAT = "aeviz-store-4"


def root() -> Path:
    """The store's folder (created on first write)."""
    base = os.environ.get("AEVIZ_CACHE") or Path.home() / ".cache" / "aeviz"
    return Path(base) / "models"


def max_bytes() -> int:
    return int(float(os.environ.get("AEVIZ_STORE_MB", "500")) * 1e6)


def key(cfg: ExperimentConfig) -> str:
    """The configuration's hash: the same for equal configs on every server."""
    text = json.dumps({"format": STORE_FORMAT, **cfg.to_dict()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def write_atomic(path: Path, data: bytes) -> None:
    """Atomically: a temporary file in the same folder, then a rename (the class board's files too)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(cfg: ExperimentConfig, result: TrainResult, image_shape: tuple[int, int]) -> Path:
    """Write a fully trained model under key(cfg); returns the JSON's path. Evicts old entries."""
    from .. import weights

    folder = root()
    folder.mkdir(parents=True, exist_ok=True)
    k = key(cfg)
    write_atomic(folder / f"{k}.safetensors", weights.model_bytes(result.model))
    if result.codes_per_epoch is not None:
        write_atomic(folder / f"{k}.codes.safetensors",
               save_arrays({"codes_per_epoch": np.ascontiguousarray(result.codes_per_epoch, np.float32)}))
    meta = {
        "format": STORE_FORMAT, "config": json.loads(weights.config_json(cfg, image_shape)),
        "train_loss": list(result.train_loss), "val_loss": list(result.val_loss), "seconds": result.seconds,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **(result.trained_in or {"host": socket.gethostname(), "pid": os.getpid()}),  # where it was trained
        "stored_by": {"host": socket.gethostname(), "pid": os.getpid()},
    }
    write_atomic(folder / f"{k}.json", json.dumps(meta, indent=1).encode())  # last: the entry is whole now
    evict()
    return folder / f"{k}.json"


def pin(cfg: ExperimentConfig) -> None:
    """Keep cfg's entry whatever the store's size (a model on the class board: opened, never retrained).
    The store may then hold more than AEVIZ_STORE_MB, by the pinned entries."""
    folder = root()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{key(cfg)}.pin").touch()


def contains(cfg: ExperimentConfig) -> bool:
    """Whether a whole entry for cfg is there (a cheap check: the entry's JSON is written last)."""
    return (root() / f"{key(cfg)}.json").exists()


def load(cfg: ExperimentConfig) -> tuple[TrainResult, dict] | None:
    """(the stored model, its record: when, where, in how long) for cfg, or None when there is no
    whole, readable entry (a damaged or foreign one is logged and ignored)."""
    from .. import weights
    from ..nets.loop import TrainResult

    folder, k = root(), key(cfg)
    meta_path = folder / f"{k}.json"
    if not meta_path.exists():
        return None
    try:
        meta = json.loads(meta_path.read_bytes())
        if meta.get("format") != STORE_FORMAT:
            raise ValueError(f"format {meta.get('format')!r}, expected {STORE_FORMAT!r}")
        model, stored_cfg, _ = weights.load_model((folder / f"{k}.safetensors").read_bytes(),
                                                  json.dumps(meta["config"]).encode())
        if stored_cfg != cfg:
            raise ValueError("its configuration is not the one asked for")
        codes_path = folder / f"{k}.codes.safetensors"
        codes = load_arrays(codes_path.read_bytes())["codes_per_epoch"] if codes_path.exists() else None
        result = TrainResult(model=model, train_loss=[float(v) for v in meta["train_loss"]],
                             val_loss=[float(v) for v in meta["val_loss"]], seconds=float(meta["seconds"]),
                             codes_per_epoch=codes)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("model store: ignored entry %s in %s: %s", k, folder, exc)
        return None
    now = time.time()
    os.utime(meta_path, (now, now))  # recently used: evicted last
    when = datetime.fromisoformat(meta["trained_at"]).strftime("%Y-%m-%d %H:%M UTC")
    return result, {"trained_at": when, **{k: meta[k] for k in ("host", "pid", "seconds")}}


def save_points(name: str, points: np.ndarray) -> None:
    """A projection's (N, 2) points (UMAP, t-SNE of a data set) under a name of the caller's."""
    folder = root()
    folder.mkdir(parents=True, exist_ok=True)
    k = _name_key(name)
    write_atomic(folder / f"{k}.points.safetensors",
           save_arrays({"points": np.ascontiguousarray(points, np.float32)}, metadata={"name": name}))
    evict()


def load_points(name: str) -> np.ndarray | None:
    """The points saved under name, or None (missing, damaged or foreign: logged and ignored)."""
    path = root() / f"{_name_key(name)}.points.safetensors"
    if not path.exists():
        return None
    try:
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as f:
            if (f.metadata() or {}).get("name") != name:
                raise ValueError("it holds another projection")
        points = load_arrays(path.read_bytes())["points"]
    except Exception as exc:  # safetensors raises its own error types for a damaged file
        log.warning("model store: ignored %s: %s", path.name, exc)
        return None
    now = time.time()
    os.utime(path, (now, now))
    return points


def _name_key(name: str) -> str:
    return hashlib.sha256(f"{STORE_FORMAT}:{name}".encode()).hexdigest()[:32]


def _entries(folder: Path) -> dict[str, list[Path]]:
    """The entries' files by key; a temporary file a dead writer left over an hour ago is removed."""
    out: dict[str, list[Path]] = {}
    for p in folder.iterdir():
        if not p.is_file():
            continue
        if p.name.startswith("."):
            if p.name.endswith(".tmp") and time.time() - p.stat().st_mtime > 3600:
                p.unlink(missing_ok=True)
            continue
        out.setdefault(p.name.split(".", 1)[0], []).append(p)
    return out


def evict(limit: int | None = None) -> list[str]:
    """Drop the least recently used entries until the store holds at most `limit` bytes (default
    AEVIZ_STORE_MB); returns the keys dropped."""
    folder = root()
    if not folder.exists():
        return []
    limit = max_bytes() if limit is None else limit
    entries = _entries(folder)

    def used(paths):  # an entry's time is its JSON's, or its only file's (refreshed on every read)
        meta = [p for p in paths if p.suffix == ".json"] or paths
        return max(p.stat().st_mtime for p in meta)

    sizes = {k: sum(p.stat().st_size for p in paths) for k, paths in entries.items()}
    total, dropped = sum(sizes.values()), []
    for k in sorted(entries, key=lambda k: used(entries[k])):
        if total <= limit:
            break
        if any(p.suffix == ".pin" for p in entries[k]):
            continue
        for p in sorted(entries[k], key=lambda p: p.suffix == ".json", reverse=True):  # the JSON first
            p.unlink(missing_ok=True)
        total -= sizes[k]
        dropped.append(k)
    return dropped
