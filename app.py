"""aeviz: an interactive autoencoder lab. Run with `streamlit run app.py`."""
import os

os.environ.setdefault("NUMBA_THREADING_LAYER", "tbb")  # thread-safe numba, before anything imports it

import streamlit as st  # noqa: E402

from aeviz.ui import common, state  # noqa: E402

st.set_page_config(page_title="aeviz · autoencoder lab", page_icon=":material/blur_on:", layout="wide")

pages = [
    st.Page("aeviz/ui/page_latent.py", title="Latent space", icon=":material/scatter_plot:", default=True, url_path="latent"),
    st.Page("aeviz/ui/page_denoise.py", title="Denoising", icon=":material/auto_fix_high:", url_path="denoising"),
    st.Page("aeviz/ui/page_decoder.py", title="Decoder", icon=":material/grid_view:", url_path="decoder"),
    st.Page("aeviz/ui/page_replay.py", title="Training replay", icon=":material/replay:", url_path="replay"),
]
nav = st.navigation(pages)
st.sidebar.title("aeviz")
st.sidebar.caption("Train an autoencoder on digits and see what it learned.")
cfg, pressed = state.sidebar()
st.session_state["sidebar_cfg"] = cfg
common.active_config(cfg, pressed)
common.warm_up()
nav.run()
