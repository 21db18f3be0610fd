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

from sitegen.diagnostics import Diagnostic, error
from sitegen.load.sources import is_ignored_name, walk_inside
from sitegen.render.schema import schema_org

THEME_DIR = Path(__file__).resolve().parent.parent / "theme"
LAYOUTS_DIR = "layouts"


class _SiteLoader(jinja2.FileSystemLoader):
    """The site's templates; one behind a symbolic link that leads out of the site is not one."""

    def __init__(self, folder: Path, site: Path):
        super().__init__(folder)
        self.site = os.path.realpath(site)

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        if os.path.commonpath([self.site, os.path.realpath(filename)]) != self.site:
            raise jinja2.TemplateNotFound(template)
        return source, filename, uptodate


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
    def __init__(self, root: Path, digest: str | None = None, bytecode_dir: Path | None = None):
        self.root = root
        self._digest = digest
        self.layouts = root / LAYOUTS_DIR
        theme_templates = jinja2.FileSystemLoader(THEME_DIR / "templates")
        loaders: list[jinja2.BaseLoader] = []
        if self.layouts.is_dir():
            loaders.append(_SiteLoader(self.layouts, root))
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
            bytecode_cache=jinja2.FileSystemBytecodeCache(str(bytecode_dir)) if bytecode_dir else None,
        )
        self.env.filters["schema_org"] = schema_org

    @staticmethod
    def digest_of(root: Path) -> str:
        """A digest of every template the site can use: its layouts/ (but static/) and the theme's."""
        hasher = hashlib.sha256()
        for folder in (THEME_DIR / "templates", root / LAYOUTS_DIR):
            if folder.is_dir():
                for path in sorted(folder.rglob("*")):
                    relative = path.relative_to(folder)
                    if path.is_file() and relative.parts[0] != "static" and not is_ignored_name(path.name):
                        hasher.update(f"{folder}/{relative.as_posix()}".encode() + b"\0" + path.read_bytes())
        return hasher.hexdigest()

    def digest(self) -> str:
        if self._digest is None:
            self._digest = self.digest_of(self.root)
        return self._digest

    @staticmethod
    def static_files(root: Path) -> dict[str, Path]:
        """Files copied as they are to the output's root: layouts/static/ over the theme's static/."""
        files: dict[str, Path] = {}
        for static_root in (THEME_DIR / "static", root / LAYOUTS_DIR / "static"):
            if not static_root.is_dir():
                continue
            for folder, _, names in walk_inside(static_root, root if static_root.is_relative_to(root) else static_root, []):
                for name in names:
                    path = Path(folder) / name
                    files[path.relative_to(static_root).as_posix()] = path
        return dict(sorted(files.items()))

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
