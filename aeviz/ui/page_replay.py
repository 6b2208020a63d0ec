"""Training replay: the codes of the held-out digits after every epoch."""
from __future__ import annotations

import numpy as np
import streamlit as st
from sklearn.decomposition import PCA

from aeviz import figures
from aeviz.ui import common

st.header("Training replay")
common.about(
    "The held-out digits' codes were saved before training and after every epoch. Press play, "
    "or drag the epoch slider, to watch the latent space form: at epoch 0 the untrained encoder "
    "maps every digit to nearly the same place; classes pull apart as the decoder needs them to. "
    "Codes wider than 2 are drawn through one PCA fitted on the final codes, so every frame "
    "shares the same axes.")

act = common.shown_model()
if act is None:
    st.stop()
codes = act.result.codes_per_epoch  # (E + 1, N, k)
if codes is None:
    st.info("This model kept no per-epoch codes.")
    st.stop()
if codes.shape[2] == 1:
    codes = np.concatenate([codes, np.zeros_like(codes)], axis=2)
elif codes.shape[2] > 2:
    pca = PCA(2, random_state=0).fit(codes[-1])
    codes = np.stack([pca.transform(c) for c in codes])
labels = act.view.labels
common.chart(fig=figures.replay(codes.astype(np.float32), labels, class_names=list(act.ds.class_names)),
                key="replay")
epochs = len(codes) - 1
e = st.slider("Epoch", 0, epochs, epochs, key="replay_epoch")
hist = act.task.history
loss = f" · validation error {hist[e - 1]['val_loss']:.4f}" if e > 0 and e <= len(hist) else ""
common.chart(fig=figures.embedding(codes[e], labels, title=f"Epoch {e}{loss}",
                                  class_names=list(act.ds.class_names)),
                key="replay_static")
