"""Languages of the console: gettext catalogues read from the .po files with Babel at startup."""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape

from printscout.storage.console import LANGUAGES

HERE: Final = Path(__file__).resolve().parent
LOCALES: Final = HERE / "locale"
TEMPLATES: Final = HERE / "templates"
DEFAULT: Final = "en"


def translations(language: str) -> gettext.NullTranslations:
    """The catalogue of ``language`` (English is the source text: no catalogue)."""
    po = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT or not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def environments() -> Mapping[str, Environment]:
    """One Jinja environment per language (gettext is installed per environment)."""
    found = {}
    for language in LANGUAGES:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True, default_for_string=True),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
        env.globals["language"] = language
        found[language] = env
    return found


def pick_language(chosen: str | None, accept: str) -> str:
    """The user's choice, else the first supported language the browser asks for."""
    if chosen in LANGUAGES:
        return chosen
    for part in accept.split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return DEFAULT
