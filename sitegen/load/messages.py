"""A site's own words: `layouts/locales/LANG.po`, a gettext catalog for the site's language that
adds messages (for the site's own templates) or replaces the theme's (docs/themes.md)."""

from __future__ import annotations

import codecs
import os
import re
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, read_po

from sitegen.diagnostics import Diagnostic, error
from sitegen.load.files import Boundary, read_regular_file

LOCALES_DIR = "layouts/locales"
_ENTRY_LINE = re.compile(r'(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"')
"""A line of an entry: a keyword and a quoted string, or a string that continues the one above.
Babel's reader takes a string whose closing quote is missing, less its last character; this
finds it first, with its line."""

Message = tuple[str | tuple[str, ...], str | tuple[str, ...], str | None]
"""(message id, its translation, its context): a plural message's id and translation are tuples."""


def site_catalog_path(language: str) -> str:
    return f"{LOCALES_DIR}/{language}.po"


def load_site_messages(root: Path, language: str) -> tuple[tuple[Message, ...], list[Diagnostic]]:
    """The translated messages of the site's catalog for `language`, if it has one; fuzzy and
    untranslated ones are left out, as gettext's compiler leaves them out."""
    display = site_catalog_path(language)
    path = root / display
    if not os.path.lexists(path):
        return (), []
    data, why = read_regular_file(str(path), Boundary(root, "layouts"))
    if data is None:
        return (), [error(display, None, why)]
    data = data.removeprefix(codecs.BOM_UTF8)
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#") and not _ENTRY_LINE.fullmatch(line):
            return (), [error(display, number, "not a gettext catalog: expected msgid, msgstr (or msgctxt, "
                              'msgid_plural, msgstr[N]) and a "quoted string" closed on the same line')]
    try:
        catalog = read_po(BytesIO(data), abort_invalid=True)
    except PoFileError as exc:
        return (), [error(display, exc.lineno + 1, f"not a gettext catalog: {exc.args[0]}")]
    except (UnicodeDecodeError, ValueError) as exc:
        return (), [error(display, None, f"not a gettext catalog: {exc}")]
    plurals = get_plural(Locale.parse(language, sep="-")).num_plurals  # the language's, whatever the header says
    # Babel's checks: the placeholders of the English, each spelt the same (a wrong one would fail
    # the build at every page that shows the message). The count of plural forms is checked
    # against the language's own rule below, not the header's.
    checked = {id(message): [str(e) for e in errors if not str(e).startswith("wrong number of plural forms")]
               for message, errors in catalog.check()}
    messages, problems = [], []
    for message in catalog:
        translated = [form for form in (message.string if isinstance(message.string, tuple) else (message.string,))
                      if form]
        if not message.id or message.fuzzy or not translated:
            continue
        wrong = checked.get(id(message), [])
        if isinstance(message.id, tuple) and len(translated) != plurals:
            wrong.append(f"{len(translated)} plural forms, where '{language}' has {plurals}")
        if wrong:
            problems += [error(display, message.lineno, f"msgid \"{_first(message.id)}\": {why}") for why in wrong]
        else:
            messages.append((message.id, message.string, message.context))
    return tuple(messages), problems


def _first(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]
