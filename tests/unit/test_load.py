"""The load stage's small parts: YAML with lines, dates, slugs, output paths."""

from __future__ import annotations

import os
from zoneinfo import ZoneInfo

import pytest

from sitegen.load.dates import parse_moment
from sitegen.load.files import Boundary
from sitegen.load.schema import Invalid
from sitegen.load.sources import walk_inside
from sitegen.load.yaml_lines import parse_yaml
from sitegen.model.slugs import slugify
from sitegen.write.paths import UnsafePath, output_path

MOSCOW = ZoneInfo("Europe/Moscow")


def test_yaml_values_remember_their_file_lines():
    value, problems = parse_yaml("a: 1\nlist:\n  - x\n  - y: 2\n", "f.yaml", first_line=2)
    assert problems == []
    assert value.line_of("a") == 2 and value.line_of("list") == 3
    assert value["list"].item_lines == [4, 5]
    assert value["list"][1].line_of("y") == 5


@pytest.mark.parametrize("text,expected", [
    ("no", "no"), ("NO", "NO"), ("on", "on"), ("yes", "yes"),  # YAML 1.2: only true/false are booleans
    ("true", True), ("false", False), ("~", None), ("12", 12), ("0x1f", 31), ("1.5", 1.5),
    ("2019-11-28", "2019-11-28"), ("2019-11-28 10:37:00", "2019-11-28 10:37:00"),  # dates stay text
])
def test_yaml_scalars_follow_the_core_schema(text, expected):
    value, _ = parse_yaml(f"key: {text}\n", "f.yaml")
    assert value["key"] == expected


@pytest.mark.parametrize("text,message", [
    ("a: 1\na: 2\n", "f.yaml:2: YAML: duplicate key 'a'"),
    ("a: [1\n", "f.yaml:1: YAML: a list opened with [ on this line is not closed with ] (did not find expected ',' or ']', line 2)"),
    ("x: !!python/object/apply:os.system [ls]\n", "could not determine a constructor"),
])
def test_yaml_errors_carry_the_line(text, message):
    value, problems = parse_yaml(text, "f.yaml")
    assert value is None and message in str(problems[0])


@pytest.mark.parametrize("text,iso,has_time", [
    ("2019-11-28", "2019-11-28T00:00:00+03:00", False),
    ("2019-11-28 10:37", "2019-11-28T10:37:00+03:00", True),
    ("2019-11-28T10:37:00+03:00", "2019-11-28T10:37:00+03:00", True),
    ("2019-11-28T07:37:00Z", "2019-11-28T10:37:00+03:00", True),
    ("2019-11-28 08:37:00 +0100", "2019-11-28T10:37:00+03:00", True),
])
def test_dates_are_read_in_the_site_timezone(text, iso, has_time):
    moment = parse_moment(text, MOSCOW)
    assert moment.value.isoformat() == iso and moment.has_time is has_time


@pytest.mark.parametrize("text", ["2019-13-01", "2019-02-30", "28.11.2019", "yesterday", "", "2019-11-28T25:00"])
def test_bad_dates_are_errors(text):
    with pytest.raises(Invalid, match="is not a date"):
        parse_moment(text, MOSCOW)


@pytest.mark.parametrize("tag,slug", [
    ("INF Treaty", "inf-treaty"), ("Украина", "ukraina"), ("Café crème", "cafe-creme"),
    ("Ελλάδα", "ellada"), ("C++", "c-plus-plus"), ("C#", "c-sharp"), ("R&D", "r-and-d"), ("../../etc/passwd", "etc-passwd"),
])
def test_slugs_are_readable_for_every_script(tag, slug):
    assert slugify(tag) == slug


def test_text_with_nothing_readable_still_gets_a_stable_slug():
    assert slugify("***") == slugify("***") != slugify("§§§")
    assert slugify("***").startswith("x-")


@pytest.mark.parametrize("url_path,path", [
    ("", "index.html"), ("2019/11/macron/", "2019/11/macron/index.html"), ("feed.xml", "feed.xml"),
])
def test_output_paths(url_path, path):
    assert output_path(url_path) == path


@pytest.mark.parametrize("url_path", ["../x/", "/etc/passwd", "a/../../b", "a//b", "a\\..\\b", "a/./b", "a\x00b/"])
def test_output_paths_never_leave_the_output_folder(url_path):
    with pytest.raises(UnsafePath):
        output_path(url_path)


def test_yaml_aliases_are_refused():
    value, problems = parse_yaml("a: &x [1, 2]\nb: *x\n", "f.yaml")
    assert value is None and "aliases (*name) are not supported" in str(problems[0])


@pytest.mark.parametrize("written", ["007", "1e3", ".inf", "0x1F", "12"])
def test_a_bare_number_is_text_as_written(written):
    from sitegen.load.schema import text
    value, _ = parse_yaml(f"author: {written}\n", "f.yaml")
    assert text(value["author"]) == written


def test_the_walk_sets_apart_what_is_not_read(tmp_path):
    content = tmp_path / "content"
    (content / ".hidden").mkdir(parents=True)
    (content / "own.txt").write_text("mine")
    (tmp_path / "elsewhere.txt").write_text("not content")
    os.mkfifo(content / "pipe")
    for name, target in [("also-own.txt", "own.txt"), ("folder", ".hidden"), ("loop-a", "loop-b"),
                         ("loop-b", "loop-a"), ("gone", "nothing"), ("secret", ".hidden/x"),
                         ("out", "../elsewhere.txt")]:
        (content / name).symlink_to(target)
    (content / ".hidden/x").write_text("hidden")
    [(folder, dirnames, filenames, refused)] = list(walk_inside(content, Boundary(tmp_path, "content")))
    assert (folder, dirnames, filenames) == (str(content), [], ["also-own.txt", "own.txt"])
    assert [(odd.name, odd.why, odd.special) for odd in refused] == [
        ("gone", "is a symbolic link to nothing", True),
        ("loop-a", "is a loop of symbolic links", True),
        ("loop-b", "is a loop of symbolic links", True),
        ("out", "a symbolic link that leads out of content/: not read", False),
        ("pipe", "is not a regular file (a FIFO)", True),
        ("secret", "a symbolic link to a hidden file: not published", False),
    ]
