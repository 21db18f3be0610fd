"""What a hostile or damaged cache, a full disk, a second build, a kill or Ctrl-C can do to a digest:
nothing. Each build here is a real `sitegen build` process unless a fault has to be injected."""

from __future__ import annotations

import errno
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from conftest import tree_bytes, tree_stats
from generated_site import generate_site
from sitegen.build import BuildOptions, build_site
from sitegen.cache import CACHE_DIR, BuildCache, store
from sitegen.cache.code import code_digest, digest_of_code
from sitegen.cache.lock import site_lock
from sitegen.write import output as output_module
from sitegen.write.files import TEMPORARY_PREFIX
from sitegen.write.swap import exchange


def sitegen(site: Path, *args: str, **popen) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sitegen", "build", "--source", str(site), *args],
                          capture_output=True, text=True, timeout=120, **popen)


def start_sitegen(site: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sitegen", "build", "--source", str(site), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def leftovers(folder: Path) -> list[str]:
    """Temporary files and folders anywhere in or beside `folder`."""
    found = [p.name for p in folder.parent.iterdir() if p.name.startswith(TEMPORARY_PREFIX)]
    if folder.is_dir():
        found += [str(p) for p in folder.rglob("*") if p.name.startswith(".") and p.name != ".nojekyll"]
    return found


@pytest.fixture
def site(tmp_path) -> Path:
    return generate_site(tmp_path / "site", 40, per_page=5)


@pytest.fixture
def clean_build(site, tmp_path) -> dict[str, bytes]:
    """The output of a build without any cache."""
    result = sitegen(site, "--no-cache", "--output", str(tmp_path / "clean"))
    assert result.returncode == 0, result.stderr
    return tree_bytes(tmp_path / "clean")


# -- the cache is data, never code --


class _RunsACommand:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_cache_whose_every_file_runs_a_command_runs_nothing(site, clean_build, tmp_path):
    assert sitegen(site).returncode == 0
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_RunsACommand(marker))
    cache_files = [p for p in (site / CACHE_DIR).rglob("*") if p.is_file() and p.name != "lock"]
    assert {"index.pickle", "plans.pickle", "last-build.pickle"} <= {p.name for p in cache_files}
    assert any(p.parent.name == "articles" for p in cache_files)
    for path in cache_files:
        path.write_bytes(payload + payload)
    pickle.loads(payload)  # the payload works: it does run a command when pickle is trusted
    assert marker.exists()
    marker.unlink()

    result = sitegen(site)
    assert not marker.exists(), "a cache file ran a command"
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    # Progress lines come too when the machine is slow (a build over a second): only notes matter here.
    said = [line for line in result.stderr.splitlines() if not line.startswith("making pages: ")]
    assert len(said) == 1 and said[0].startswith("note: .sitegen-cache/"), result.stderr
    assert tree_bytes(site / "output") == clean_build
    assert not list((site / CACHE_DIR).glob("templates")), "compiled templates are not kept in the site"


DAMAGES = {
    "truncated index": lambda cache: _truncate(cache / "index.pickle"),
    "random plans": lambda cache: (cache / "plans.pickle").write_bytes(os.urandom(4000)),
    "random last build": lambda cache: (cache / "last-build.pickle").write_bytes(os.urandom(100)),
    "truncated works": lambda cache: [p.write_bytes(p.read_bytes()[:10]) for p in (cache / "articles").iterdir()],
    "a folder for the index": lambda cache: _replace_with_folder(cache / "index.pickle"),
    "a folder for a work": lambda cache: _replace_with_folder(next((cache / "articles").iterdir())),
    "a file for the works' folder": lambda cache: _replace_with_file(cache / "articles"),
    "a file for the cache": lambda cache: _replace_with_file(cache),
}


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _replace_with_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _replace_with_file(path: Path) -> None:
    shutil.rmtree(path)
    path.write_bytes(b"not a folder")


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_a_damaged_cache_is_ignored_with_one_line_and_rebuilt(site, clean_build, damage):
    assert sitegen(site).returncode == 0
    # An edit, so that the next build needs the cache's articles, plans and works, not just its stamp.
    article = sorted((site / "content").rglob("*.md"))[3]
    article.write_text(article.read_text() + "\nOne more paragraph.\n")
    DAMAGES[damage](site / CACHE_DIR)
    result = sitegen(site)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1 and ".sitegen-cache" in notes[0], result.stderr
    expected = sitegen(site, "--no-cache", "--output", str(site.parent / "fresh"))
    assert expected.returncode == 0
    assert tree_bytes(site / "output") == tree_bytes(site.parent / "fresh")
    again = sitegen(site)
    assert again.returncode == 0 and again.stderr == "", "the cache was made again, whole"


