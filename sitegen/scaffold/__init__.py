"""`sitegen new`: a site that builds at once (its settings, a first article with a discussion and
notes, .gitignore, the GitHub Pages workflow), and each next article as a dated bundle.

The files come from the templates in files/: what readers see (the first article, its comments,
the site's description, a new article's first line) from files/LANG/, in the site's language
where sitegen has it, else in English. Nothing that exists is ever overwritten.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

import yaml

from sitegen import DISTRIBUTION, __version__
from sitegen.diagnostics import Diagnostic, has_errors
from sitegen.load.config import CONFIG_FILE, base_url as checked_base_url, load_config
from sitegen.load.front_matter import split_front_matter
from sitegen.load.schema import Invalid, language as checked_language
from sitegen.load.sources import BUNDLE_INDEX, BUNDLE_THREAD, CONTENT_DIR
from sitegen.model.slugs import slugify
from sitegen.render.words import SOURCE_LANGUAGE

WORKFLOW = ".github/workflows/pages.yml"
GITIGNORE = ".gitignore"
REQUIREMENTS = "requirements.txt"


class Refused(Exception):
    """Doing it would overwrite something; nothing was written."""


class NotASite(Exception):
    """The folder has no sitegen.yaml."""


class Unusable(ValueError):
    """A title or base_url that cannot make a site or an article; nothing was written."""


@dataclass(frozen=True, slots=True)
class NewSite:
    root: Path
    written: list[str]
    """Site-relative paths of the files made (or, for .gitignore, added to)."""
    requirement: str | None
    """What requirements.txt asks pip for; None when sitegen could not tell, so it asks for nothing."""
    article: str
    """The first article's bundle folder, site-relative."""


def article_bundle(title: str, day: date) -> str:
    """Where an article written on DAY goes: "content/2024/2024-05-01-its-title"."""
    return f"{CONTENT_DIR}/{day:%Y}/{day.isoformat()}-{slugify(title)}"


def create_article(root: Path, title: str, day: date, language: str = SOURCE_LANGUAGE) -> str:
    """Make the bundle of a new article with an empty thread; returns its folder, site-relative."""
    if not title.strip():
        raise Unusable("an article needs a title")
    bundle = article_bundle(title, day)
    _write_new(root, {
        f"{bundle}/{BUNDLE_INDEX}": _template(f"{written_in(language)}/article.md", title=_yaml_text(title),
                                              date=day.isoformat()),
        f"{bundle}/{BUNDLE_THREAD}": _template("article.comments.yaml"),
    }, taken=[bundle])
    return bundle


def create_article_today(root: Path, title: str) -> tuple[str | None, list[Diagnostic]]:
    """`sitegen new article`: the bundle dated today in the site's timezone, and sitegen.yaml's
    diagnostics. With errors in sitegen.yaml nothing is made (its timezone decides the date)."""
    config, problems = load_config(root)
    if config is None:
        raise NotASite(f"{root.resolve()} is not a site: it has no {CONFIG_FILE} (run this in the site's "
                       "folder, or give --source DIR)")
    if has_errors(problems):
        return None, problems
    return create_article(root, title, datetime.now(config.timezone).date(), config.language), problems


def create_site(root: Path, day: date, title: str | None = None, base_url: str | None = None,
                language: str = SOURCE_LANGUAGE) -> NewSite:
    """Make a site in ROOT, a new folder or one holding none of a site's files (a fresh clone).

    DAY dates the first article and its comments: `sitegen new` makes content, so it may read
    the clock, which a build never does. TITLE defaults to the folder's name ("my-digest" ->
    "My digest"); BASE_URL to a placeholder the Pages workflow replaces with the real address;
    LANGUAGE (a tag: ru, pt-BR) is the site's, and the first article's where sitegen has it.
    """
    if root.exists() and not root.is_dir():
        raise Refused(f"{root} is a file, not a folder")
    name = root.resolve().name
    if title is None:
        title = name.replace("-", " ").replace("_", " ").capitalize()
    if base_url is None:
        base_url = f"https://example.github.io/{slugify(name)}/"
    if not title.strip():
        raise Unusable("a site needs a title")
    try:
        base_url = checked_base_url(base_url)
    except Invalid as exc:
        raise Unusable(f"base_url: {exc}") from None
    try:
        language = checked_language(language)
    except Invalid as exc:
        raise Unusable(f"language: {exc}") from None
    requirement = sitegen_requirement()
    folder = written_in(language)
    welcome = _template(f"{folder}/welcome.md", date=day.isoformat())
    bundle = article_bundle(yaml.safe_load(split_front_matter(welcome, "welcome.md")[0].front_matter)["title"], day)
    description = _template(f"{folder}/description.txt").strip()
    files = {
        CONFIG_FILE: _template("sitegen.yaml", title=_yaml_text(title), base_url=_yaml_text(base_url),
                               description=_yaml_text(description), language=language),
        f"{bundle}/{BUNDLE_INDEX}": welcome,
        f"{bundle}/{BUNDLE_THREAD}": _template(f"{folder}/welcome.comments.yaml", date=day.isoformat()),
        WORKFLOW: _template("pages.yml"),
        REQUIREMENTS: requirements_txt(requirement),
    }
    _write_new(root, files, taken=[CONTENT_DIR])
    written = list(files)
    if _add_to_gitignore(root / GITIGNORE, _template("gitignore")):
        written.append(GITIGNORE)
    return NewSite(root, written, requirement, bundle)


