"""The German catalogue covers every message the templates and code mark for translation."""

from __future__ import annotations

from babel.messages.pofile import read_po

from printscout.web.i18n import LOCALES, environments


def test_it_translates_every_message_into_german() -> None:
    with (LOCALES / "messages.pot").open("rb") as source:
        wanted = {m.id for m in read_po(source) if m.id}
    with (LOCALES / "de" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        german = {m.id: m.string for m in read_po(source, locale="de") if m.id}
    assert wanted, "the template catalogue is empty"
    assert sorted(i for i in wanted if not german.get(i)) == []


def test_it_renders_the_same_template_in_each_language() -> None:
    found = environments()
    english = found["en"].get_template("accounts/login.html").render(login=None, csrf="t", next="/")
    german = found["de"].get_template("accounts/login.html").render(login=None, csrf="t", next="/")
    assert "Password" in english and "Passwort" in german
