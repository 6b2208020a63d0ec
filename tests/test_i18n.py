"""The message catalogues: the same keys and placeholders in every language, every key used by the
code and every key the code names present; numbers written each language's way."""
import ast
import re
import string
from pathlib import Path

import pytest

from aeviz import i18n

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "app.py", *sorted((ROOT / "aeviz").rglob("*.py"))]


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def _code_strings() -> tuple[set[str], list[re.Pattern], set[str]]:
    """Every string literal of the code, every f-string as a pattern (its {...} parts match any
    key part), and the literal first arguments of t(...) and Msg(...) calls."""
    literals, patterns, named = set(), [], set()
    for path in SOURCES:
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
            elif isinstance(node, ast.JoinedStr):
                parts = [re.escape(v.value) if isinstance(v, ast.Constant) else r"[\w-]+" for v in node.values]
                patterns.append(re.compile("".join(parts)))
            if (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                    and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) in ("t", "Msg")):
                named.add(node.args[0].value)
    return literals, patterns, named


def test_every_language_has_the_same_keys():
    keys = {lang: set(i18n.catalogue(lang)) for lang in i18n.LANGUAGES}
    assert keys["en"], "the English catalogue is empty"
    for lang, have in keys.items():
        assert have == keys["en"], (f"{lang}: missing {sorted(keys['en'] - have)[:20]}, "
                                    f"extra {sorted(have - keys['en'])[:20]}")


def test_every_translation_keeps_the_placeholders():
    en = i18n.catalogue("en")
    for lang in i18n.LANGUAGES:
        wrong = [k for k, v in i18n.catalogue(lang).items() if _placeholders(v) != _placeholders(en[k])]
        assert not wrong, f"{lang}: placeholders differ from English in {wrong[:20]}"
        empty = [k for k, v in i18n.catalogue(lang).items() if not v.strip()]
        assert not empty, f"{lang}: empty texts {empty[:20]}"


def test_every_key_is_used_and_every_named_key_exists():
    literals, patterns, named = _code_strings()
    keys = set(i18n.catalogue("en"))
    unused = sorted(k for k in keys if k not in literals and not any(p.fullmatch(k) for p in patterns))
    assert not unused, f"catalogue entries no code uses: {unused[:30]}"
    missing = sorted(k for k in named if k not in keys)
    assert not missing, f"keys the code names that no catalogue has: {missing[:30]}"


def test_numbers_are_written_the_language_s_way():
    assert i18n.number(1234.5, ",.1f", "en") == "1,234.5"
    assert i18n.number(1234.5, ",.1f", "pt") == "1.234,5"
    assert i18n.number(0.25, ".0%", "pt") == "25%"


@pytest.mark.parametrize("locale, lang", [("pt-BR", "pt"), ("pt_PT.UTF-8", "pt"), ("en-US", "en"),
                                          ("de-DE", "en"), (None, "en"), ("", "en")])
def test_the_language_follows_the_locale(locale, lang):
    assert i18n.pick(locale) == lang


def test_a_msg_is_worded_by_whoever_shows_it():
    key = next(iter(i18n.catalogue("en")))
    msg = i18n.Msg(key)
    assert msg.render("en") == i18n.catalogue("en")[key] and msg.render("pt") == i18n.catalogue("pt")[key]
    import pickle

    assert pickle.loads(pickle.dumps(msg)) == msg
    token = i18n.use("pt")
    try:
        assert str(msg) == i18n.catalogue("pt")[key]
    finally:
        i18n._lang.reset(token)
