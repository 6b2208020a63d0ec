"""The words aeviz shows, in English and Brazilian Portuguese: `t(key, **params)`.

The catalogues are gettext files beside this module, the ones Poedit and Weblate open: `aeviz.pot`, the
template (one entry per key: `msgctxt` is the key the code names, such as `lessons.bottleneck.claim`,
`msgid` the English text, `#.` a note for translators), and one `<code>.po` per language (`en.po`,
`pt.po`) whose `msgstr` is that language's text; texts with {placeholders} (str.format) are flagged
`python-brace-format`, so `msgfmt --check` holds every translation to the English one's. A key added
to the code is an entry added to aeviz.pot and to every .po; a new language is a copy of aeviz.pot
(or `msginit -i aeviz.pot -l es -o es.po`) saved here with its own name in the header's
X-Language-Name, and shows up in LANGUAGES at the next start. An empty or fuzzy msgstr reads as the
English msgid, as gettext does, so a language half translated still works.

The .po files are read as they are, with polib, at run time: it is pure Python and needs no compile
step, where gettext's compiled .mo files would need Babel or msgfmt at install or build time and two
copies of every text to keep in step. tests/test_i18n.py checks that every language has the same keys
and placeholders, that every key is used and that every key the code names is there.

Text made away from the page (a lesson's sentence, a job's message, an upload's refusal) is a `Msg`:
a key and its parameters, turned into words by `str()` in the language of whoever shows it, so a
lesson run once reads in each learner's own language.
"""
from __future__ import annotations

import contextvars
import functools
import re
import string
from collections.abc import Callable, Iterable
from pathlib import Path

import polib

DEFAULT = "en"
FOLDER = Path(__file__).parent  # aeviz.pot and one <code>.po per language
TEMPLATE = "aeviz.pot"
_FIRST = ("en", "pt")  # the languages aeviz is written in, first in the language picker


@functools.cache
def _read(path: Path) -> polib.POFile:
    return polib.pofile(str(path), check_for_duplicates=True)


def _name(path: Path, code: str) -> str:
    """A language's own name: its .po header's X-Language-Name, else its Language-Team (less the
    address, unless it is the template's LANGUAGE or msginit's none), else its code."""
    meta = _read(path).metadata
    team = re.sub(r"\s*<[^>]*>\s*$", "", meta.get("Language-Team", "")).strip()
    return meta.get("X-Language-Name", "").strip() or (team if team not in ("", "LANGUAGE", "none") else code)


def languages(folder: Path | str | None = None) -> dict[str, str]:
    """Every language with a <code>.po in `folder` (default: beside this module) -> its own name,
    English and Portuguese first, the others by code."""
    folder = Path(folder or FOLDER)
    codes = sorted((path.stem for path in folder.glob("*.po")),
                   key=lambda code: (_FIRST.index(code) if code in _FIRST else len(_FIRST), code))
    return {code: _name(folder / f"{code}.po", code) for code in codes}


LANGUAGES: dict[str, str] = languages()
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
def catalogue(lang: str, folder: Path | str | None = None) -> dict[str, str]:
    """Every key of `lang` -> its text, from <folder>/<lang>.po (default: beside this module): each
    entry's msgctxt is the key, its msgstr the text, or the English msgid where the msgstr is empty or
    fuzzy. A language with no .po has no keys."""
    path = Path(folder or FOLDER) / f"{lang}.po"
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    for entry in _read(path):
        if entry.obsolete:
            continue
        if not entry.msgctxt:
            raise ValueError(f"{path}:{entry.linenum}: an entry with no msgctxt (the key the code names)")
        if entry.msgctxt in out:
            raise ValueError(f"{path}:{entry.linenum}: a second entry for the key {entry.msgctxt!r}")
        out[entry.msgctxt] = entry.msgstr if entry.msgstr and not entry.fuzzy else entry.msgid
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
        raise ValueError(f"unknown message key {key!r} in language {lang!r}: add an entry with msgctxt "
                         f"\"{key}\" to aeviz/i18n/{lang}.po (and to {TEMPLATE} and every other language's .po)")
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
