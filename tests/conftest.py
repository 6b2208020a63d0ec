import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# A model store (and data cache) of this test session's own, for every test and every server the
# tests start: nothing from an earlier run is loaded instead of trained, nothing is left in ~/.cache.
os.environ["AEVIZ_CACHE"] = tempfile.mkdtemp(prefix="aeviz-tests-")
atexit.register(shutil.rmtree, os.environ["AEVIZ_CACHE"], ignore_errors=True)
torch.set_num_threads(min(2, torch.get_num_threads()))


@pytest.fixture(scope="session")
def digits():
    """scikit-learn's 8x8 digits, split 80/20: small and fast."""
    from aeviz import data

    return data.load("digits", seed=0)
