"""The command line: `sitegen build` (and the other verbs). Exit 0: done; 1: the content has errors;
2: the command was used wrongly; 3: sitegen itself failed (a bug, with its traceback)."""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from sitegen import __version__
from sitegen.build import BuildOptions, build_site
from sitegen.serve.server import ServeError, serve
from sitegen.write.output import write_output

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


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
               "  sitegen build --base-url https://user.github.io/digest/ --drafts",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_build_options(build)
    build.add_argument("--output", metavar="DIR", type=Path,
                       help="where to write the site (default: output/ in the site's root)")
    build.set_defaults(run=run_build)

    preview = commands.add_parser(
        "serve", help="preview the site, rebuilt on every save",
        description="Build the site and serve it from memory at base_url's path. Every save to content/, "
                    "layouts/ or sitegen.yaml rebuilds it: open pages reload by themselves, and show the "
                    "errors of a failed build over the last good one. Nothing is written to output/.",
        epilog="examples:\n  sitegen serve\n  sitegen serve --source my-digest --port 0 --drafts\n"
               "  sitegen serve --host 0.0.0.0 --port 8080 --base-url http://localhost:8080/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_build_options(preview)
    preview.add_argument("--host", default="127.0.0.1",
                         help="the address to listen on (default: 127.0.0.1, this machine only)")
    preview.add_argument("--port", type=int, default=8000, help="the port (default: 8000; 0 picks a free one)")
    preview.add_argument("--poll", action="store_true",
                         help="look for changes by polling, where file events do not arrive (network drives)")
    preview.set_defaults(run=run_serve)
    return parser


def print_diagnostics(diagnostics) -> None:
    """Files in the order the build met them; within a file, by line."""
    first_seen: dict[str, int] = {}
    for diagnostic in diagnostics:
        first_seen.setdefault(diagnostic.path, len(first_seen))
    for diagnostic in sorted(diagnostics, key=lambda d: (first_seen[d.path], d.line or 0)):
        print(diagnostic, file=sys.stderr)


def check_output_dir(root: Path, out_dir: Path) -> None:
    """The output folder is replaced whole: it must not be, or hold, the site's own files."""
    root, out_dir = root.resolve(), out_dir.resolve()
    if out_dir == root or root.is_relative_to(out_dir):
        raise UsageError(f"--output {out_dir} would replace the site itself; choose a folder of its own")
    for kept in ("content", "layouts"):
        if out_dir.is_relative_to(root / kept):
            raise UsageError(f"--output {out_dir} is inside the site's {kept}/; choose a folder outside it")


def run_build(args) -> int:
    root = args.source
    out_dir = args.output if args.output is not None else root / "output"
    check_output_dir(root, out_dir)
    result = build_site(BuildOptions(source=root, base_url=args.base_url, drafts=args.drafts))
    print_diagnostics(result.diagnostics)
    if not result.has_config:
        raise UsageError(f"{root.resolve()} is not a site: it has no sitegen.yaml (use --source DIR)")
    if not result.ok:
        errors = sum(1 for d in result.diagnostics if d.is_error)
        print(f"build failed: {errors} error{'s' if errors != 1 else ''}; {out_dir} was left as it was",
              file=sys.stderr)
        return EXIT_CONTENT
    write_output(result.files, out_dir)
    stats = result.stats
    print(f"built {stats.articles} articles, {stats.comments} comments: {stats.pages} pages, "
          f"{stats.files} files in {out_dir} ({stats.seconds:.2f} s)")
    return EXIT_OK


def run_serve(args) -> int:
    options = BuildOptions(source=args.source, base_url=args.base_url, drafts=args.drafts)
    try:
        serve(options, args.host, args.port, poll=args.poll, report=print_diagnostics)
    except ServeError as exc:
        raise UsageError(str(exc)) from None
    return EXIT_OK


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
        return 130
    except Exception:
        traceback.print_exc()
        print(f"sitegen {__version__}: internal error: this is a bug in sitegen, please report it "
              "with the traceback above", file=sys.stderr)
        return EXIT_BUG
