import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
torch.set_num_threads(min(2, torch.get_num_threads()))


@pytest.fixture(scope="session")
def digits():
    """scikit-learn's 8x8 digits, split 80/20: small and fast."""
    from aeviz import data

    return data.load("digits", seed=0)
