"""The sidebar: every training setting as a widget, mirrored in the URL's query string.

A copied link reproduces the view: on a session's first run the query string seeds the widgets
(bad values are reported and replaced by defaults); afterwards every change is written back.
"""
from __future__ import annotations

import streamlit as st

from .. import data
from ..config import (
    KINDS,
    NOISE_KINDS,
    ExperimentConfig,
    parse_hidden,
)
from . import session

LRS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 1.0, 10.0)
BATCHES = (16, 32, 64, 128, 256, 512)
KIND_LABELS = {
    "undercomplete": "Undercomplete", "linear": "Linear (= PCA)", "sparse-l1": "Sparse (L1)",
    "sparse-kl": "Sparse (KL to ρ)", "denoising": "Denoising", "overcomplete": "Overcomplete",
    "conv": "Convolutional", "variational": "Variational (VAE)", "parametric-umap": "Parametric UMAP",
}
NOISE_LABELS = {"none": "none", "gaussian": "Gaussian", "salt-and-pepper": "salt & pepper", "masking": "masking"}
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
                problems.append(f"Ignored `{name}={raw}` from the link (not an accepted value); "
                                f"using {default}.")
        st.session_state[key] = value
    return problems


def write_query() -> None:
    """Mirror the widgets in the URL (only what differs from the defaults, to keep links short)."""
    wanted = {name: str(st.session_state[key]) for key, (name, default, _) in PARAMS.items()
              if st.session_state.get(key, default) != default}
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def draw() -> tuple[ExperimentConfig, bool]:
    """Draw the settings; return the config they describe and whether Train was pressed."""
    for msg in seed_from_query():
        st.sidebar.warning(msg)
    sb = st.sidebar
    sb.selectbox("Data set", (*data.DATASETS, UPLOAD), key="w_data",
                 format_func=lambda n: "Your data (upload)" if n == UPLOAD else data.DATASETS[n].title,
                 help="The digits to learn from, or your own images.")
    if st.session_state["w_data"] == UPLOAD:
        data_upload()
    sb.selectbox("Autoencoder kind", tuple(KINDS), key="w_kind", format_func=KIND_LABELS.get,
                 help="\n".join(f"- **{KIND_LABELS[k]}**: {v}" for k, v in KINDS.items()))
    kind = st.session_state["w_kind"]
    sb.slider("Bottleneck (latent size)", 1, 64, key="w_k", disabled=kind == "overcomplete",
              help="Width of the code. 2 can be plotted directly. The overcomplete kind ignores it "
                   "(its code is twice as wide as the input).")
    sb.text_input("Hidden widths", key="w_hidden", help="Encoder layer widths, comma-separated "
                  "(e.g. `256` or `512, 128`); the decoder mirrors them. Empty for none.")
    with sb.expander("Training", expanded=False):
        st.slider("Epochs", 1, 100, key="w_epochs")
        st.select_slider("Learning rate", LRS, key="w_lr", format_func=lambda v: f"{v:g}")
        st.select_slider("Batch size", BATCHES, key="w_bs")
        st.number_input("Seed", 0, 10_000, step=1, key="w_seed")
    if kind == "denoising":
        sb.selectbox("Training noise", NOISE_KINDS[1:], key="w_noise", format_func=NOISE_LABELS.get)
        sb.slider("Noise level", 0.0, 1.0, step=0.05, key="w_level",
                  help="σ for Gaussian noise; the fraction of pixels hit for the other two.")
    pressed = sb.button("Train", type="primary", width="stretch", key="train_button")
    session.put_estimate_slot(sb.empty())  # filled by estimate_caption once torch is loaded
    model_upload()
    write_query()
    return current_config(), pressed


def estimate_caption(cfg: ExperimentConfig) -> None:
    """Under Train: why the last Train of these settings was refused, or what pressing it costs."""
    from .. import cost, jobs
    from . import common

    slot = session.take_estimate_slot().container()
    if (refused := session.refusal("train", cfg)) is not None:
        slot.error(refused, icon=":material/block:")
    elif (job := common.training(cfg)) is not None and job.finished_ok or jobs.store.contains(cfg):
        slot.caption("Trained already: shows at once.")
    else:
        seconds, limit = common.train_estimate(cfg), cost.max_job_seconds()
        over = f", over this server's limit of {cost.say(limit)}" if seconds > limit else ""
        slot.caption(f"Training: {cost.say(seconds)}{over}.")


