"""The command line: `sitegen build` (and the other verbs). Exit 0: done; 1: the content has errors;
2: the command was used wrongly; 3: sitegen itself failed (a bug, with its traceback)."""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

from sitegen import __version__
from sitegen.build import BuildOptions, build_site, default_jobs, disk_cache
from sitegen.cache import CACHE_DIR, BuildCache
from sitegen.load.config import CONFIG_FILE
from sitegen.write.output import OUTPUT_DIR

# The other commands import their modules when they run: `sitegen build` in CI should not pay
# for the preview server, the importers' HTML parsing or the checker.

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # as a shell reports a process ended by SIGINT


class UsageError(Exception):
    pass


def _add_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", metavar="DIR", type=Path, default=Path("."),
                        help="the site's root, where sitegen.yaml is (default: the current folder)")
    parser.add_argument("--base-url", metavar="URL",
                        help="use this base_url instead of sitegen.yaml's (a preview, a fork's Pages site)")
    parser.add_argument("--drafts", action="store_true", help="include articles marked draft: true")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sitegen",
        description="Build annotated commentary digests (articles, their comment threads and editors' "
                    "notes) into a static site.",
        epilog="Run 'sitegen COMMAND --help' for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build = commands.add_parser(
        "build", help="render content/ into output/",
        description="Render the site's content/ with its layouts/ into static HTML. The output folder is "
                    "replaced only when the whole build succeeds.",
        epilog="examples:\n  sitegen build\n  sitegen build --source my-digest --output /tmp/site\n"
               "  sitegen build --base-url https://user.github.io/digest/ --drafts\n"
               "  sitegen build --relative --output digest-offline   # to send as an archive",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_build_options(build)
    build.add_argument("--relative", action="store_true",
                       help="links relative to each page, for a site opened from disk (file://) or from any "
                            "folder of any server; without search, which needs a server")
    build.add_argument("--output", metavar="DIR", type=Path,
                       help="where to write the site (default: output/ in the site's root)")
    build.add_argument("--jobs", metavar="N", type=int, default=default_jobs(),
                       help=f"processes to use (default: this machine's cores, {default_jobs()})")
    build.add_argument("--no-cache", action="store_true",
                       help=f"build everything afresh, without reading or writing {CACHE_DIR}/ (only its lock file)")
    build.set_defaults(run=run_build)

    preview = commands.add_parser(
        "serve", help="preview the site, rebuilt on every save",
        description="Build the site and serve it at base_url's path. Every save to content/, "
                    "layouts/ or sitegen.yaml rebuilds it: open pages reload by themselves, and show the "
                    "errors of a failed build over the last good one. It builds as `sitegen build` does, "
                    f"into output/ with {CACHE_DIR}/, so it starts from the last build's work; with --drafts "
                    f"or --base-url, into {CACHE_DIR}/preview/ instead, so that output/ never holds drafts. On an "
                    "article's page, select a passage (or use a comment's Note button) to pin a note to it: "
                    "the note is written into the article's front matter (docs/format.md, Annotations).",
        epilog="examples:\n  sitegen serve\n  sitegen serve --source my-digest --port 0 --drafts\n"
               "  sitegen serve --host 0.0.0.0 --port 8080 --base-url http://localhost:8080/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_build_options(preview)
    preview.add_argument("--jobs", metavar="N", type=int, default=default_jobs(),
                         help=f"processes to use for a large build (default: this machine's cores, {default_jobs()})")
    preview.add_argument("--host", default="127.0.0.1",
                         help="the address to listen on (default: 127.0.0.1, this machine only)")
    preview.add_argument("--port", type=int, default=8000, help="the port (default: 8000; 0 picks a free one)")
    preview.add_argument("--poll", action="store_true",
                         help="look for changes by polling, where file events do not arrive (network drives)")
    preview.add_argument("--allow-remote-edits", action="store_true",
                         help="with --host beyond this machine: let pages opened from elsewhere write notes "
                              "into the articles too (off by default)")
    preview.set_defaults(run=run_serve)
    _add_import_command(commands)
    _add_publish_commands(commands)
    return parser


def _add_import_command(commands) -> None:
    imports = commands.add_parser(
        "import", help="bring in a WordPress or Disqus export, comment threads included",
        description="Write a WordPress or Disqus export into the site's content/ as articles and their "
                    "comment threads. Nothing is overwritten without --force; see docs/import.md.",
    )
    sources = imports.add_subparsers(dest="importer", metavar="SOURCE", required=True)
    wordpress = sources.add_parser(
        "wordpress", help="import a WordPress export (WXR)",
        description="Write each post of a WordPress export (Tools > Export) as "
                    "content/YYYY/YYYY-MM-DD-SLUG/index.md, with its approved comments, threaded, in "
                    "comments.yaml beside it. A folder with no sitegen.yaml gets one made from the export.",
        epilog="examples:\n  sitegen import wordpress blog.wordpress.2024-05-01.xml\n"
               "  sitegen import wordpress export.xml --source my-digest --pages --pingbacks\n"
               "  sitegen import wordpress export.xml --force",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    disqus = sources.add_parser(
        "disqus", help="import a Disqus export",
        description="Attach the threads of a Disqus export to the site's articles: a thread goes to the "
                    "article whose URL, source.url or WordPress permalink is the thread's link.",
        epilog="examples:\n  sitegen import disqus blog-2024-05-01T10_00_00.xml\n"
               "  sitegen import disqus disqus-export.xml --source my-digest --force",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for command in (wordpress, disqus):
        command.add_argument("export", metavar="EXPORT.xml", type=Path, help="the export file")
        command.add_argument("--source", metavar="DIR", type=Path, default=Path("."),
                             help="the site's root, where sitegen.yaml is (default: the current folder)")
        command.add_argument("--force", action="store_true", help="replace files that exist already")
    wordpress.add_argument("--pingbacks", action="store_true", help="keep pingbacks and trackbacks as comments")
    wordpress.add_argument("--pages", action="store_true", help="import pages as articles too")
    wordpress.set_defaults(run=run_import_wordpress)
    disqus.set_defaults(run=run_import_disqus)


def print_diagnostics(diagnostics) -> None:
    """Files in the order the build met them; within a file, by line."""
    first_seen: dict[str, int] = {}
    for diagnostic in diagnostics:
        first_seen.setdefault(diagnostic.path, len(first_seen))
    for diagnostic in sorted(diagnostics, key=lambda d: (first_seen[d.path], d.line or 0)):
        print(diagnostic, file=sys.stderr)


def print_notices(notices) -> None:
    for notice in notices:
        print(f"note: {notice}", file=sys.stderr)


def check_output_dir(root: Path, out_dir: Path) -> None:
    """The output folder is replaced whole: it must not be, or hold, the site's own files."""
    root, out_dir = root.resolve(), out_dir.resolve()
    if out_dir == root or root.is_relative_to(out_dir):
        raise UsageError(f"--output {out_dir} would replace the site itself; choose a folder of its own")
    for kept in ("content", "layouts"):
        if out_dir.is_relative_to(root / kept):
            raise UsageError(f"--output {out_dir} is inside the site's {kept}/; choose a folder outside it")


class ProgressReport:
    """A bar on a terminal, plain lines elsewhere (CI logs); silent for builds under a second."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.started = time.monotonic()
        self.on_terminal = stream.isatty()
        self.shown = False
        self.last_line = ("", -1)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if time.monotonic() - self.started < 1.0 or total == 0:
            return
        label = {"articles": "reading and rendering articles", "pages": "making pages"}.get(stage, stage)
        if self.on_terminal:
            filled = 30 * done // total
            self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} {label}\x1b[K")
            self.shown = True
        elif 4 * done // total > (self.last_line[1] if self.last_line[0] == stage else 0):  # at each quarter
            self.last_line = (stage, 4 * done // total)
            print(f"{label}: {done}/{total}", file=self.stream)
        self.stream.flush()

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """"1 article", "2 articles": sitegen's own messages are English (the site's words are in its language)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def run_build(args) -> int:
    root = args.source
    out_dir = args.output if args.output is not None else root / OUTPUT_DIR
    check_output_dir(root, out_dir)
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    options = BuildOptions(source=root, base_url=args.base_url, drafts=args.drafts, relative=args.relative,
                           jobs=args.jobs)
    progress = ProgressReport()
    cache = BuildCache() if args.no_cache or not (root / CONFIG_FILE).is_file() else disk_cache(root)
    try:
        result = build_site(options, cache, out_dir, progress, last_in_process=True)
    finally:
        progress.clear()
    print_notices(result.notices)
    print_diagnostics(result.diagnostics)
    if not result.has_config:
        raise UsageError(f"{root.resolve()} is not a site: it has no sitegen.yaml (use --source DIR)")
    if not result.ok:
        errors = sum(1 for d in result.diagnostics if d.is_error)
        print(f"build failed: {errors} error{'s' if errors != 1 else ''}; {out_dir} was left as it was",
              file=sys.stderr)
        return EXIT_CONTENT
    stats = result.stats
    # Generated files: pages, feeds, the sitemap, the search index; `check` counts the HTML pages alone.
    print(f"built {counted(stats.articles, 'article')}, {counted(stats.comments, 'comment')}: wrote "
          f"{stats.pages_made} of {counted(stats.pages, 'generated file')}, "
          f"{stats.pages_unchanged} unchanged; {counted(stats.files, 'file')} in {out_dir} ({stats.seconds:.2f} s)")
    return EXIT_OK


def run_serve(args) -> int:
    from sitegen.serve.server import ServeError, serve
    from sitegen.serve.session import preview_folder

    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    options = BuildOptions(source=args.source, base_url=args.base_url, drafts=args.drafts, jobs=args.jobs)
    check_output_dir(args.source, preview_folder(options))
    try:
        serve(options, args.host, args.port, poll=args.poll, report=print_diagnostics,
              allow_remote_edits=args.allow_remote_edits)
    except ServeError as exc:
        raise UsageError(str(exc)) from None
    return EXIT_OK


def run_import_wordpress(args) -> int:
    from sitegen.importers.wordpress import WordPressOptions, import_wordpress

    _check_import_target(args.source)
    options = WordPressOptions(pingbacks=args.pingbacks, pages=args.pages)
    return _finish_import(import_wordpress(args.export, args.source, args.force, options), args.source)


def run_import_disqus(args) -> int:
    from sitegen.importers.disqus import import_disqus

    _check_import_target(args.source)
    return _finish_import(import_disqus(args.export, args.source, args.force), args.source)


def _check_import_target(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise UsageError(f"--source {root} is a file; give the site's folder")


def _finish_import(result, root: Path) -> int:
    if result.not_a_site:
        raise UsageError(f"{root.resolve()} is not a site: it has no sitegen.yaml (use --source DIR); "
                         "Disqus threads are attached to a site's existing articles")
    if len(result.problems) == 1 and not result.written:
        print(f"{result.problems[0]}; nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    if result.problems:
        print_diagnostics(result.problems)
        print(f"import failed in {root}" + ("" if result.written else "; nothing was written"), file=sys.stderr)
        return EXIT_CONTENT
    print("\n".join(result.report.summary(len(result.written), str(root))))
    return EXIT_OK


def _add_publish_commands(commands) -> None:
    check = commands.add_parser(
        "check", help="check the content and every link of the built site, writing no output",
        description="Build the site in memory and report every error in the content; then, in the built\n"
                    "site, every broken internal link, missing asset and missing fragment (#comment-ID,\n"
                    "#note-N, any id), feeds that are not well-formed Atom, sitemap URLs that do not exist,\n"
                    "links that leave base_url's path, and wrong GitHub Pages files (.nojekyll, CNAME,\n"
                    "404.html). Exit 0: no problems; 1: a list of them, each naming the file and the link.\n"
                    f"Nothing is written but the build cache ({CACHE_DIR}/), which `sitegen build` then starts from.",
        epilog="examples:\n  sitegen check\n  sitegen check --source my-digest --drafts\n"
               "  sitegen check --base-url https://user.github.io/digest/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_build_options(check)
    check.add_argument("--relative", action="store_true", help="check the site as `sitegen build --relative` makes it")
    check.add_argument("--no-cache", action="store_true",
                       help=f"build everything afresh, without reading or writing {CACHE_DIR}/ (only its lock file)")
    check.set_defaults(run=run_check)

    new = commands.add_parser(
        "new", help="make a new site, or a new article in a site",
        description="'sitegen new DIR' makes a site that builds at once: sitegen.yaml, a first article with\n"
                    "comments and notes, .gitignore, requirements.txt and the GitHub Pages workflow\n"
                    ".github/workflows/pages.yml. DIR may exist if it holds none of these (a fresh clone).\n"
                    "'sitegen new article TITLE', run in a site, makes content/YYYY/YYYY-MM-DD-SLUG/ with\n"
                    "index.md and an empty comments.yaml, dated today in the site's timezone.\n"
                    "Nothing that exists is overwritten: that is refused with exit 1.",
        epilog="examples:\n  sitegen new my-digest\n"
               "  sitegen new my-digest --title 'Our Digest' --base-url https://me.github.io/my-digest/\n"
               "  sitegen new my-digest --language ru\n"
               "  sitegen new article 'Macron answers Putin'\n"
               "  sitegen new article 'Macron answers Putin' --source my-digest",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    new.add_argument("target", metavar="DIR | article", help="the folder for a new site, or the word article")
    new.add_argument("title", nargs="?", help="with article: the article's title")
    new.add_argument("--source", metavar="DIR", type=Path,
                     help="with article: the site's root (default: the current folder)")
    new.add_argument("--title", dest="site_title", metavar="TITLE",
                     help="with DIR: the site's title (default: made from the folder's name)")
    new.add_argument("--base-url", metavar="URL",
                     help="with DIR: the site's base_url (default: https://example.github.io/FOLDER/)")
    new.add_argument("--language", metavar="TAG",
                     help="with DIR: the site's language, such as ru or pt-BR; the first article is written in it "
                          "where sitegen has one in that language (default: en)")
    new.set_defaults(run=run_new)


def run_check(args) -> int:
    from sitegen.check import check_site, report_lines

    root = args.source
    cache = BuildCache() if args.no_cache or not (root / CONFIG_FILE).is_file() else disk_cache(root)
    result = check_site(BuildOptions(source=root, base_url=args.base_url, drafts=args.drafts,
                                     relative=args.relative), cache)
    print_diagnostics(result.build.diagnostics)
    if not result.build.has_config:
        raise UsageError(f"{args.source.resolve()} is not a site: it has no sitegen.yaml (use --source DIR)")
    if result.output is None:
        errors = sum(1 for d in result.build.diagnostics if d.is_error)
        print(f"check failed: {errors} error{'s' if errors != 1 else ''} in the content; the site was not built",
              file=sys.stderr)
        return EXIT_CONTENT
    report = result.output
    for line in report_lines(report.problems):
        print(line, file=sys.stderr)
    if report.problems:
        count = len(report.problems)
        print(f"check failed: {count} problem{'s' if count != 1 else ''} in the built site "
              "(paths are those `sitegen build` writes in output/)", file=sys.stderr)
        return EXIT_CONTENT
    print(f"checked {counted(report.pages, 'HTML page')}, {counted(report.links, 'internal link')} and "
          f"{counted(report.feeds, 'feed')}: no problems")
    return EXIT_OK


def run_new(args) -> int:
    from sitegen.scaffold import NotASite, Refused, Unusable

    try:
        if args.target == "article":
            return _new_article(args)
        return _new_site(args)
    except (NotASite, Unusable) as exc:
        raise UsageError(str(exc)) from None
    except Refused as exc:
        print(f"sitegen: {exc}", file=sys.stderr)
        return EXIT_CONTENT


def _new_article(args) -> int:
    from sitegen.scaffold import create_article_today

    if args.title is None:
        raise UsageError("give the article's title: sitegen new article 'Its title' "
                         "(for a site in a folder named article: sitegen new ./article)")
    if args.site_title is not None or args.base_url is not None or args.language is not None:
        raise UsageError("--title, --base-url and --language are for a new site; an article's title comes after "
                         "'article'")
    root = args.source if args.source is not None else Path(".")
    bundle, problems = create_article_today(root, args.title)
    print_diagnostics(problems)
    if bundle is None:
        print("sitegen.yaml has errors: fix them first (the article is dated today in the site's timezone)",
              file=sys.stderr)
        return EXIT_CONTENT
    print(f"made {root / bundle}/index.md, with an empty thread in comments.yaml beside it")
    return EXIT_OK


def _new_site(args) -> int:
    from sitegen.scaffold import create_site

    if args.title is not None or args.source is not None:
        raise UsageError(f"sitegen new {args.target} makes a site; to make an article: sitegen new article 'Its title'")
    root = Path(args.target)
    site = create_site(root, datetime.now(timezone.utc).date(), args.site_title, args.base_url,
                       args.language or "en")
    print(f"made a site in {root}: " + ", ".join(site.written))
    if site.requirement is None:
        print(f"note: write where pip can get sitegen in {root / 'requirements.txt'}: the Pages workflow "
              "installs what it names", file=sys.stderr)
    print(f"next: cd {root} && sitegen build && sitegen check; to publish, see 'Publish on GitHub Pages' in "
          "sitegen's README")
    return EXIT_OK


def run() -> None:
    """The `sitegen` command. After Ctrl-C it ends at once: a worker pool's threads, stopped with
    their workers, are not waited for."""
    code = main()
    if code == EXIT_INTERRUPTED:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except UsageError as exc:
        print(f"sitegen: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("sitegen: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception:
        traceback.print_exc()
        print(f"sitegen {__version__}: internal error: this is a bug in sitegen, please report it "
              "with the traceback above", file=sys.stderr)
        return EXIT_BUG
