"""The model store: whole entries or none, damaged and foreign files ignored (never unpickled),
least recently used entries evicted under the size cap, two processes writing one key."""
import json
import logging
import multiprocessing as mp
import os

import numpy as np
import pytest
import torch

from aeviz.config import DataConfig, ExperimentConfig, ModelConfig, TrainConfig
from aeviz.jobs import store
from aeviz.nets import loop


@pytest.fixture(autouse=True)
def own_store(tmp_path, monkeypatch):
    monkeypatch.setenv("AEVIZ_CACHE", str(tmp_path))
    return tmp_path / "models"


def _cfg(seed=0, k=2):
    return ExperimentConfig(data=DataConfig("digits"), model=ModelConfig(latent_dim=k, hidden=(16,)),
                            train=TrainConfig(epochs=2, seed=seed))


def _trained(digits, cfg):
    return loop.fit(digits.x_train[:300], digits.x_test[:50], (8, 8), cfg.model, cfg.train,
                     x_track=digits.x_test[:20])


def test_a_saved_model_loads_back_identical_with_its_record(digits):
    cfg = _cfg()
    result = _trained(digits, cfg)
    store.save(cfg, result, (8, 8))
    assert store.contains(cfg) and not store.contains(_cfg(seed=1))
    back, record = store.load(cfg)
    for name, tensor in result.model.state_dict().items():
        torch.testing.assert_close(back.model.state_dict()[name], tensor, rtol=0, atol=0)
    np.testing.assert_array_equal(back.codes_per_epoch, result.codes_per_epoch)
    assert back.val_loss == result.val_loss and record["pid"] == os.getpid() and record["trained_at"].endswith("UTC")
    assert store.load(_cfg(seed=1)) is None


def test_a_write_that_dies_leaves_no_entry_and_no_temporary_file(digits, own_store, monkeypatch):
    cfg = _cfg()
    real = os.replace

    def dies_on_the_json(src, dst):
        if str(dst).endswith(".json"):
            raise OSError("disk full")
        real(src, dst)

    monkeypatch.setattr(os, "replace", dies_on_the_json)
    with pytest.raises(OSError, match="disk full"):
        store.save(cfg, _trained(digits, cfg), (8, 8))
    assert not store.contains(cfg) and store.load(cfg) is None
    assert not [p for p in own_store.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("damage", ["weights", "json", "format", "config"])
def test_a_damaged_or_foreign_entry_is_ignored_with_a_log_line(digits, own_store, damage, caplog):
    cfg = _cfg()
    store.save(cfg, _trained(digits, cfg), (8, 8))
    k = store.key(cfg)
    meta = json.loads((own_store / f"{k}.json").read_text())
    if damage == "weights":  # a pickle where safetensors should be: never loaded
        (own_store / f"{k}.safetensors").write_bytes(b"\x80\x04\x95" + os.urandom(64))
    elif damage == "json":
        (own_store / f"{k}.json").write_text("{not json")
    elif damage == "format":
        (own_store / f"{k}.json").write_text(json.dumps({**meta, "format": "someone-else-1"}))
    else:  # an entry whose configuration is another one's
        other = json.loads(json.dumps(meta))
        other["config"]["train"]["seed"] = 7
        (own_store / f"{k}.json").write_text(json.dumps(other))
    with caplog.at_level(logging.WARNING, logger="aeviz"):
        assert store.load(cfg) is None
    assert f"model store: ignored entry {k}" in caplog.text


def test_the_least_recently_used_entries_go_first(digits, own_store):
    cfgs = [_cfg(seed=s) for s in range(3)]
    for i, cfg in enumerate(cfgs):
        store.save(cfg, _trained(digits, cfg), (8, 8))
        os.utime(own_store / f"{store.key(cfg)}.json", (1000 + i, 1000 + i))
    store.load(cfgs[0])  # read: the most recently used now
    size = sum(p.stat().st_size for p in own_store.iterdir()) / 3
    dropped = store.evict(limit=int(2.5 * size))
    assert dropped == [store.key(cfgs[1])]
    assert store.contains(cfgs[0]) and not store.contains(cfgs[1]) and store.contains(cfgs[2])
    assert not list(own_store.glob(f"{store.key(cfgs[1])}*"))


def test_points_are_stored_by_name_and_a_foreign_file_is_ignored(own_store):
    pts = np.random.default_rng(0).random((30, 2)).astype(np.float32)
    store.save_points("('umap', 'digits')", pts)
    np.testing.assert_array_equal(store.load_points("('umap', 'digits')"), pts)
    assert store.load_points("('tsne', 'digits')") is None
    [path] = own_store.glob("*.points.safetensors")
    path.write_bytes(b"garbage")
    assert store.load_points("('umap', 'digits')") is None


def _write_many(root: str, n: int) -> None:
    os.environ["AEVIZ_CACHE"] = root
    from aeviz import data

    digits = data.load("digits")
    cfg = _cfg()
    result = _trained(digits, cfg)
    for _ in range(n):
        store.save(cfg, result, (8, 8))


def test_two_processes_writing_one_key_leave_one_whole_entry(tmp_path):
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(str(tmp_path), 15)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    assert store.load(_cfg()) is not None
    assert sorted(p.name.split(".", 1)[1] for p in (tmp_path / "models").iterdir()) == \
           ["codes.safetensors", "json", "safetensors"]