def _rewrite_index(cache: Path, change) -> None:
    """Read the index as sitegen does, let `change` alter its tables, and write it back, whole and
    with a right checksum: damage that reads as sitegen's data."""
    with store.open_regular(cache / "index.pickle") as stream:
        code, = store.read_frame(stream)
        tables, = store.read_frame(stream)
    change(tables)
    with open(cache / "index.pickle", "wb") as stream:
        store.write_frame(stream, code)
        store.write_frame(stream, tables)


def _records_that_are_a_number(cache: Path) -> None:
    """Every record's place in its pack leads to a pickled number, with a right checksum."""
    data = store.dumps(5)
    (cache / "records-0000000000000000.pack").write_bytes(data)
    _rewrite_index(cache, lambda tables: tables["records"].update(
        {digest: ("records-0000000000000000.pack", 0, len(data), zlib.crc32(data)) for digest in tables["records"]}))


WELL_FORMED_DAMAGE = {
    "diagnostics of the wrong type": lambda cache: _rewrite_index(cache, lambda tables: tables["articles"].update(
        {digest: (shape, 5, comments) for digest, (shape, _, comments) in tables["articles"].items()})),
    "comments' digests that are a number": lambda cache: _rewrite_index(cache, lambda tables: tables["articles"].update(
        {digest: (shape, diagnostics, 5) for digest, (shape, diagnostics, _) in tables["articles"].items()})),
    "a record that is a number": _records_that_are_a_number,
    "a byte changed in a pack of records": lambda cache: [_flip_a_byte(p, 0.5) for p in cache.glob("records-*.pack")],
    "a byte changed in a pack of plans": lambda cache: [_flip_a_byte(p, 0.5) for p in cache.glob("plans-*.pack")],
    "a byte changed in the plans": lambda cache: _flip_a_byte(cache / "plans.pickle", 0.8),
    "a byte changed in a work": lambda cache: [_flip_a_byte(p, 0.5) for p in (cache / "articles").iterdir()],
    "a FIFO for the index": lambda cache: ((cache / "index.pickle").unlink(), os.mkfifo(cache / "index.pickle")),
    "a FIFO for the plans": lambda cache: ((cache / "plans.pickle").unlink(), os.mkfifo(cache / "plans.pickle")),
}


def _flip_a_byte(path: Path, where: float) -> None:
    data = bytearray(path.read_bytes())
    data[int(len(data) * where)] ^= 0x20
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", WELL_FORMED_DAMAGE, ids=list(WELL_FORMED_DAMAGE))
def test_damage_that_still_reads_as_data_is_found_and_the_build_made_afresh(site, damage):
    assert sitegen(site).returncode == 0
    if "index" in damage or "record" in damage or "diagnostics" in damage:
        article = sorted((site / "content").rglob("*.md"))[3]
        article.write_text(article.read_text().replace("title: '", "title: 'Retitled ", 1))  # reads every record
    WELL_FORMED_DAMAGE[damage](site / CACHE_DIR)
    shutil.rmtree(site / "output")  # every page made: every plan and work read
    result = sitegen(site)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("note: ")] != []
    fresh = sitegen(site, "--no-cache", "--output", str(site.parent / "fresh"))
    assert tree_bytes(site / "output") == tree_bytes(site.parent / "fresh")


