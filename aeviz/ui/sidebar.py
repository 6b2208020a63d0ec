"""The sidebar: every training setting as a widget, mirrored in the URL's query string.

A copied link reproduces the view: on a session's first run the query string seeds the widgets
(bad values are reported and replaced by defaults); afterwards every change is written back.
"""
from __future__ import annotations

import streamlit as st

from .. import data, failures, i18n
from ..config import (
    KINDS,
    NOISE_KINDS,
    ExperimentConfig,
    parse_hidden,
)
from ..i18n import t
from . import session

LRS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 2e-2, 3e-2, 0.1, 1.0, 10.0)
BATCHES = (16, 32, 64, 128, 256, 512)


def kind_label(kind: str) -> str:
    """The name shown for an autoencoder kind, in the current language."""
    return t(f"sidebar.kind.{kind}")


def kind_about(kind: str) -> str:
    """What an autoencoder kind is, in one line of the current language."""
    return t(f"sidebar.kind_about.{kind}")


def noise_label(noise: str) -> str:
    """The name shown for a kind of noise, in the current language."""
    return t(f"sidebar.noise.{noise}")
_D = ExperimentConfig()

# widget key -> (query-string name, default, parser from a string)
PARAMS = {
    "w_data": ("data", _D.data.name, str),
    "w_kind": ("kind", _D.model.kind, str),
    "w_k": ("k", _D.model.latent_dim, int),
    "w_hidden": ("hidden", ",".join(map(str, _D.model.hidden)), str),
    "w_epochs": ("epochs", _D.train.epochs, int),
    "w_lr": ("lr", _D.train.lr, float),
    "w_bs": ("bs", _D.train.batch_size, int),
    "w_seed": ("seed", _D.train.seed, int),
    "w_noise": ("noise", "gaussian", str),
    "w_level": ("level", 0.3, float),
}
UPLOAD = "upload"  # the "Your data" entry of the data-set choice
_CHOICES = {"w_data": (*data.DATASETS, UPLOAD), "w_kind": tuple(KINDS), "w_lr": LRS, "w_bs": BATCHES,
            "w_noise": NOISE_KINDS[1:]}
_RANGES = {"w_k": (1, 64), "w_epochs": (1, 100), "w_seed": (0, 10_000), "w_level": (0.0, 1.0)}


def _valid(key: str, value) -> bool:
    if key in _CHOICES:
        return value in _CHOICES[key]
    if key in _RANGES:
        lo, hi = _RANGES[key]
        return lo <= value <= hi
    if key == "w_hidden":
        return parse_hidden(value) is not None
    return True


def seed_from_query() -> list[str]:
    """Once per session: widget values from the query string. Returns messages about bad values."""
    if session.link_read():
        return []
    session.mark_link_read()
    problems = []
    for key, (name, default, parse) in PARAMS.items():
        value = default
        if name in st.query_params:
            raw = st.query_params[name]
            try:
                parsed = parse(raw)
                if not _valid(key, parsed):
                    raise ValueError
                value = parsed
            except ValueError:
                problems.append(t("sidebar.bad_link_value", name=name, raw=raw, default=default))
        st.session_state[key] = value
    return problems


def _session_language() -> str | None:
    """The language of the session whose script runs in this thread (None in a background thread)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return st.session_state.get("w_lang") if get_script_run_ctx() is not None else None


i18n.set_resolver(_session_language)  # once per server: every session's script thread asks it


def seed_language() -> str:
    """The session's language: `?lang=` from the link on the first run, else the browser's language;
    then the sidebar's choice. Spoken by every text of this run (and of fragments rerun later)."""
    if "w_lang" not in st.session_state:
        asked = st.query_params.get("lang")
        st.session_state["w_lang"] = asked if asked in i18n.LANGUAGES else i18n.pick(st.context.locale)
    i18n.use(st.session_state["w_lang"])
    return st.session_state["w_lang"]


def write_query() -> None:
    """Mirror the widgets in the URL (only what differs from the defaults, to keep links short),
    and the language unless it is English, so a shared link opens in the language it was shared in."""
    wanted = {name: str(st.session_state[key]) for key, (name, default, _) in PARAMS.items()
              if st.session_state.get(key, default) != default}
    if st.session_state.get("w_lang", i18n.DEFAULT) != i18n.DEFAULT:
        wanted["lang"] = st.session_state["w_lang"]
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def language() -> None:
    """The language menu, on every page."""
    st.sidebar.selectbox(t("sidebar.language"), tuple(i18n.LANGUAGES), key="w_lang", format_func=i18n.LANGUAGES.get,
                         help=t("sidebar.language_help"))


