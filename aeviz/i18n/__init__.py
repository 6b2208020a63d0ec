"""The words aeviz shows, in English and Brazilian Portuguese: `t(key, **params)`.

The catalogues are one folder per language (`en/`, `pt/`) with one TOML file per part of the app;
the file's name is the first part of every key in it (`sidebar.toml`'s `train` is
`sidebar.train`). TOML rather than gettext: the keys say where a text is used, the tests can check
that both languages have the same keys and placeholders and that every key is used, Python reads
TOML without a compile step (gettext's .mo files would need one at install or build time), and
translators edit plain text with their context beside it.

Text made away from the page (a lesson's sentence, a job's message, an upload's refusal) is a `Msg`:
a key and its parameters, turned into words by `str()` in the language of whoever shows it, so a
lesson run once reads in each learner's own language.
"""
from __future__ import annotations

import contextvars
import functools
import string
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path

LANGUAGES: dict[str, str] = {"en": "English", "pt": "Português (Brasil)"}
DEFAULT = "en"
_HERE = Path(__file__).parent
_lang: contextvars.ContextVar[str | None] = contextvars.ContextVar("aeviz_lang", default=None)
_resolver: list[Callable[[], str | None]] = []


def pick(locale: str | None) -> str:
    """The language for a browser or system locale ("pt-BR", "pt_PT.UTF-8", "en-US", None)."""
    code = (locale or "").replace("_", "-").split("-")[0].strip().lower()
    return code if code in LANGUAGES else DEFAULT


def use(lang: str) -> contextvars.Token:
    """Speak `lang` in this thread from now on (a Streamlit script run, the CLI)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; valid: {', '.join(LANGUAGES)}")
    return _lang.set(lang)


def speaking(lang: str, fn: Callable, *args):
    """fn(*args) with t() speaking `lang`, leaving this thread's language as it was (a cached result
    built in a shared thread, e.g. a figure every session of that language reuses)."""
    def run():
        use(lang)
        return fn(*args)
    return contextvars.copy_context().run(run)


def set_resolver(fn: Callable[[], str | None]) -> None:
    """Where the language comes from when this thread has not been told (the UI registers the
    session's choice, so a fragment rerun on another thread still speaks it)."""
    _resolver[:] = [fn]


def current() -> str:
    lang = _lang.get()
    if lang is None and _resolver:
        try:
            lang = _resolver[0]()
        except Exception:  # no session here (a background thread): the default language
            lang = None
    return lang if lang in LANGUAGES else DEFAULT


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """Every key of `lang` -> its text, from i18n/<lang>/*.toml (nested tables join with dots)."""
    out: dict[str, str] = {}

    def flatten(prefix: str, table: dict) -> None:
        for key, value in table.items():
            if isinstance(value, dict):
                flatten(f"{prefix}.{key}", value)
            else:
                out[f"{prefix}.{key}"] = str(value)

    for path in sorted((_HERE / lang).glob("*.toml")):
        with path.open("rb") as f:
            flatten(path.stem, tomllib.load(f))
    return out


class _Formatter(string.Formatter):
    """str.format with numbers written the language's way: 1,234.5 in English, 1.234,5 in Portuguese."""

    def __init__(self, lang: str):
        self.lang = lang

    def format_field(self, value, format_spec: str) -> str:
        text = super().format_field(value, format_spec)
        if self.lang == "pt" and isinstance(value, (int, float)) and not isinstance(value, bool):
            text = text.translate(str.maketrans(".,", ",."))
        return text


def t(key: str, lang: str | None = None, **params) -> str:
    """The text for key in `lang` (default: the current language), with params filled in. An unknown
    key raises (tests/test_i18n.py keeps every language's keys the same)."""
    lang = lang or current()
    text = catalogue(lang).get(key)
    if text is None:
        raise ValueError(f"unknown message key {key!r} in language {lang!r}: add it to aeviz/i18n/{lang}/"
                         f"{key.split('.')[0]}.toml")
    params = {k: (v.render(lang) if isinstance(v, (Msg, Joined)) else v) for k, v in params.items()}
    return _Formatter(lang).format(text, **params) if params else text


def number(value: float, spec: str = "", lang: str | None = None) -> str:
    """A number written the current language's way."""
    return _Formatter(lang or current()).format_field(value, spec)


class Msg:
    """A text to be worded later, in the language of whoever shows it: `str(Msg("a.b", n=3))`."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, **params):
        self.key, self.params = key, params

    def render(self, lang: str | None = None) -> str:
        return t(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Msg({self.key!r}, {self.params!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Msg) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted(self.params.items(), key=lambda kv: kv[0]))))

    def __reduce__(self):  # pickled across processes (Ray, the projection worker) as key and params
        return (_msg, (self.key, self.params))


def _msg(key: str, params: dict) -> Msg:
    return Msg(key, **params)


class Joined:
    """Several texts joined by a separator, each worded in the language of whoever shows them."""

    __slots__ = ("parts", "sep")

    def __init__(self, parts: Iterable, sep: str = "; "):
        self.parts, self.sep = list(parts), sep

    def render(self, lang: str | None = None) -> str:
        return self.sep.join(p.render(lang) if isinstance(p, (Msg, Joined)) else str(p) for p in self.parts)

    def __str__(self) -> str:
        return self.render()


def text(value, lang: str | None = None) -> str:
    """A Msg, a Joined or a plain string, as words."""
    return value.render(lang) if isinstance(value, (Msg, Joined)) else str(value)