def test_symbolic_links_in_the_cache_are_never_followed(site, tmp_path):
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "id_rsa").write_text("secret\n")
    assert sitegen(site).returncode == 0
    shutil.rmtree(site / CACHE_DIR / "articles")
    (site / CACHE_DIR / "articles").symlink_to(keys)
    result = sitegen(site)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in keys.iterdir()) == ["id_rsa"], "the cache pruned or wrote another folder"
    shutil.rmtree(site / CACHE_DIR)
    (site / CACHE_DIR).symlink_to(keys)
    result = sitegen(site)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in keys.iterdir()) == ["id_rsa"]
    assert (site / CACHE_DIR).is_dir() and not (site / CACHE_DIR).is_symlink()


def test_a_cache_that_cannot_be_written_costs_only_time(site, clean_build, monkeypatch, capsys):
    from conftest import run_sitegen
    from sitegen import cache as cache_module

    def refuse(target, data):
        raise OSError(errno.EACCES, "Permission denied", str(target))

    monkeypatch.setattr(cache_module, "write_atomically", refuse)
    code, _, stderr = run_sitegen(["build", "--source", site, "--jobs", "1"], capsys)
    assert code == 0, stderr
    assert stderr.splitlines() == [".sitegen-cache/ could not be written (Permission denied): this build goes on "
                                   "without it, and the next one will take longer".join(["note: ", ""])]
    assert tree_bytes(site / "output") == clean_build


