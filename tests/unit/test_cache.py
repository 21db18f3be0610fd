"""The cache's file format reads back sitegen's data and nothing else; its tables survive a save."""

from __future__ import annotations

import gc
import io
import os
import pickle
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sitegen.build import BuildOptions, build_site
from sitegen.cache import CACHE_DIR, BuildCache, store
from sitegen.cache.packs import MAX_SEGMENTS, Pack, segment_pattern
from sitegen.write.files import TEMPORARY_PREFIX
from sitegen.model.records import CommentStamp
from sitegen.model.types import Moment, SiteConfig
from sitegen.render.plans import FeedItem


def test_sitegens_data_round_trips():
    moment = Moment(datetime(2019, 11, 28, 10, 37, tzinfo=ZoneInfo("Europe/Moscow")), True)
    values = [moment, CommentStamp("c1", None, "pishenkov", None, 1.5, True), FeedItem("a.md", ("NATO",)),
              SiteConfig("T", "https://e.org/", "/"), {"set": {1, 2}, "frozen": frozenset("ab")}]
    assert store.loads(store.dumps(values)) == values


class _Command:
    def __reduce__(self):
        return (os.system, ("true",))


class _Attribute:
    def __reduce__(self):
        return (getattr, (SiteConfig, "__init__"))  # a way to a function's globals, and on to os


@pytest.mark.parametrize("value", [_Command(), _Attribute(), io.BytesIO(b"x"), print, store.loads],
                         ids=["os.system", "getattr", "a standard class", "a builtin", "a sitegen function"])
def test_anything_else_is_unreadable(value):
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    with pytest.raises(store.Unreadable):
        store.loads(data)


def test_a_class_another_module_defines_is_refused_even_when_a_sitegen_module_imports_it():
    # sitegen.diagnostics imports enum.Enum; called with these arguments it would make a new class.
    with pytest.raises(store.Unreadable):
        store.loads(b"csitegen.diagnostics\nEnum\n(VX\nVA B\ntR.")


@pytest.mark.parametrize("data", [b"", b"\x80\x05garbage", os.urandom(64)], ids=["empty", "truncated", "random"])
def test_damage_is_unreadable_not_a_crash(data):
    with pytest.raises(store.Unreadable):
        store.loads(data)


def test_the_tables_and_plans_survive_a_save(tmp_path):
    from conftest import REPO
    cache = BuildCache(tmp_path / CACHE_DIR)
    first = build_site(BuildOptions(source=REPO), cache)
    assert first.ok and first.stats.planned_anew
    again = BuildCache(tmp_path / CACHE_DIR)
    again.open()
    assert again.notices == []
    assert again.tables.sources == cache.tables.sources
    assert {d: e.shape for d, e in again.tables.articles.items()} == {d: e.shape for d, e in cache.tables.articles.items()}
    second = build_site(BuildOptions(source=REPO), again)
    assert second.ok and not second.stats.planned_anew and second.stats.articles_processed == 0
    assert dict(second.files) == dict(first.files)


def test_what_a_build_froze_is_the_collectors_again_unless_the_process_ends_with_it(tmp_path):
    from conftest import REPO
    gc.unfreeze()
    cache = BuildCache(tmp_path / CACHE_DIR)
    assert build_site(BuildOptions(source=REPO), cache).ok
    assert gc.get_freeze_count() == 0  # a preview or a program that builds again would keep its cycles
    try:
        assert build_site(BuildOptions(source=REPO), BuildCache(tmp_path / CACHE_DIR), last_in_process=True).ok
        assert gc.get_freeze_count() > 0  # the tables read from the cache: `sitegen build` leaves them be
    finally:
        gc.unfreeze()


def test_starting_afresh_forgets_everything_but_the_lock(tmp_path):
    folder = tmp_path / CACHE_DIR
    folder.mkdir()
    for name in ("lock", "index.pickle", "plans.pickle"):
        (folder / name).write_bytes(b"x")
    (folder / "articles").mkdir()
    cache = BuildCache(folder)
    cache.start_afresh("because")
    assert sorted(p.name for p in folder.iterdir()) == ["lock"]
    assert cache.take_notices() == [".sitegen-cache/ could not be read (because): ignored, and made again"]


