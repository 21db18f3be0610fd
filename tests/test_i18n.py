"""A digest in any language: the theme's words come from complete gettext catalogs, plurals follow
each language's rules, right-to-left languages get dir="rtl", and an article or a comment in
another language than the site's says so (lang, dir, its dates, its feed entry).

Fixture sites: tests/sites/ru-plurals (1, 2, 5, 21, 111 comments; 1, 2, 5, 21 replies),
tests/sites/ar-rtl and tests/sites/mixed-language. Their pages' exact HTML is also golden
(test_sites.py); here each promise is checked by itself.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from conftest import REPO, TESTS, article, run_sitegen, write_site
from sitegen.render.words import LOCALES, catalog_path, shipped_languages, words_for
from test_theme import vnu_jar

LANGUAGES = [language for language in shipped_languages() if language != "en"]
SITES = TESTS / "sites"


def build(site: Path, tmp_path: Path, capsys) -> tuple[Path, str]:
    """A copy of the fixture site built, and checked as the Pages workflow checks it: (its output,
    its warnings)."""
    source = tmp_path / site.name
    shutil.copytree(site, source, ignore=shutil.ignore_patterns("expected*", ".sitegen-cache"))
    code, _, stderr = run_sitegen(["build", "--source", source], capsys)
    assert code == 0, stderr
    code, stdout, problems = run_sitegen(["check", "--source", source], capsys)
    assert code == 0 and "no problems" in stdout, problems
    return source / "output", stderr


def page(out: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((out / path).read_text(encoding="utf-8"), "html.parser")


def text_of(soup: BeautifulSoup, selector: str) -> list[str]:
    return [" ".join(node.get_text().split()) for node in soup.select(selector)]


# ---- The catalogs ------------------------------------------------------------------------------------

def test_the_languages_sitegen_ships():
    assert set(shipped_languages()) >= {"en", "ru", "uk", "de", "fr", "es", "pt", "ar"}


def test_the_template_holds_every_message_the_theme_and_the_code_use():
    """sitegen.pot is made by `pybabel extract` (docs/translations.md): run again, it finds the same
    messages, so none was added to a template without reaching the catalogs."""
    method_map = [("sitegen/**.py", "python"), ("sitegen/theme/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "plural_forms": (1, 2)}
    found = {(context, message if isinstance(message, str) else message[0])
             for _, _, message, _, context in extract_from_dir(REPO, method_map, keywords=keywords)}
    with open(LOCALES / "sitegen.pot", "rb") as stream:
        template = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(stream) if m.id}
    assert found == template, "run the extract and update commands of docs/translations.md"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_shipped_catalog_is_complete(language):
    """Every message of the template translated in every plural form the language has, none fuzzy,
    and each with the placeholders of its English (Babel's own checks)."""
    with open(LOCALES / "sitegen.pot", "rb") as stream:
        template = read_po(stream)
    with open(catalog_path(language), "rb") as stream:
        catalog = read_po(stream)
    assert not catalog.fuzzy, "the header is marked fuzzy"
    problems = []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        forms = () if translated is None else (
            translated.string if isinstance(translated.string, tuple) else (translated.string,))
        if translated is None or translated.fuzzy or not all(forms):
            problems.append(f"missing or fuzzy: {message.id!r}")
        elif isinstance(message.id, tuple) and len(forms) != catalog.num_plurals:
            problems.append(f"{len(forms)} plural forms of {catalog.num_plurals}: {message.id!r}")
    problems += [f"{message.id!r}: {error}" for message, errors in catalog.check() for error in errors]
    extra = [m.id for m in catalog if m.id and template.get(m.id, context=m.context) is None]
    assert problems == [] and extra == []


def test_plurals_follow_each_languages_rules():
    def say(language, count):
        return words_for(language).ngettext("%(num)s comment", "%(num)s comments", count)
    assert [say("ru", n) for n in (1, 2, 5, 21, 111, 1234)] == [
        "1 комментарий", "2 комментария", "5 комментариев", "21 комментарий", "111 комментариев",
        "1\xa0234 комментария"]
    assert [say("uk", n) for n in (1, 3, 11)] == ["1 коментар", "3 коментарі", "11 коментарів"]
    arabic = [say("ar", n) for n in (0, 1, 2, 3, 11, 100)]  # zero, one, two, few, many, other
    assert len(set(arabic)) == 6
    assert [say("en", n) for n in (1, 2, 1234)] == ["1 comment", "2 comments", "1,234 comments"]


# ---- A Russian digest: every plural form on its pages -------------------------------------------------

def test_a_russian_digest_counts_comments_and_replies_in_russian(tmp_path, capsys):
    out, warnings = build(SITES / "ru-plurals", tmp_path, capsys)
    assert warnings == ""
    listed = text_of(page(out, "index.html"), ".entry-meta a") + text_of(page(out, "page/2/index.html"), ".entry-meta a")
    assert listed == ["111 комментариев", "21 комментарий", "5 комментариев", "2 комментария", "1 комментарий"]
    for slug, heading in [("odin", "1 комментарий"), ("dva", "2 комментария"), ("pyat", "5 комментариев"),
                          ("dvadtsat-odin", "21 комментарий"), ("sto-odinnadtsat", "111 комментариев")]:
        article_page = page(out, f"2023/03/{slug}/index.html")
        assert text_of(article_page, "#comments-title") == [heading]
        assert text_of(article_page, ".article-discussion a") == [heading]
    thread = page(out, "2023/03/sto-odinnadtsat/index.html")
    assert text_of(thread, ".replies-count") == ["1 ответ", "2 ответа", "5 ответов", "21 ответ"]
    assert thread.html["lang"] == "ru" and thread.html["dir"] == "ltr"
    assert text_of(thread, ".site-nav a")[:3] == ["Статьи", "Теги", "Архив"]
    assert "English" not in thread.get_text() and "comments" not in thread.get_text()


def test_the_search_script_gets_each_plural_form_of_the_language(tmp_path):
    site = write_site(tmp_path / "site", {"sitegen.yaml": "title: Т\nbase_url: https://example.org/\nlanguage: ru\n",
                                          "content/a.md": article()})
    code = subprocess.run([sys.executable, "-m", "sitegen", "build", "--source", str(site)],
                          capture_output=True, text=True).returncode
    assert code == 0
    form = page(site / "output", "search/index.html").select_one("form[data-words]")
    if form is None:
        pytest.skip("Pagefind does not run here: the search page has no form")
    words = json.loads(form["data-words"])
    assert set(words["found"]) == {"one", "few", "many"}  # CLDR's categories of Russian whole numbers
    assert "%(num)s" in words["found"]["few"] and "статьи" in words["found"]["few"]


# ---- Right to left ------------------------------------------------------------------------------------

def test_an_arabic_digest_is_right_to_left_and_in_arabic(tmp_path, capsys):
    out, warnings = build(SITES / "ar-rtl", tmp_path, capsys)
    assert warnings == ""
    article_page = page(out, "2024/02/qahwa/index.html")
    assert article_page.html["lang"] == "ar" and article_page.html["dir"] == "rtl"
    assert text_of(article_page, "#comments-title") == ["6 تعليقات"]
    assert text_of(article_page, ".site-nav a")[0] == "المقالات"
    english = article_page.select_one("#comment-visitor .comment-body")
    assert (english["lang"], english["dir"]) == ("en", "ltr"), "a comment in English says so"
    assert "فبراير" in text_of(article_page, ".article-meta time")[0]


# ---- Mixed digests ------------------------------------------------------------------------------------

def test_an_article_in_another_language_carries_its_language(tmp_path, capsys):
    out, _ = build(SITES / "mixed-language", tmp_path, capsys)
    russian = page(out, "2019/11/makron/index.html")
    assert russian.html["lang"] == "en", "the theme's words stay the site's"
    assert text_of(russian, "#comments-title") == ["3 comments"]
    for selector in ("h1", ".article-body", "#comment-steelmaker .comment-body"):
        node = russian.select_one(selector)
        assert (node["lang"], node["dir"]) == ("ru", "ltr"), selector
    english = russian.select_one("#comment-reader .comment-body")
    assert "lang" not in english.attrs, "a comment in the site's language needs no lang"
    assert text_of(russian, ".article-meta > time") == ["28 ноября 2019 г., 10:15"]
    assert russian.select_one(".article-meta > time")["lang"] == "ru"
    assert text_of(russian, "#comment-steelmaker > .comment-card .comment-permalink") == ["28 ноября 2019 г., 10:37"]
    assert text_of(russian, "#comment-reader .comment-permalink") == ["November 30, 2019, 8:00 AM"], "its own language"
    schema = json.loads(russian.select_one('script[type="application/ld+json"]').string)
    assert schema["inLanguage"] == "ru"
    listed = page(out, "index.html")
    assert "lang" not in listed.select_one(".entry-meta time").attrs
    newest = page(out, "comments/index.html").select(".comment-body")
    assert [(body.get("lang"), body.get("dir")) for body in newest] == [(None, None), ("ru", "ltr"), ("ru", "ltr")]
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">' in feed
    assert feed.count('<entry xml:lang="ru">') == 1 and feed.count('<entry xml:lang="ar">') == 1
    assert feed.count("<entry>") == 1
    assert '<entry xml:lang="ru">' in (out / "people/steelmaker/feed.xml").read_text(encoding="utf-8")
    arabic = page(out, "2019/12/arabic/index.html")
    note = arabic.select_one(".article-body aside.note")
    assert (arabic.select_one(".article-body")["dir"], note["lang"], note["dir"]) == ("rtl", "en", "ltr"), \
        "the editors' note in an Arabic article is in the site's words"
    comments = (out / "2019/11/makron/comments.xml").read_text(encoding="utf-8")
    assert comments.count('<entry xml:lang="ru">') == 2 and comments.count("<entry>") == 1


# ---- A site's own words -------------------------------------------------------------------------------

OWN_WORDS = """\
msgid ""
msgstr ""
"Language: ru\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"

msgid "Tags"
msgstr "Рубрики"

msgid "Our own words"
msgstr "Наши слова"

#, fuzzy
msgid "Archive"
msgstr "Не готово"
"""


def test_a_site_replaces_and_adds_messages_in_its_own_catalog(tmp_path, capsys):
    site = write_site(tmp_path / "site", {
        "sitegen.yaml": "title: Т\nbase_url: https://example.org/\nlanguage: ru\nsearch: false\n",
        "content/a.md": article(tags=["x"]),
        "layouts/locales/ru.po": OWN_WORDS,
        "layouts/home.html": '{% extends "theme/home.html" %}{% block site_title %}<p>{{ _("Our own words") }}</p>{% endblock %}',
    })
    code, _, stderr = run_sitegen(["build", "--source", site], capsys)
    assert code == 0, stderr
    home = page(site / "output", "index.html")
    assert text_of(home, ".site-nav a")[1:3] == ["Рубрики", "Архив"], "replaced; a fuzzy message is not used"
    assert "Наши слова" in home.get_text()
    (site / "layouts/locales/ru.po").write_text(OWN_WORDS.replace('msgstr "Рубрики"', 'msgstr "Разделы"'),
                                                encoding="utf-8")
    code, _, stderr = run_sitegen(["build", "--source", site], capsys)
    assert text_of(page(site / "output", "tags/index.html"), "h1") == ["Разделы"], "an edit is seen at once"


def test_a_broken_catalog_is_an_error_naming_its_line(tmp_path, capsys):
    site = write_site(tmp_path / "site", {
        "sitegen.yaml": "title: T\nbase_url: https://example.org/\nlanguage: de\n",
        "content/a.md": article(),
        "layouts/locales/de.po": 'msgid "Tags"\nmsgstr "Stichworte"\n\nmsgid "Archive"\nmsgstr "Archiv\n',
    })
    code, _, stderr = run_sitegen(["build", "--source", site], capsys)
    assert code == 1
    assert stderr.startswith("layouts/locales/de.po:5: not a gettext catalog: expected msgid")
    assert not (site / "output").exists()
    (site / "layouts/locales/de.po").write_text(
        'msgid "Tagged “%(tag)s”"\nmsgstr "Stichwort %(stichwort)s"\n\n'
        'msgid "%(num)s comment"\nmsgid_plural "%(num)s comments"\nmsgstr[0] "%(num)s Kommentar"\n', encoding="utf-8")
    code, _, stderr = run_sitegen(["build", "--source", site], capsys)
    assert code == 1
    assert stderr.splitlines()[:2] == [
        "layouts/locales/de.po:1: msgid \"Tagged “%(tag)s”\": unknown named placeholder 'stichwort'",
        "layouts/locales/de.po:4: msgid \"%(num)s comment\": 1 plural forms, where 'de' has 2"]


def test_a_language_without_words_warns_once_and_falls_back_to_english(tmp_path, capsys):
    site = write_site(tmp_path / "site", {
        "sitegen.yaml": "title: T\nbase_url: https://example.org/\nlanguage: nl\nsearch: false\n",
        "content/a.md": article(date="2020-03-02"),
        "content/b.md": article(title="B", date="2020-03-03"),
    })
    code, _, stderr = run_sitegen(["build", "--source", site], capsys)
    assert code == 0
    [warning] = [line for line in stderr.splitlines() if "warning" in line]
    assert warning.startswith("sitegen.yaml: warning: language: sitegen has no words in 'nl' (it has ar, de, en,")
    assert "layouts/locales/nl.po" in warning
    home = page(site / "output", "index.html")
    assert home.html["lang"] == "nl"
    assert text_of(home, ".site-nav a")[0] == "Articles"
    assert text_of(home, ".entry-meta time")[0] == "3 maart 2020", "dates in the site's language all the same"


# ---- A new digest in a language -----------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_a_new_digest_starts_in_its_language(language, tmp_path):
    root = tmp_path / "digest"
    made = subprocess.run([sys.executable, "-m", "sitegen", "new", str(root), "--language", language],
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert f"\nlanguage: {language}\n" in (root / "sitegen.yaml").read_text(encoding="utf-8")
    built = subprocess.run([sys.executable, "-m", "sitegen", "build", "--source", str(root)],
                           capture_output=True, text=True)
    assert built.returncode == 0 and "warning" not in built.stderr, built.stderr
    [first] = (root / "output").glob("*/*/*/index.html")
    article_page = BeautifulSoup(first.read_text(encoding="utf-8"), "html.parser")
    assert article_page.html["lang"] == language
    assert len(article_page.select("aside.note")) == 2 and article_page.select_one(".article-body mark")
    english = (REPO / "sitegen/scaffold/files/en/welcome.md").read_text(encoding="utf-8")
    assert article_page.select_one("h1").get_text() not in english, "the first article is written in the language"


def test_russian_arabic_and_mixed_pages_pass_the_nu_html_checker(tmp_path, capsys):
    jar = vnu_jar()
    pages = []
    for name in ("ru-plurals", "ar-rtl", "mixed-language"):
        out, _ = build(SITES / name, tmp_path / name, capsys)
        pages += sorted(out.rglob("*.html"))
    result = subprocess.run(["java", "-jar", str(jar), "--format", "json", "--exit-zero-always", *map(str, pages)],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [f"{m.get('url', '').rsplit('/output/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m["type"] in ("error", "non-document-error")]
    assert len(pages) > 60
    assert errors == []
