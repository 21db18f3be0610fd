"""The Jinja2 environment: a site's layouts/ over the built-in theme, one file at a time.

Autoescape is on and undefined variables are errors, so a typo in a template fails the build at
its line instead of rendering an empty string. A site template can extend the one it replaces
with the "theme/" prefix: {% extends "theme/article.html" %}.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Any

import jinja2

from sitegen.diagnostics import Diagnostic, error, warning
from sitegen.load.files import Boundary, read_regular_file
from sitegen.load.sources import is_ignored_name, walk_inside
from sitegen.render.schema import schema_org
from sitegen.render.words import Words

THEME_DIR = Path(__file__).resolve().parent.parent / "theme"
LAYOUTS_DIR = "layouts"


class _SiteLoader(jinja2.BaseLoader):
    """The site's templates in layouts/, read as its content is: never a FIFO or a device, never a
    hidden file, never through a symbolic link that leads out of layouts/."""

    def __init__(self, root: Path):
        self.folder = root / LAYOUTS_DIR
        self.boundary = Boundary(root, LAYOUTS_DIR)

    def get_source(self, environment, template):
        pieces = jinja2.loaders.split_template_path(template)  # refuses ".."
        if any(is_ignored_name(piece) for piece in pieces):
            raise jinja2.TemplateNotFound(template)
        filename = os.path.join(self.folder, *pieces)
        # A template is asked for by name, so a folder on its way may be a link too: check it all.
        data = None if self.boundary.refusal(filename) else read_regular_file(filename, self.boundary)[0]
        if data is None:
            raise jinja2.TemplateNotFound(template)
        mtime = _mtime(filename)
        return data.decode("utf-8"), filename, lambda: _mtime(filename) == mtime


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _layouts_boundary(root: Path) -> Boundary | None:
    """Where the site's layouts/ may lead; None when it has none of its own (or a symbolic link to
    a folder outside the site, or to a hidden one, in its place)."""
    boundary = Boundary(root, LAYOUTS_DIR)
    if not (root / LAYOUTS_DIR).is_dir() or boundary.folder_refusal() is not None:
        return None
    return boundary


class _StrictUndefined(jinja2.StrictUndefined):
    """Names sitegen's views by their class ("ArticleView has no attribute 'titel'")."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        owner = self._undefined_obj
        if owner is not jinja2.utils.missing and self._undefined_name is not None:
            return f"{type(owner).__name__} has no attribute {self._undefined_name!r}"
        return super()._undefined_message