def written_in(language: str) -> str:
    """The folder of files/ with the words of a new site in LANGUAGE: its own (pt_BR for pt-BR),
    its language's (pt), else English."""
    tag = language.replace("-", "_")
    for name in (tag, tag.split("_")[0]):
        if resources.files(__package__).joinpath("files", name, "welcome.md").is_file():
            return name
    return SOURCE_LANGUAGE


def _template(name: str, **values: str) -> str:
    text = resources.files(__package__).joinpath("files", name).read_text(encoding="utf-8")
    return Template(text).substitute(values) if values else text


def _yaml_text(value: str) -> str:
    """VALUE as a YAML scalar that reads back as exactly that text, whatever it holds."""
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _write_new(root: Path, files: dict[str, str], taken: list[str]) -> None:
    """Write FILES under ROOT, or nothing at all when any of them, or of TAKEN, exists."""
    existing = [p for p in [*files, *taken] if (root / p).exists()]
    if existing:
        raise Refused(f"{root / existing[0]} already exists; nothing was written")
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _add_to_gitignore(path: Path, lines: str) -> bool:
    """A repository's own .gitignore is kept: only the lines it lacks are added."""
    present = set(path.read_text(encoding="utf-8").splitlines()) if path.exists() else set()
    missing = [line for line in lines.splitlines() if line and not line.startswith("#") and line not in present]
    if not missing:
        return False
    if not present:
        path.write_text(lines, encoding="utf-8")
        return True
    with path.open("a", encoding="utf-8") as file:
        file.write("\n# sitegen\n" + "\n".join(missing) + "\n")
    return True


def requirements_txt(requirement: str | None) -> str:
    head = "# The sitegen that the GitHub Pages workflow installs to check and build the site.\n"
    if requirement is not None:
        return head + requirement + "\n"
    return head + (
        "# `sitegen new` ran from a copy of sitegen that GitHub's runner cannot get (a checkout with\n"
        "# no remote, a local file). Write where pip can get it on the line below: the package index's\n"
        f"#   {DISTRIBUTION}=={__version__}\n"
        "# or a repository, for example\n"
        f"#   {DISTRIBUTION} @ git+https://github.com/OWNER/sitegen@v" + __version__ + "\n"
    )


def sitegen_requirement() -> str | None:
    """The pip requirement for the sitegen running now, that GitHub's runner can install too."""
    try:
        recorded = distribution(DISTRIBUTION).read_text("direct_url.json")
    except PackageNotFoundError:
        recorded = None
    direct_url = json.loads(recorded) if recorded else None
    project = Path(__file__).resolve().parents[2]
    checkout = _checkout_source(project) if (project / ".git").exists() else None
    return pip_requirement(direct_url, checkout, __version__)


def pip_requirement(direct_url: dict | None, checkout: tuple[str | None, str | None] | None,
                    version: str) -> str | None:
    """How sitegen was installed -> how to install it again elsewhere.

    `direct_url` is what pip recorded (PEP 610) for an install from a URL or a folder;
    `checkout` is (origin URL, commit) when sitegen runs from a git checkout. Installed from a git
    URL or an archive: that, at the same commit. From a checkout: its origin at HEAD. From a
    package index: that version. A local path would not exist on GitHub's runner: None.
    """
    if direct_url is not None:
        url = direct_url.get("url", "")
        vcs = direct_url.get("vcs_info")
        remote = _https_remote(url)
        if vcs and remote:
            commit = vcs.get("commit_id")
            return f"{DISTRIBUTION} @ {vcs.get('vcs', 'git')}+{remote}" + (f"@{commit}" if commit else "")
        if url and not url.startswith("file:"):
            return f"{DISTRIBUTION} @ {url}"
    if checkout is not None:
        origin, commit = checkout
        remote = _https_remote(origin) if origin else None
        if remote is None:
            return None
        return f"{DISTRIBUTION} @ git+{remote}" + (f"@{commit}" if commit else "")
    if direct_url is not None:
        return None
    return f"{DISTRIBUTION}=={version}"


def _https_remote(origin: str) -> str | None:
    """A git remote as a URL GitHub's runner can clone without keys: "git@host:o/r.git" ->
    "https://host/o/r.git"; a local path gives None."""
    if "://" not in origin and ":" in origin and "@" in origin.partition(":")[0]:
        host, _, path = origin.partition(":")
        origin = f"https://{host.rpartition('@')[2]}/{path}"
    parts = urlsplit(origin)
    if parts.scheme in ("https", "http", "ssh", "git") and parts.hostname:
        # A token in a clone's URL ("https://user:token@host/...") must not end up in a committed file
        scheme = parts.scheme if parts.scheme.startswith("http") else "https"
        host = parts.hostname + (f":{parts.port}" if parts.port and scheme == parts.scheme else "")
        return f"{scheme}://{host}{parts.path}"
    return None


def _checkout_source(project: Path) -> tuple[str | None, str | None]:
    def git(*args: str) -> str | None:
        try:
            result = subprocess.run(["git", "-C", str(project), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return result.stdout.strip() or None if result.returncode == 0 else None

    return git("remote", "get-url", "origin"), git("rev-parse", "HEAD")