def keep_settings() -> None:
    """On a page that does not draw the model settings (Lessons): Streamlit forgets the value of a
    widget a run does not draw, unless the run assigns it, so each is assigned to itself."""
    for key in PARAMS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def draw() -> tuple[ExperimentConfig, bool]:
    """Draw the model settings; return the config they describe and whether Train was pressed."""
    for msg in seed_from_query():
        st.sidebar.warning(msg)
    sb = st.sidebar
    sb.selectbox(t("sidebar.data"), (*data.DATASETS, UPLOAD), key="w_data",
                 format_func=lambda n: t("sidebar.your_data") if n == UPLOAD else str(data.DATASETS[n].title),
                 help=t("sidebar.data_help"))
    if st.session_state["w_data"] == UPLOAD:
        data_upload()
    sb.selectbox(t("sidebar.kind_label"), tuple(KINDS), key="w_kind", format_func=kind_label,
                 help="\n".join(f"- **{kind_label(k)}**: {kind_about(k)}" for k in KINDS))
    kind = st.session_state["w_kind"]
    sb.slider(t("sidebar.bottleneck"), 1, 64, key="w_k", disabled=kind == "overcomplete",
              help=t("sidebar.bottleneck_help"))
    sb.text_input(t("sidebar.hidden"), key="w_hidden", help=t("sidebar.hidden_help"))
    with sb.expander(t("sidebar.training"), expanded=False):
        st.slider(t("sidebar.epochs"), 1, 100, key="w_epochs")
        st.select_slider(t("sidebar.lr"), LRS, key="w_lr", format_func=lambda v: i18n.number(v, "g"))
        st.select_slider(t("sidebar.batch"), BATCHES, key="w_bs")
        st.number_input(t("sidebar.seed"), 0, 10_000, step=1, key="w_seed")
    if kind == "denoising":
        sb.selectbox(t("sidebar.noise_kind"), NOISE_KINDS[1:], key="w_noise", format_func=noise_label)
        sb.slider(t("sidebar.noise_level"), 0.0, 1.0, step=0.05, key="w_level", help=t("sidebar.noise_level_help"))
    pressed = sb.button(t("sidebar.train"), type="primary", width="stretch", key="train_button")
    session.put_estimate_slot(sb.empty())  # filled by estimate_caption once torch is loaded
    model_upload()
    write_query()
    return current_config(), pressed


def estimate_caption(cfg: ExperimentConfig) -> None:
    """Under Train: why the last Train of these settings was refused, or what pressing it costs."""
    from .. import cost, jobs
    from . import shown

    slot = session.take_estimate_slot().container()
    if (refused := session.refusal("train", cfg)) is not None:
        slot.error(str(refused), icon=":material/block:")
    elif (job := shown.training(cfg)) is not None and job.finished_ok or jobs.store.contains(cfg):
        slot.caption(t("sidebar.trained_already"))
    else:
        seconds, limit = shown.train_estimate(cfg), cost.max_job_seconds()
        if seconds > limit:
            slot.caption(t("sidebar.estimate_over", seconds=cost.say(seconds), limit=cost.say(limit)))
        else:
            slot.caption(t("sidebar.estimate", seconds=cost.say(seconds)))


def current_config() -> ExperimentConfig:
    ss = st.session_state
    hidden = parse_hidden(ss["w_hidden"])
    if hidden is None:
        st.sidebar.error(t("sidebar.bad_hidden", text=ss["w_hidden"],
                           default=", ".join(map(str, _D.model.hidden))))
        hidden = _D.model.hidden
    kind = ss["w_kind"]
    noise = ss["w_noise"] if kind == "denoising" else "none"
    return ExperimentConfig.of(data_name(), kind, ss["w_k"], hidden, ss["w_epochs"], ss["w_bs"], ss["w_lr"],
                               ss["w_seed"], noise, ss["w_level"])