def test_a_folder_where_the_old_output_had_a_page_is_replaced(site, clean_build, tmp_path):
    out = tmp_path / "out"
    assert sitegen(site, "--no-cache", "--output", str(out)).returncode == 0
    (out / "index.html").unlink()
    (out / "index.html").mkdir()
    result = sitegen(site, "--no-cache", "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert tree_bytes(out) == clean_build


def test_a_cache_from_other_code_is_not_used(site, clean_build, monkeypatch):
    cache = BuildCache(site / CACHE_DIR)
    assert build_site(BuildOptions(source=site), cache, site / "output").ok
    monkeypatch.setattr(BuildCache, "__init__", _with_code("another sitegen"))
    other = BuildCache(site / CACHE_DIR)
    result = build_site(BuildOptions(source=site), other, site / "output")
    assert result.ok and result.stats.articles_processed == 40
    assert result.notices == [".sitegen-cache/ was made by another version of sitegen: building afresh"]
    assert tree_bytes(site / "output") == clean_build


def _with_code(code: str):
    original = BuildCache.__init__

    def init(self, directory=None):
        original(self, directory)
        self.code = self.tables.code = code
    return init


def test_the_code_digest_covers_every_module_of_the_package_by_itself(tmp_path):
    package = tmp_path / "sitegen"
    shutil.copytree(Path(sys.modules["sitegen"].__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    before = digest_of_code(package)
    assert before == code_digest()
    (package / "render" / "new_stage.py").write_text("SHAPES_OUTPUT = True\n")
    assert digest_of_code(package) != before
    (package / "render" / "new_stage.py").unlink()
    assert digest_of_code(package) == before
    (package / "theme" / "templates" / "base.html").write_text("changed")
    assert digest_of_code(package) != before


def test_temporary_files_a_killed_build_left_in_the_cache_are_cleaned(site):
    assert sitegen(site).returncode == 0
    cache = site / CACHE_DIR
    (cache / f"{TEMPORARY_PREFIX}index").write_bytes(b"half")
    (cache / "articles" / f"{TEMPORARY_PREFIX}work").write_bytes(b"half")
    assert sitegen(site).returncode == 0
    assert not [p for p in cache.rglob(f"{TEMPORARY_PREFIX}*")]


# -- the output is always whole --


def test_the_output_is_swapped_in_one_step_where_the_system_can(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "mark").write_text("a")
    if not exchange(first, second):
        pytest.skip("this system cannot exchange two folders in one step")
    assert (second / "mark").read_text() == "a" and not (first / "mark").exists()


def test_a_build_killed_between_two_renames_finds_its_output_again(site, clean_build, tmp_path, monkeypatch):
    """Where folders cannot be exchanged in one step, the old output is renamed away first: a build
    killed right then leaves it beside, and the next build puts it back before anything else."""
    out = tmp_path / "out"
    assert build_site(BuildOptions(source=site), BuildCache(), out).ok
    before = tree_bytes(out)

    class Killed(BaseException):
        pass

    renames = []

    def rename(source, target):
        renames.append((source, target))
        if len(renames) >= 2:  # the new output's rename: the process dies here, before it can undo the first
            raise Killed
        os.replace(source, target)

    monkeypatch.setattr(output_module, "exchange", lambda first, second: False)
    monkeypatch.setattr(output_module.os, "rename", rename)
    article = sorted((site / "content").rglob("*.md"))[0]
    article.write_text(article.read_text().replace("title: '", "title: 'Renamed ", 1))
    with pytest.raises(Killed):
        build_site(BuildOptions(source=site), BuildCache(), out)
    monkeypatch.undo()
    assert not out.exists(), "the kill came between the renames"
    result = build_site(BuildOptions(source=site), BuildCache(), out)
    assert result.ok
    assert not leftovers(out)
    after = tree_bytes(out)
    assert after != before and any(b"Renamed" in content for content in after.values())


def _fill_disk_after(limit: int, monkeypatch) -> None:
    """Every file the output writers write fails once `limit` bytes were written, as on a full disk."""
    written = [0]
    real_open = open

    class FullFile:
        def __init__(self, stream):
            self.stream = stream

        def write(self, data):
            written[0] += len(data)
            if written[0] > limit:
                raise OSError(errno.ENOSPC, "No space left on device", self.stream.name)
            return self.stream.write(data)

        def __getattr__(self, name):
            return getattr(self.stream, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.stream.close()

    def full_open(path, mode="r", *args, **kwargs):
        stream = real_open(path, mode, *args, **kwargs)
        return FullFile(stream) if "w" in mode else stream

    monkeypatch.setattr(output_module, "open", full_open, raising=False)
    monkeypatch.setattr(output_module.shutil, "copyfile", lambda source, target: (_ for _ in ()).throw(
        OSError(errno.ENOSPC, "No space left on device", str(target))))


@pytest.mark.parametrize("change", ["every page", "one page"])
def test_a_full_disk_is_a_plain_error_and_leaves_the_output_untouched(site, tmp_path, monkeypatch, capsys, change):
    from conftest import run_sitegen
    out = tmp_path / "out"
    assert run_sitegen(["build", "--source", site, "--output", out, "--jobs", "1"], capsys)[0] == 0
    before = tree_stats(out)
    if change == "every page":
        (site / "sitegen.yaml").write_text((site / "sitegen.yaml").read_text().replace("title: ", "title: New "))
    else:
        article = sorted((site / "content").rglob("*.md"))[5]
        article.write_text(article.read_text() + "\nMore.\n")
    _fill_disk_after(2000, monkeypatch)
    code, _, stderr = run_sitegen(["build", "--source", site, "--output", out, "--jobs", "1"], capsys)
    assert code == 1, stderr
    assert "cannot be written: No space left on device" in stderr and "Traceback" not in stderr
    assert tree_stats(out) == before
    assert not leftovers(out)


def test_a_really_full_file_system(site, tmp_path):
    """On a real, small file system (a tmpfs, where this machine lets the test mount one)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small file system here")
    try:
        small = generate_site(tmp_path / "small", 2)
        out = disk / "out"
        first = sitegen(small, "--no-cache", "--output", str(out))
        assert first.returncode == 0, first.stderr
        before = tree_stats(out)
        result = sitegen(site, "--no-cache", "--output", str(out))  # forty articles do not fit
        assert result.returncode == 1, result.stderr
        assert "cannot be written: No space left on device" in result.stderr and "Traceback" not in result.stderr
        assert tree_stats(out) == before
        assert not leftovers(out)
    finally:
        subprocess.run(["umount", str(disk)], check=False)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_full_file_system_under_the_cache_costs_only_time(site, clean_build, jobs):
    """The workers that store articles' works themselves hand them back instead (a tmpfs, where
    this machine lets the test mount one)."""
    cache = site / CACHE_DIR
    cache.mkdir(exist_ok=True)  # with the lock file of the clean build's
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(cache)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small file system here")
    try:
        result = sitegen(site, "--jobs", jobs)
        assert result.returncode == 0, result.stderr
        assert "could not be written (No space left on device)" in result.stderr and "Traceback" not in result.stderr
        assert tree_bytes(site / "output") == clean_build
        assert not [p.name for p in cache.iterdir() if p.name.startswith(TEMPORARY_PREFIX)]
    finally:
        subprocess.run(["umount", str(cache)], check=False)


# -- one build at a time; interrupts and kills --


def test_a_second_build_waits_for_the_first(site, clean_build):
    with site_lock(site / CACHE_DIR):
        waiting = start_sitegen(site)
        time.sleep(1.5)
        assert waiting.poll() is None, "the build did not wait for the one running"
    _, stderr = waiting.communicate(timeout=60)
    assert waiting.returncode == 0
    assert stderr.startswith("sitegen: another build of this site is running; waiting for it to finish")
    assert tree_bytes(site / "output") == clean_build


def test_builds_started_together_make_a_whole_output(site, clean_build):
    article = sorted((site / "content").rglob("*.md"))[2]
    for round_ in range(3):
        article.write_text(article.read_text() + f"\nEdit {round_}.\n")
        builds = [start_sitegen(site, "--jobs", "2") for _ in range(2)]
        for build in builds:
            build.communicate(timeout=120)
            assert build.returncode == 0
    fresh = sitegen(site, "--no-cache", "--output", str(site.parent / "fresh"))
    assert fresh.returncode == 0
    assert tree_bytes(site / "output") == tree_bytes(site.parent / "fresh")
    assert not leftovers(site / "output")


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found += [int(child) for child in text.split()]
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def big_site(tmp_path) -> Path:
    return generate_site(tmp_path / "big", 400, per_page=5)


def wait_for_workers(build: subprocess.Popen) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and build.poll() is None:
        workers = children_of(build.pid)
        if len(workers) >= 2:
            return workers
        time.sleep(0.02)
    pytest.fail("the build started no workers")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")
def test_workers_die_with_a_killed_build(big_site):
    build = start_sitegen(big_site, "--jobs", "2", "--no-cache")
    workers = wait_for_workers(build)
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 5
    while any(alive(worker) for worker in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(worker) for worker in workers), "workers outlived their build"
    build.stdout.close()
    build.stderr.close()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")
def test_ctrl_c_stops_at_once_with_one_line_and_no_leftovers(big_site):
    build = start_sitegen(big_site, "--jobs", "2")
    workers = wait_for_workers(build)
    os.killpg(build.pid, signal.SIGINT)  # as a terminal does: the whole process group
    _, stderr = build.communicate(timeout=15)
    assert build.returncode == 130
    assert stderr.strip().splitlines()[-1] == "sitegen: interrupted"
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert not any(alive(worker) for worker in workers)
    assert not (big_site / "output").exists() or not leftovers(big_site / "output")
    assert not [p for p in big_site.iterdir() if p.name.startswith(TEMPORARY_PREFIX)]
