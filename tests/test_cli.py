import json
import os
import subprocess
import sys
from pathlib import Path

from aeviz.nets import infer

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "aeviz", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env=None if env is None else {**os.environ, **env})


def test_lesson_json_has_the_documented_keys():
    out = _cli("lesson", "structure-vs-noise", "--dataset", "digits", "--few-digits", "--json")
    assert out.returncode == 0, out.stderr
    numbers = json.loads(out.stdout)
    assert set(numbers) == {"digits_relative_error", "noise_relative_error", "holds", "criterion", "sentence"}
    assert numbers["noise_relative_error"] > numbers["digits_relative_error"]
    assert numbers["holds"] is True and f"{numbers['noise_relative_error']:.0%}" in numbers["sentence"]


def test_lesson_epochs_starves_every_net():
    runs = {e: json.loads(_cli("lesson", "linear-vs-pca", "--few-digits", "--json", *e).stdout)
            for e in [(), ("--epochs", "1")]}
    assert runs[()]["holds"] is True and runs[("--epochs", "1")]["holds"] is False
    assert runs[()]["sentence"] != runs[("--epochs", "1")]["sentence"]


def test_lang_prints_the_lesson_in_portuguese_with_the_same_numbers():
    runs = {lang: _cli(*where, "lesson", "chapter-example", "--few-digits", "--json", *after)
            for lang, where, after in [("en", (), ()), ("pt", (), ("--lang", "pt")),
                                       ("pt-first", ("--lang", "pt"), ())]}
    assert all(out.returncode == 0 for out in runs.values()), {k: v.stderr for k, v in runs.items()}
    en, pt, pt_first = (json.loads(runs[k].stdout) for k in ("en", "pt", "pt-first"))
    assert en["sentence"].startswith(("The claim did not hold", "Half the numbers"))  # English by default
    assert pt["sentence"] != en["sentence"] and pt["criterion"] != en["criterion"]
    assert pt["criterion"].startswith("Confirma-se quando") and pt_first == pt  # --lang before or after the command
    numbers = {k: v for k, v in en.items() if k not in ("sentence", "criterion")}
    assert numbers == {k: v for k, v in pt.items() if k not in ("sentence", "criterion")}
    assert f"{100 * en['variance_lost']:.1f}%".replace(".", ",") in pt["sentence"]  # a decimal comma


def test_help_documents_every_option():
    out = _cli("lesson", "--help")
    assert out.returncode == 0
    for opt in ("--dataset", "--seed", "--few-digits", "--epochs", "--json", "--lang", "bottleneck", "chapter-example"):
        assert opt in out.stdout


def test_errors_are_one_line_and_exit_1():
    out = _cli("lesson", "structure-vs-noise", "--dataset", "mnist", "--few-digits")
    assert out.returncode == 1
    errors = [line for line in out.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and errors[0].startswith("error:") and "offline" in errors[0]
    assert "Traceback" not in out.stderr


def test_report_writes_every_file_and_they_open(tmp_path):
    import csv
    import io

    import numpy as np
    from PIL import Image

    from aeviz import data, weights

    out = _cli("report", "--dataset", "digits", "--epochs", "3", "--no-umap", "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    names = {p.name for p in tmp_path.iterdir()}
    for must in ("config.json", "metrics.json", "codes.csv", "model.safetensors", "model.json", "README.txt",
                 "latent_autoencoder.html", "latent_pca.html", "loss_curves.html", "denoising.html", "replay.html"):
        assert must in names
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert 0 < metrics["reconstruction_mse_per_pixel"] < 1 and "pca" in metrics["embedding_scores"]
    rows = list(csv.reader(io.StringIO((tmp_path / "codes.csv").read_text())))
    assert len(rows) == 1 + len(data.load("digits").x_test)
    readme = (tmp_path / "README.txt").read_text()
    assert all(n in readme for n in names - {"README.txt"})
    if "latent_autoencoder.png" in names:  # Chromium present
        assert Image.open(tmp_path / "latent_autoencoder.png").size[0] > 500
    model, cfg, shape = weights.load_model((tmp_path / "model.safetensors").read_bytes(),
                                          (tmp_path / "model.json").read_bytes())
    assert cfg.train.epochs == 3 and shape == (8, 8)
    assert np.isfinite(infer.encode(model, data.load("digits").x_test)).all()


def test_train_saves_a_loadable_pair(tmp_path):
    out = _cli("train", "--dataset", "digits", "--epochs", "2", "--latent-dim", "3", "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "model.safetensors").exists() and json.loads((tmp_path / "model.json").read_text())


def test_bad_hidden_is_one_clear_line(tmp_path):
    out = _cli("train", "--dataset", "digits", "--hidden", "abc", "--out", str(tmp_path))
    assert out.returncode == 1 and "--hidden" in out.stderr and "Traceback" not in out.stderr


def test_a_failing_projection_is_one_line_and_exit_1(tmp_path):
    out = _cli("report", "--dataset", "digits", "--epochs", "1", "--no-png", "--out", str(tmp_path),
               env={"AEVIZ_FAIL": "umap"})
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.strip().splitlines()[-1] == "error: umap was made to fail on purpose (AEVIZ_FAIL=umap)"


def test_seed_seeds_the_split_and_the_training_as_its_help_says():
    from aeviz import cli

    for command in (["train", "--out", "x"], ["report", "--out", "x"]):
        args = cli.build_parser().parse_args([*command, "--seed", "3"])
        cfg = cli._config(args)
        assert cfg.data.seed == 3 and cfg.train.seed == 3
        assert "split" in next(a.help for a in cli.build_parser()._subparsers._group_actions[0].choices[command[0]]
                               ._actions if "--seed" in a.option_strings)
