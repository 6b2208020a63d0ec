"""Initializer of the app's projection worker process. Imports neither torch nor streamlit, so the
worker holds only numpy, scikit-learn and umap-learn."""
from __future__ import annotations

import os
import threading
import time


def init() -> None:
    """One thread per library (the worker shares the cores with training), and exit as soon as the
    server is gone so that no orphan keeps computing. (PR_SET_PDEATHSIG would fire when the
    short-lived *thread* that spawned the worker ends, so the parent's pid is polled instead.)"""
    for var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"  # numba and umap load later, on the first projection
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