SEGMENT = "plans-0000000000000000.pack"


@pytest.mark.parametrize("table", [
    {b"d": ("../plans.pickle", 0, 1, 0)}, {b"d": ("/etc/passwd", 0, 1, 0)}, {b"d": (7, 0, 1, 0)},
    {b"d": ([SEGMENT], 0, 1, 0)}, {b"d": (SEGMENT, 0)}, {b"d": SEGMENT}, {b"d": (SEGMENT, "0", 4, 0)},
    {b"d": (SEGMENT, 0, 4.0, 0)},
], ids=["a path up", "an absolute path", "not a name", "a list", "too short", "not a place", "not numbers",
        "not whole numbers"])
def test_a_pack_table_naming_anything_but_places_in_its_own_segments_is_unreadable(tmp_path, table):
    with pytest.raises(store.Unreadable):
        Pack(tmp_path, "plans", table)


def test_a_packs_added_values_go_to_disk_as_they_come_and_become_one_segment(tmp_path):
    pack = Pack(tmp_path, "plans")
    pack.add(b"a", b"first")
    pack.add(b"b", b"second")
    spooled = [p.name for p in tmp_path.iterdir()]
    assert len(spooled) == 1 and spooled[0].startswith(TEMPORARY_PREFIX)  # written already, not held
    assert pack.pending == {} and pack.read(b"a") == b"first" and b"b" in pack
    pack.write(live={b"a", b"b"})
    segments = [p.name for p in tmp_path.iterdir()]
    assert len(segments) == 1 and segment_pattern("plans").fullmatch(segments[0])
    again = Pack(tmp_path, "plans", pack.table)
    assert again.read(b"a") == b"first" and again.read(b"b") == b"second"


def test_a_pack_that_cannot_be_written_holds_its_values_and_writes_them_later(tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be")
    pack = Pack(blocker, "records")
    pack.add(b"a", b"kept")
    assert pack.read(b"a") == b"kept"
    with pytest.raises(OSError):
        pack.write(live={b"a"})
    assert pack.read(b"a") == b"kept"
    blocker.unlink()
    pack.add(b"b", b"later")
    pack.write(live={b"a", b"b"})
    assert pack.pending == {} and [p.name for p in blocker.iterdir()] == [pack.table[b"a"][0]]
    again = Pack(blocker, "records", pack.table)
    assert again.read(b"a") == b"kept" and again.read(b"b") == b"later"


def test_a_pack_whose_write_fails_midway_still_holds_what_was_added(tmp_path):
    pack = Pack(tmp_path, "plans")
    for number in range(MAX_SEGMENTS):  # one segment each: the next write merges the small ones
        pack.add(bytes([number]), b"value %d" % number * (number + 1))
        pack.write(live=set(pack.table) | {bytes([number])})
    smallest = pack.table[bytes([0])][0]
    (tmp_path / smallest).write_bytes(b"X" * len(b"value 0"))  # damaged: its checksum differs
    pack = Pack(tmp_path, "plans", pack.table)
    pack.add(b"new", b"added in this build")
    with pytest.raises(store.Unreadable):
        pack.write(live=set(pack.table) | {b"new"})
    assert pack.read(b"new") == b"added in this build"


def test_a_save_leaves_no_spool_behind(tmp_path):
    """Comment texts a build added and did not write (it failed while loading) are written or dropped."""
    cache = BuildCache(tmp_path / CACHE_DIR)
    cache.open()
    cache.keep_texts("an article's digest", b"its comments")
    assert any(p.name.startswith(TEMPORARY_PREFIX) for p in (tmp_path / CACHE_DIR).iterdir())
    cache.save()
    assert not any(p.name.startswith(TEMPORARY_PREFIX) for p in (tmp_path / CACHE_DIR).iterdir())