class TemplateSet:
    def __init__(self, root: Path, digest: str | None = None):
        self.root = root
        self._digest = digest
        self.layouts = root / LAYOUTS_DIR
        theme_templates = jinja2.FileSystemLoader(THEME_DIR / "templates")
        loaders: list[jinja2.BaseLoader] = []
        if _layouts_boundary(root) is not None:
            loaders.append(_SiteLoader(root))
        loaders += [jinja2.PrefixLoader({"theme": theme_templates}), theme_templates]
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,
            undefined=_StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # A changed template makes a new TemplateSet (BuildCache.template_set compares digests),
            # so Jinja need not stat every template file each time a page asks for it.
            auto_reload=False,
            # Compiled templates kept on disk spare each `sitegen build` process compiling them again.
            # They are code, so they are kept where Jinja keeps them for this user (a private
            # folder it checks is this user's own), never in the site's folder (docs/security.md).
            bytecode_cache=jinja2.FileSystemBytecodeCache(),
            # Every word a reader sees is a message: {{ _("Tags") }}, {{ ngettext(...) }} (render/words.py).
            extensions=["jinja2.ext.i18n"],
        )
        self.env.filters["schema_org"] = schema_org
        self.words: Words | None = None

    def use_words(self, words: Words) -> None:
        """Translate with these words from now on (a build sets its site's; templates are compiled
        without them, so nothing is compiled again)."""
        if words is not self.words:
            self.words = words
            self.env.install_gettext_callables(words.translations.gettext, words.plural_form, newstyle=True,
                                               pgettext=words.translations.pgettext)
            self.env.filters["number"] = words.number  # {{ tag.count | number }}: "1 234" in Russian

    @staticmethod
    def digest_of(root: Path) -> str:
        """A digest of every template the site can use: its layouts/ (but static/) and the theme's."""
        hasher = hashlib.sha256()
        folders = [(THEME_DIR / "templates", None)]
        layouts = _layouts_boundary(root)
        if layouts is not None:
            folders.append((root / LAYOUTS_DIR, layouts))
        for folder, boundary in folders:
            for parent, dirnames, names, _ in walk_inside(folder, boundary):
                if parent == str(folder):
                    dirnames[:] = [name for name in dirnames if name != "static"]
                for name in names:
                    data, _ = read_regular_file(os.path.join(parent, name), boundary)
                    if data is not None:
                        relative = Path(parent, name).relative_to(folder).as_posix()
                        hasher.update(f"{folder}/{relative}".encode() + b"\0" + data)
        return hasher.hexdigest()

    def digest(self) -> str:
        if self._digest is None:
            self._digest = self.digest_of(self.root)
        return self._digest

    @staticmethod
    def find_static_files(root: Path) -> tuple[dict[str, Path], list[Diagnostic]]:
        """Files copied as they are to the output's root, layouts/static/ over the theme's static/; and
        warnings for those not published (a FIFO, a link to a hidden file)."""
        files: dict[str, Path] = {}
        problems: list[Diagnostic] = []
        boundary = Boundary(root, LAYOUTS_DIR)
        for static_root, within in ((THEME_DIR / "static", None), (root / LAYOUTS_DIR / "static", boundary)):
            if not static_root.is_dir():
                continue
            if within is not None:
                why = boundary.folder_refusal() or boundary.refusal(str(static_root), "folder")
                if why is not None:
                    problems.append(warning(f"{LAYOUTS_DIR}/static", None, why))
                    continue
            for folder, _, names, refused in walk_inside(static_root, within):
                for name in names:
                    path = Path(folder) / name
                    files[path.relative_to(static_root).as_posix()] = path
                for odd in refused:
                    relative = Path(folder, odd.name).relative_to(static_root).as_posix()
                    problems.append(odd.problem(f"{LAYOUTS_DIR}/static/{relative}", False))
        return dict(sorted(files.items())), problems

    def display_path(self, filename: str | None, name: str | None = None) -> str:
        """A template file as the author knows it: layouts/x.html, or the built-in theme's."""
        if not filename:
            return name or "(template)"
        path = Path(filename)
        for base in (self.root, THEME_DIR.parent.parent):
            try:
                return path.resolve().relative_to(base.resolve()).as_posix()
            except ValueError:
                continue
        return filename

    def render(self, name: str, context: dict[str, Any], page: str) -> tuple[str | None, list[Diagnostic]]:
        """Render template `name`; `page` names the page being made, for messages."""
        try:
            return self.env.get_template(name).render(context), []
        except jinja2.TemplateSyntaxError as exc:
            path = self.display_path(exc.filename, exc.name)
            return None, [error(path, exc.lineno, f"template syntax: {exc.message}")]
        except jinja2.TemplateNotFound as exc:
            return None, [error(LAYOUTS_DIR, None, f"template '{exc.name}' not found (rendering {page})")]
        except Exception as exc:  # a runtime error inside a template: point at the template's line
            path, line = self._template_frame(sys.exc_info()[2])
            message = str(exc) if isinstance(exc, jinja2.UndefinedError) else f"{type(exc).__name__}: {exc}"
            if path is None:
                raise
            return None, [error(path, line, f"{message} (rendering {page})")]

    def _template_frame(self, tb) -> tuple[str | None, int | None]:
        """The innermost traceback frame that is a template (Jinja rewrites their line numbers)."""
        found = (None, None)
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename.endswith((".html", ".xml", ".txt", ".j2")) and Path(filename).exists():
                found = (self.display_path(filename), tb.tb_lineno)
            tb = tb.tb_next
        return found
