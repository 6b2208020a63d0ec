"""Training replay: the codes of the held-out digits after every epoch."""
from __future__ import annotations

import numpy as np
import streamlit as st

from aeviz import analysis, figures
from aeviz.i18n import t
from aeviz.ui import charts
from aeviz.ui.shown import ShownModel, shown_model


def main() -> None:
    header_section()
    shown = shown_model()
    if shown is None:
        return
    codes = codes_in_2d(shown)
    if codes is None:
        st.info(t("replay.no_codes"))
        return
    replay_section(shown, codes)


def header_section() -> None:
    st.header(t("replay.header"))
    with st.expander(t("common.about")):
        st.markdown(t("replay.about"))


def codes_in_2d(shown: ShownModel) -> np.ndarray | None:
    """The held-out digits' codes after every epoch, in 2-D: (E + 1, N, 2); None when the model
    kept none (a loaded one). A wider code goes through the PCA of its last epoch."""
    codes = shown.result.codes_per_epoch  # (E + 1, N, k)
    if codes is None:
        return None
    if codes.shape[2] == 1:
        return np.concatenate([codes, np.zeros_like(codes)], axis=2)
    if codes.shape[2] > 2:
        from sklearn.decomposition import PCA

        pca = PCA(2, random_state=0).fit(codes[-1])
        return np.stack([pca.transform(c) for c in codes])
    return codes


def replay_section(shown: ShownModel, codes: np.ndarray) -> None:
    """Every epoch in one plot with one scrubber (plotly's slider, Play/Pause), its validation loss
    in the title and marked on the loss curve under it."""
    ds, names = shown.ds, list(shown.ds.class_names)
    tracked = analysis.track_indices(ds)  # the digits whose codes loop.fit kept
    labels = ds.y_test[tracked]
    if len(labels) != codes.shape[1]:  # kept by another version's rule: nothing to match them with
        st.info(t("replay.no_codes"))
        return
    if len(tracked) < len(shown.view.ids):  # never sampled in silence
        st.caption(t("replay.sample", tracked=len(tracked), total=len(shown.view.ids)))
    val_loss = shown.result.val_loss
    charts.chart(fig=figures.replay(codes.astype(np.float32), labels, class_names=names,
                                    val_loss=val_loss if val_loss is not None and len(val_loss) else None),
                 key="replay")


main()
