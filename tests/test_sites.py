"""Every fixture site under tests/sites/: its output must equal expected/, or its errors
expected-errors.txt, line for line. `pytest --update-goldens` rewrites them from the current build."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from conftest import TESTS, run_sitegen, tree_bytes
from sitegen.render.pagefind import RUNTIME

SITES = sorted(p for p in (TESTS / "sites").iterdir() if (p / "sitegen.yaml").exists())


def _options(site: Path) -> list[str]:
    options = site / "options.txt"
    return options.read_text().split() if options.exists() else []


def _pagefind_runtime(name: str) -> bool:
    """Pagefind's own script and WebAssembly, as its release ships them: not kept as goldens (the
    search index beside them is)."""
    return name in RUNTIME or name.startswith("wasm.") and name.endswith(".pagefind")


@pytest.mark.parametrize("site", SITES, ids=[s.name for s in SITES])
def test_site(site: Path, tmp_path, capsys, update_goldens):
    out = tmp_path / "output"
    # Built from a copy: the build's cache (and its lock) never lands in the repository.
    source = tmp_path / site.name
    shutil.copytree(site, source, symlinks=True, ignore=shutil.ignore_patterns("expected", ".sitegen-cache"))
    code, stdout, stderr = run_sitegen(["build", "--source", source, "--output", out, *_options(site)], capsys)
    errors_file = site / "expected-errors.txt"
    if errors_file.exists() or (update_goldens and code == 1):
        *diagnostics, summary = stderr.splitlines()
        if update_goldens:
            errors_file.write_text("".join(line + "\n" for line in diagnostics))
            return
        assert diagnostics == errors_file.read_text().splitlines()
        errors = sum(1 for line in diagnostics if ": warning: " not in line)
        assert summary.startswith(f"build failed: {errors} error{'s' if errors > 1 else ''};")
        assert code == 1
        assert not out.exists(), "a failed build must not write output"
        return
    assert code == 0, stderr
    expected = site / "expected"
    if update_goldens:
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(out, expected, ignore=lambda folder, names: [n for n in names if _pagefind_runtime(n)])
        (site / "expected-warnings.txt").unlink(missing_ok=True)
        if stderr:
            (site / "expected-warnings.txt").write_text(stderr)
        return
    warnings_file = site / "expected-warnings.txt"
    assert stderr.splitlines() == (warnings_file.read_text().splitlines() if warnings_file.exists() else [])
    actual, wanted = tree_bytes(out), tree_bytes(expected)
    actual = {name: data for name, data in actual.items() if not _pagefind_runtime(name.rpartition("/")[2])}
    assert sorted(actual) == sorted(wanted), "the output tree differs from expected/"
    for name in wanted:
        if actual[name] != wanted[name]:
            diff = difflib.unified_diff(
                wanted[name].decode(errors="replace").splitlines(),
                actual[name].decode(errors="replace").splitlines(),
                f"expected/{name}", f"output/{name}", lineterm="", n=2,
            )
            pytest.fail(f"{site.name}: {name} differs from the golden "
                        "(run pytest --update-goldens if the change is intended):\n" + "\n".join(diff))
