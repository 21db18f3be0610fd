"""The words of the theme in the site's language: gettext message catalogs, kept with Babel's tools.

Every word a reader sees besides the site's own content is a message: English in the templates
and here in the code, translated in `theme/locales/LANG/LC_MESSAGES/sitegen.po` (docs/translations.md
says how they are extracted and updated). A catalog is compiled when it is first used, in memory,
so there is no compiled file to forget. A site adds or replaces messages for its language in
`layouts/locales/LANG.po` (load/messages.py reads it into `SiteConfig.messages`).

Plural forms follow each language's CLDR rules, which Babel writes into a catalog's header: one
form in English for 1, in Russian for 1, 21 and 101, six in Arabic.
"""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from markupsafe import Markup

from sitegen.load.messages import site_catalog_path
from sitegen.model.types import SiteConfig
from sitegen.render.dates import locale_of

LOCALES = Path(__file__).resolve().parent.parent / "theme" / "locales"
DOMAIN = "sitegen"
SOURCE_LANGUAGE = "en"
"""The language of the messages themselves: it needs no catalog."""


def catalog_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=1)
def shipped_languages() -> tuple[str, ...]:
    """The languages sitegen has every message in, as catalog folder names (en, pt_BR, ru)."""
    found = {folder.name for folder in LOCALES.iterdir() if catalog_path(folder.name).is_file()}
    return tuple(sorted(found | {SOURCE_LANGUAGE}))


def is_source_language(language: str) -> bool:
    return locale_of(language).language == SOURCE_LANGUAGE


def shipped_catalog_for(language: str) -> str | None:
    """The shipped catalog a language tag uses: its own (pt_BR for pt-BR), else its language's (pt);
    None for English and for a language sitegen has no catalog for."""
    locale = locale_of(language)
    for name in (str(locale), locale.language):
        if name in shipped_languages():
            return name if name != SOURCE_LANGUAGE else None
    return None


def text_direction(language: str) -> str:
    """"rtl" for a language written right to left (Arabic, Hebrew, Persian), else "ltr"."""
    return locale_of(language).text_direction


def language_attributes(language: str | None, around: str) -> Markup:
    """` lang="ru" dir="ltr"` for text in `language` among text in `around`; empty for the same."""
    if language is None or language == around:
        return Markup("")
    return Markup(' lang="%s" dir="%s"') % (language, text_direction(language))


class Words:
    """A language's messages and numbers, for templates and for the code."""

    def __init__(self, language: str, site_messages: tuple = ()):
        self.language = language
        self.site_messages = site_messages
        locale = locale_of(language)
        catalog = Catalog(locale=locale, domain=DOMAIN)
        shipped = shipped_catalog_for(language)
        if shipped is not None:
            with open(catalog_path(shipped), "rb") as stream:
                catalog = read_po(stream, locale=locale, domain=DOMAIN)
        for message_id, text, context in site_messages:
            catalog.delete(message_id, context)  # replaced, flags (fuzzy) and all
            catalog.add(message_id, text, context=context)
        compiled = BytesIO()
        write_mo(compiled, catalog)  # fuzzy and untranslated messages left out: English shows
        compiled.seek(0)
        self.translations = Translations(compiled, domain=DOMAIN)

    def __reduce__(self):  # to a worker process: made again there from the same two values
        return words_for, (self.language, self.site_messages)

    def gettext(self, message: str, **variables) -> str:
        text = self.translations.gettext(message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, count: int, **variables) -> str:
        return self.plural_form(singular, plural, count) % variables

    def plural_form(self, singular: str, plural: str, count: int) -> str:
        """The form the language uses for `count`, with its `%(num)s` written as the language
        writes numbers ("1 234" in Russian): Jinja's newstyle gettext fills in the rest."""
        return self.translations.ngettext(singular, plural, count).replace("%(num)s", self.number(count))

    def plural_forms(self, singular: str, plural: str) -> dict[str, str]:
        """The message's form for each CLDR plural category of the language ("one", "few", "other"),
        for a script that picks one with the browser's Intl.PluralRules."""
        rule = locale_of(self.language).plural_form
        forms: dict[str, str] = {}
        for count in (*range(1000), 1_000_000):  # French, Spanish and Portuguese have a form for millions
            forms.setdefault(rule(count), self.translations.ngettext(singular, plural, count))
        return forms

    def number(self, value: int) -> str:
        return _number(value, self.language)


@lru_cache(maxsize=4096)
def _number(value: int, language: str) -> str:
    # Babel reads the locale's patterns each time; a site writes the same few counts thousands of
    # times (0.8 of 20 CPU-s when 10,000 articles' lists are planned again).
    return format_decimal(value, locale=locale_of(language))


@lru_cache(maxsize=8)
def words_for(language: str, site_messages: tuple = ()) -> Words:
    return Words(language, site_messages)


def site_words(config: SiteConfig) -> Words:
    return words_for(config.language, config.messages)


def lacking_words(config: SiteConfig) -> str | None:
    """Why the theme's words will be English on a site in another language, if they will."""
    language = config.language
    if config.messages or is_source_language(language) or shipped_catalog_for(language) is not None:
        return None
    return (f"language: sitegen has no words in '{language}' (it has {', '.join(shipped_languages())}): English "
            f"words, with '{language}' dates; add your own in {site_catalog_path(language)} (docs/themes.md)")
