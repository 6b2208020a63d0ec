"""The message catalogues (aeviz/i18n/aeviz.pot and a <code>.po per language): the same keys and
placeholders in every language, every key used by the code and every key the code names present, the
template and every .po in step, a new language picked up from its file; numbers written each
language's way."""
import ast
import collections
import re
import shutil
import string
from pathlib import Path

import polib
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


def _entries(path: Path) -> list[polib.POEntry]:
    """The live entries of a .po or .pot, refusing one that repeats an entry (polib's own check)."""
    return [e for e in polib.pofile(str(path), check_for_duplicates=True) if not e.obsolete]


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_every_po_translates_the_template_entry_by_entry(lang):
    template = {e.msgctxt: e for e in _entries(i18n.FOLDER / i18n.TEMPLATE)}
    entries = _entries(i18n.FOLDER / f"{lang}.po")
    twice = [k for k, n in collections.Counter(e.msgctxt for e in entries).items() if n > 1]
    assert not twice, f"{lang}.po: keys with more than one entry {twice[:20]}"
    keys = {e.msgctxt for e in entries}
    assert keys == set(template), (f"{lang}.po: missing {sorted(set(template) - keys)[:20]}, extra "
                                   f"{sorted(keys - set(template))[:20]} (msgmerge --update {lang}.po aeviz.pot)")
    stale = [e.msgctxt for e in entries if e.msgid != template[e.msgctxt].msgid]
    assert not stale, f"{lang}.po: English source differs from aeviz.pot's in {stale[:20]}"
    unflagged = [e.msgctxt for e in entries
                 if ("python-brace-format" in e.flags) != bool(_placeholders(e.msgid))]
    assert not unflagged, f"{lang}.po: python-brace-format flag wrong (placeholders or none) in {unflagged[:20]}"


def test_the_template_has_one_entry_a_key_and_no_translations():
    entries = _entries(i18n.FOLDER / i18n.TEMPLATE)
    assert len({e.msgctxt for e in entries}) == len(entries) and all(e.msgctxt for e in entries)
    assert not [e.msgctxt for e in entries if e.msgstr], "aeviz.pot holds translations"
    assert [e.msgctxt for e in entries] == list(i18n.catalogue("en")), "aeviz.pot and en.po in another order"


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_the_languages_aeviz_is_written_in_are_complete(lang):
    """An untranslated or fuzzy entry reads as English (as in gettext), which would hide it from the
    empty-text check above: the two languages this project keeps have none."""
    po = polib.pofile(str(i18n.FOLDER / f"{lang}.po"))
    untranslated, fuzzy = [e.msgctxt for e in po.untranslated_entries()], [e.msgctxt for e in po.fuzzy_entries()]
    assert not untranslated, f"{lang}.po: untranslated {untranslated[:20]}"
    assert not fuzzy, f"{lang}.po: fuzzy {fuzzy[:20]}"


def test_a_new_language_is_a_po_file_beside_the_others(tmp_path):
    for lang in ("en", "pt"):
        shutil.copy(i18n.FOLDER / f"{lang}.po", tmp_path / f"{lang}.po")
    po = polib.pofile(str(i18n.FOLDER / "pt.po"))
    po.metadata.update({"Language": "es", "Language-Team": "Spanish", "X-Language-Name": "Español"})
    empty, fuzzy, kept = po[0], po[1], po[2]
    empty.msgstr = ""
    fuzzy.flags.append("fuzzy")
    po.save(str(tmp_path / "es.po"))

    assert i18n.languages(tmp_path) == {"en": "English", "pt": "Português (Brasil)", "es": "Español"}
    assert "es" not in i18n.LANGUAGES  # the tmp folder, not aeviz/i18n
    es = i18n.catalogue("es", tmp_path)
    assert set(es) == set(i18n.catalogue("en"))
    assert es[empty.msgctxt] == empty.msgid and es[fuzzy.msgctxt] == fuzzy.msgid  # gettext's English fallback
    assert es[kept.msgctxt] == kept.msgstr == i18n.catalogue("pt")[kept.msgctxt]
    del po.metadata["X-Language-Name"]
    po.save(str(tmp_path / "es.po"))
    i18n._read.cache_clear()
    assert i18n.languages(tmp_path)["es"] == "Spanish"  # no X-Language-Name: the Language-Team


def test_a_key_twice_in_a_po_is_refused(tmp_path):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgctxt="app.title", msgid="one", msgstr="um"))
    po.append(polib.POEntry(msgctxt="app.title", msgid="two", msgstr="dois"))
    po.save(str(tmp_path / "xx.po"))
    with pytest.raises(ValueError, match="app.title"):
        i18n.catalogue("xx", tmp_path)


def test_an_unknown_key_names_the_po_to_add_it_to():
    with pytest.raises(ValueError, match=r"msgctxt \"no\.such\.key\" to aeviz/i18n/pt\.po"):
        i18n.t("no.such.key", "pt")
