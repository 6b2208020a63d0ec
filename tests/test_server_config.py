"""The safe defaults of .streamlit/config.toml, as Streamlit itself reads them."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _shown() -> dict:
    out = subprocess.run([sys.executable, "-m", "streamlit", "config", "show"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return dict(re.findall(r"^(\w+) = (.+)$", out.stdout, flags=re.M))


def test_security_defaults_are_in_force():
    cfg = _shown()
    assert cfg["enableXsrfProtection"] == "true"
    assert cfg["enableCORS"] == "true"
    assert cfg["gatherUsageStats"] == "false"
    assert int(cfg["maxUploadSize"]) <= 50
    # Serves static/ (only plotly.min.js, copied there for the linked Latent panels: aeviz/ui/linked.py).
    assert cfg["enableStaticServing"] == "true"
    assert cfg["magicEnabled"] == "false"  # see the comment in config.toml
    assert cfg["fileWatcherType"] == '"none"'  # no polling threads competing with script runs
