"""aeviz: an interactive autoencoder lab. Run with `streamlit run app.py`."""
PAGES = [
    ("aeviz/ui/page_latent.py", "Latent space", ":material/scatter_plot:", "latent"),
    ("aeviz/ui/page_denoise.py", "Denoising", ":material/auto_fix_high:", "denoising"),
    ("aeviz/ui/page_decoder.py", "Decoder", ":material/grid_view:", "decoder"),
    ("aeviz/ui/page_replay.py", "Training replay", ":material/replay:", "replay"),
    ("aeviz/ui/page_lessons.py", "Lessons", ":material/school:", "lessons"),
]


def main() -> None:
    import streamlit as st

    from aeviz.ui import astlock, session, sidebar  # light: the sidebar is drawn before torch and scikit-learn load

    astlock.install()  # before any thread of the server parses Python (see astlock)

    st.set_page_config(page_title="aeviz · autoencoder lab", page_icon=":material/blur_on:", layout="wide")
    nav = st.navigation([st.Page(path, title=title, icon=icon, url_path=url, default=i == 0)
                         for i, (path, title, icon, url) in enumerate(PAGES)])
    st.sidebar.title("aeviz")
    st.sidebar.caption("Train an autoencoder on digits and see what it learned.")
    cfg, pressed = sidebar.draw()
    session.set_sidebar_config(cfg)
    from aeviz.ui import linked
    linked.preload(st.sidebar)  # plotly.js for the Latent panels, fetched while the model trains
    from aeviz import cost, jobs
    from aeviz.ui import common
    jobs.prefetch(cost.throughput)  # once per server: measured while this page loads its data
    try:
        common.choose_shown(cfg, pressed)
        sidebar.estimate_caption(cfg)
    except jobs.JobsUnavailable as exc:  # said once, here; the pages need the jobs to show anything
        st.error(f"**Background work is unavailable.** {exc}", icon=":material/error:")
        st.button("Retry", key="retry_jobs", icon=":material/refresh:")
        st.stop()
    nav.run()


# Streamlit runs this file as __main__. The projection worker process, started with "spawn",
# re-imports it as __mp_main__: it must neither start the app (and another worker) again nor import
# streamlit and torch, which is why the imports live inside main().
if __name__ == "__main__":
    main()