def current_config() -> ExperimentConfig:
    ss = st.session_state
    hidden = parse_hidden(ss["w_hidden"])
    if hidden is None:
        st.sidebar.error(f"Hidden widths `{ss['w_hidden']}` not understood: give up to 4 integers "
                         "from 1 to 4096, comma-separated. Using the default 256.")
        hidden = _D.model.hidden
    kind = ss["w_kind"]
    noise = ss["w_noise"] if kind == "denoising" else "none"
    return ExperimentConfig.of(data_name(), kind, ss["w_k"], hidden, ss["w_epochs"], ss["w_bs"], ss["w_lr"],
                               ss["w_seed"], noise, ss["w_level"])


def _apply_to_widgets(cfg: ExperimentConfig) -> None:
    ss = st.session_state
    ss["w_data"], ss["w_kind"] = cfg.data.name, cfg.model.kind
    ss["w_k"] = min(max(cfg.model.latent_dim, 1), 64)
    ss["w_hidden"] = ", ".join(map(str, cfg.model.hidden))
    ss["w_epochs"], ss["w_seed"] = min(cfg.train.epochs, 100), cfg.train.seed
    ss["w_lr"] = min(LRS, key=lambda v: abs(v - cfg.train.lr))
    ss["w_bs"] = min(BATCHES, key=lambda v: abs(v - cfg.train.batch_size))
    if cfg.noise.kind != "none":
        ss["w_noise"], ss["w_level"] = cfg.noise.kind, cfg.noise.level


def _on_model_upload() -> None:
    """Load an uploaded (model.safetensors, model.json) pair; on any problem keep what was there."""
    from .. import weights as model_files
    from . import common

    files = st.session_state.get("model_files") or []  # the uploader widget's value
    session.set_problem("model", None)
    weights = [f for f in files if f.name.endswith(".safetensors")]
    configs = [f for f in files if f.name.endswith(".json")]
    if len(files) < 2:
        return
    if len(weights) != 1 or len(configs) != 1:
        session.set_problem("model", "Upload exactly two files: the weights (`.safetensors`) and their "
                                     "configuration (`.json`), as exported by aeviz.")
        return
    try:
        model, cfg, _ = model_files.load_model(weights[0].getvalue(), configs[0].getvalue())
    except ValueError as exc:
        session.set_problem("model", f"Could not load the model: {exc}")
        return
    common.register_loaded(cfg, model)
    session.show(cfg)
    _apply_to_widgets(cfg)


def model_upload() -> None:
    with st.sidebar.expander("Load a trained model"):
        st.file_uploader("model.safetensors and model.json", type=["safetensors", "json"],
                         accept_multiple_files=True, key="model_files", on_change=_on_model_upload,
                         help="The pair from the Export section. Nothing uploaded is ever unpickled.")
        if (problem := session.problem("model")) is not None:
            st.error(problem)


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
        session.set_problem("data", "The uploaded data set was dropped from the server's memory: upload it again.")
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
        session.set_problem("data", f"{f.name}: {exc}")  # the previous data and model stay
        return
    session.set_uploaded(upload.hold(ds), f"{f.name}: {len(ds.x_train) + len(ds.x_test):,} images, "
                                          f"{ds.image_shape[0]}x{ds.image_shape[1]}, {len(ds.class_names)} classes")


def data_upload() -> None:
    from .. import upload

    with st.sidebar.container(border=True):
        st.file_uploader("Your images", type=["npz", "npy", "csv", "zip"], key="data_file",
                         on_change=_on_data_upload, help=upload.ACCEPTED)
        st.caption(upload.SCALING_NOTE)
        if (problem := session.problem("data")) is not None:
            st.error(problem)
        elif (description := session.uploaded_description()) is not None and session.uploaded_name():
            st.success(description)
        else:
            st.info("Upload a file to train on your own images; until then the previous data set stays.")
