"""aeviz: an interactive autoencoder lab. Run with `streamlit run app.py`."""
PAGES = [  # file, icon, url path (its title is the catalogues' app.page.<url path>)
    ("aeviz/ui/page_latent.py", ":material/scatter_plot:", "latent"),
    ("aeviz/ui/page_denoise.py", ":material/auto_fix_high:", "denoising"),
    ("aeviz/ui/page_decoder.py", ":material/grid_view:", "decoder"),
    ("aeviz/ui/page_inside.py", ":material/layers:", "inside"),
    ("aeviz/ui/page_replay.py", ":material/replay:", "replay"),
    ("aeviz/ui/page_lessons.py", ":material/school:", "lessons"),
    ("aeviz/ui/page_board.py", ":material/leaderboard:", "board"),
]
SETTINGS_OF_THEIR_OWN = {"lessons", "board"}  # pages whose sidebar has their own settings, not the model's


def main() -> None:
    import os

    # MKL's own threads, beside the OpenMP team torch gives each job thread, oversubscribed the cores:
    # the server's trainings (in job threads) ran at half speed (bench/RESULTS.md, "job threads").
    # Set before torch loads; torch.set_num_threads in each job still sets the job's share of cores.
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    import streamlit as st

    from aeviz.ui import astlock, session, sidebar  # light: the sidebar is drawn before torch and scikit-learn load

    astlock.install()  # before any thread of the server parses Python (see astlock)

    from aeviz.i18n import t

    sidebar.seed_language()  # before the first text: the page titles speak it too
    st.set_page_config(page_title=t("app.title"), page_icon=":material/blur_on:", layout="wide")
    nav = st.navigation([st.Page(path, title=t(f"app.page.{url}"), icon=icon, url_path=url, default=i == 0)
                         for i, (path, icon, url) in enumerate(PAGES)])
    # The document's language, so screen readers pronounce the page in it (Streamlit's is always "en").
    st.sidebar.html(f"<script>document.documentElement.lang = {t('app.html_lang')!r};</script>",
                    unsafe_allow_javascript=True)
    st.sidebar.title("aeviz")
    st.sidebar.caption(t("app.tagline"))
    sidebar.language()
    from aeviz import cost, jobs
    own_settings = nav.url_path in SETTINGS_OF_THEIR_OWN  # the sidebar holds what the page reads, no more
    if own_settings:
        sidebar.keep_settings()
    else:
        cfg, pressed = sidebar.draw()
        session.set_sidebar_config(cfg)
        from aeviz.ui import linked
        linked.preload(st.sidebar)  # plotly.js for the Latent panels, fetched while the model trains
    jobs.prefetch(cost.throughput)  # once per server: measured while this page loads its data
    from aeviz.ui import share
    share.task_banner()  # the teacher's task, above every page
    try:
        if not own_settings:
            from aeviz.ui import shown
            shown.choose_shown(cfg, pressed)
            sidebar.estimate_caption(cfg)
        nav.run()
    except jobs.JobsUnavailable as exc:  # said once, here; the pages need the jobs to show anything
        st.error(t("app.jobs_unavailable", why=exc), icon=":material/error:")
        st.button(t("common.retry"), key="retry_jobs", icon=":material/refresh:")


# Streamlit runs this file as __main__. The projection worker process, started with "spawn",
# re-imports it as __mp_main__: it must neither start the app (and another worker) again nor import
# streamlit and torch, which is why the imports live inside main().
if __name__ == "__main__":
    main()