def open_config(cfg: ExperimentConfig) -> None:
    """The sidebar set to cfg from a page that does not draw it (the board, in a callback): every
    setting gets a value, and the link, not read yet in a session that opened there, is not read later."""
    session.mark_link_read()
    for key, (_, default, _) in PARAMS.items():
        st.session_state.setdefault(key, default)
    apply_config(cfg)


def apply_config(cfg: ExperimentConfig) -> None:
    """The widgets set to cfg (in a callback: before they are drawn)."""
    ss = st.session_state
    ss["w_data"], ss["w_kind"] = cfg.data.name, cfg.model.kind
    ss["w_k"] = min(max(cfg.model.latent_dim, 1), 64)
    ss["w_hidden"] = ",".join(map(str, cfg.model.hidden))  # as the default is written: a link stays short
    ss["w_epochs"], ss["w_seed"] = min(cfg.train.epochs, 100), cfg.train.seed
    ss["w_lr"] = min(LRS, key=lambda v: abs(v - cfg.train.lr))
    ss["w_bs"] = min(BATCHES, key=lambda v: abs(v - cfg.train.batch_size))
    if cfg.noise.kind != "none":
        ss["w_noise"], ss["w_level"] = cfg.noise.kind, cfg.noise.level


def _on_model_upload() -> None:
    """Load an uploaded (model.safetensors, model.json) pair; on any problem keep what was there."""
    from .. import weights as model_files
    from . import shown

    files = st.session_state.get("model_files") or []  # the uploader widget's value
    session.set_problem("model", None)
    weights = [f for f in files if f.name.endswith(".safetensors")]
    configs = [f for f in files if f.name.endswith(".json")]
    if len(files) < 2:
        return
    if len(weights) != 1 or len(configs) != 1:
        session.set_problem("model", i18n.Msg("sidebar.model_two_files"))
        return
    try:
        model, cfg, _ = model_files.load_model(weights[0].getvalue(), configs[0].getvalue())
    except ValueError as exc:
        session.set_problem("model", i18n.Msg("sidebar.model_bad", why=failures.message(exc)))
        return
    shown.register_loaded(cfg, model)
    session.show(cfg)
    apply_config(cfg)


def model_upload() -> None:
    with st.sidebar.expander(t("sidebar.load_model")):
        st.file_uploader(t("sidebar.model_files"), type=["safetensors", "json"],
                         accept_multiple_files=True, key="model_files", on_change=_on_model_upload,
                         help=t("sidebar.model_files_help"))
        if (problem := session.problem("model")) is not None:
            st.error(str(problem))


def data_name() -> str:
    """The data set the sidebar names: a built-in one, or the session's last good upload (until
    one is uploaded, the previous data set stays)."""
    from .. import upload

    if st.session_state["w_data"] != UPLOAD:
        session.set_last_builtin_data(st.session_state["w_data"])
        return st.session_state["w_data"]
    name = session.uploaded_name()
    if name is not None and upload.held(name) is not None:
        return name
    if name is not None:
        session.set_uploaded(None)
        session.set_problem("data", i18n.Msg("sidebar.upload_dropped"))
    return session.last_builtin_data(data.DEFAULT_DATASET)


def _on_data_upload() -> None:
    from .. import upload

    session.set_problem("data", None)
    f = st.session_state.get("data_file")  # the uploader widget's value
    if f is None:
        return
    try:
        ds = upload.load_upload(f.getvalue(), f.name)
    except upload.UploadError as exc:
        session.set_problem("data", i18n.Msg("sidebar.upload_refused", file=f.name, why=failures.message(exc)))
        return  # the previous data and model stay
    n, (h, w) = len(ds.x_train) + len(ds.x_test), ds.image_shape
    session.set_uploaded(upload.hold(ds), i18n.Msg("sidebar.upload_ok", file=f.name, n=n, h=h, w=w,
                                                   classes=len(ds.class_names)))


def data_upload() -> None:
    from .. import upload

    with st.sidebar.container(border=True):
        st.file_uploader(t("sidebar.your_images"), type=["npz", "npy", "csv", "zip"], key="data_file",
                         on_change=_on_data_upload, help=str(upload.ACCEPTED))
        st.caption(str(upload.SCALING_NOTE))
        if (problem := session.problem("data")) is not None:
            st.error(str(problem))
        elif (description := session.uploaded_description()) is not None and session.uploaded_name():
            st.success(str(description))
        else:
            st.info(t("sidebar.upload_first"))
