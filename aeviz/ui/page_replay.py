"""Training replay: the codes of the held-out digits after every epoch."""
from __future__ import annotations

import numpy as np
import streamlit as st
from sklearn.decomposition import PCA

from aeviz import figures
from aeviz.i18n import t
from aeviz.ui import charts, common

st.header(t("replay.header"))
common.about(t("replay.about"))

act = common.shown_model()
if act is None:
    st.stop()
codes = act.result.codes_per_epoch  # (E + 1, N, k)
if codes is None:
    st.info(t("replay.no_codes"))
    st.stop()
if codes.shape[2] == 1:
    codes = np.concatenate([codes, np.zeros_like(codes)], axis=2)
elif codes.shape[2] > 2:
    pca = PCA(2, random_state=0).fit(codes[-1])
    codes = np.stack([pca.transform(c) for c in codes])
labels = act.view.labels
charts.chart(fig=figures.replay(codes.astype(np.float32), labels, class_names=list(act.ds.class_names)),
                key="replay")
epochs = len(codes) - 1
e = st.slider(t("replay.epoch"), 0, epochs, epochs, key="replay_epoch")
hist = act.task.history
title = (t("replay.frame_title_loss", epoch=e, loss=hist[e - 1]["val_loss"]) if 0 < e <= len(hist)
         else t("replay.frame_title", epoch=e))
charts.chart(fig=figures.embedding(codes[e], labels, title=title,
                                  class_names=list(act.ds.class_names)),
                key="replay_static")
