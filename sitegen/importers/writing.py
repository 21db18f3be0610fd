"""Write what an import made: articles and threads as FORMAT.md's YAML, into files never overwritten
without --force.

The YAML is written for people to go on editing: keys in FORMAT.md's order, lists of tags in flow
style, multi-line comment bodies as literal blocks (`body: |`), dates plain (sitegen reads dates
as text itself). Every string that sitegen's YAML 1.2 reader, or an older YAML 1.1 one, would
take for something other than text (`no`, `1e5`, `0o17`, `null`) is quoted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from sitegen.diagnostics import Diagnostic, error
from sitegen.write.files import write_atomically

# YAML 1.2 numbers that YAML 1.1's resolvers (PyYAML's) would leave plain: quote them too.
_NUMBER_IN_YAML_1_2 = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+)$")


class _Dumper(yaml.SafeDumper):
    pass


# sitegen keeps dates as text and reads them itself, so a date needs no quotes.
_Dumper.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def _represent_text(dumper: yaml.SafeDumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if _NUMBER_IN_YAML_1_2.match(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_str(value)


_Dumper.add_representer(str, _represent_text)


def dump_yaml(value, flow_lists: bool = False) -> str:
    """`flow_lists`: short lists of plain values on one line (`tags: [a, b]`), for front matter."""
    return yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100,
                     default_flow_style=None if flow_lists else False)


def article_text(front_matter: Mapping, body: str) -> str:
    """An article file: YAML front matter between `---` lines, then the Markdown body."""
    return "---\n" + dump_yaml(dict(front_matter), flow_lists=True) + "---\n" + (body.strip() + "\n" if body.strip() else "")


def write_new_files(root: Path, files: Mapping[str, str], force: bool) -> tuple[list[str], list[Diagnostic]]:
    """Write `files` (site-relative POSIX path -> text) under `root`, all or none.

    Without `force`, any file that exists already is an error and nothing at all is written, so a
    second import never mixes with edits made since the first.
    """
    existing = [path for path in files if (root / path).exists()]
    if existing and not force:
        return [], [error(path, None, "exists already (use --force to replace it)")
                    for path in existing]
    written = []
    for path, text in files.items():
        try:
            write_atomically(root / path, text.encode("utf-8"))
        except OSError as exc:
            return written, [error(path, None, f"cannot be written ({exc.strerror}); "
                                   f"{len(written)} files were written before it")]
        written.append(path)
    return written, []
