import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "aeviz", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_lesson_json_has_the_documented_keys():
    out = _cli("lesson", "structure-vs-noise", "--dataset", "digits", "--quick", "--json")
    assert out.returncode == 0, out.stderr
    numbers = json.loads(out.stdout)
    assert set(numbers) == {"digits_relative_error", "noise_relative_error"}
    assert numbers["noise_relative_error"] > numbers["digits_relative_error"]


def test_help_documents_every_option():
    out = _cli("lesson", "--help")
    assert out.returncode == 0
    for opt in ("--dataset", "--seed", "--quick", "--json", "bottleneck", "chapter-example"):
        assert opt in out.stdout


def test_errors_are_one_line_and_non_zero():
    out = _cli("lesson", "structure-vs-noise", "--dataset", "mnist", "--quick")
    assert out.returncode != 0
    errors = [line for line in out.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and errors[0].startswith("error:") and "offline" in errors[0]
    assert "Traceback" not in out.stderr
