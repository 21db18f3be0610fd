"""Parse YAML into plain values that remember the file line of each key and item.

Mappings come back as `LineDict` and sequences as `LineList`: ordinary dicts and lists with the
1-based file line of each entry, so later checks can say `FILE:LINE: what is wrong`. The
front-matter offset is added here, once, so no caller has to think about it.

Scalars follow YAML 1.2's core schema rather than PyYAML's YAML 1.1 default: only true/false are
booleans (a handle "no" or a country code "NO" stays text) and dates stay text, so that sitegen
reads them itself in the site's timezone and can say precisely what is wrong with one.
"""

from __future__ import annotations

import re

import yaml

from sitegen.diagnostics import Diagnostic, error

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when it is built


class LineDict(dict):
    """A mapping from YAML with `line` (where it starts) and `key_lines` (where each key is)."""

    __slots__ = ("line", "key_lines")

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence from YAML with `line` (where it starts) and `item_lines` (where each item is)."""

    __slots__ = ("line", "item_lines")

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class DuplicateKeyError(yaml.MarkedYAMLError):
    pass


class WrittenInt(int):
    """A whole number that remembers how it was written, for a field that wants text ("007")."""


class WrittenFloat(float):
    """A number with a point that remembers how it was written ("1e3", ".inf")."""


class _Loader(_BaseLoader):
    line_offset = 0

    def construct_object(self, node, deep=False):
        # An alias (*name) would hand out one value many times; nested, a few lines become
        # gigabytes. The format needs none, so they are refused.
        if node in self.constructed_objects or node in self.recursive_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "aliases (*name) are not supported: write the value out", node.start_mark)
        return super().construct_object(node, deep)


# YAML 1.2 core schema: the implicit types are null, bool, int and float, nothing else.
_Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
):
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), _first)


def _construct_int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        number = WrittenInt(int(text[2:], 8))
    elif text.startswith("0x"):
        number = WrittenInt(int(text[2:], 16))
    else:
        number = WrittenInt(int(text))
    number.written = text
    return number


def _construct_float(loader, node):
    text = loader.construct_scalar(node)
    number = WrittenFloat(loader.construct_yaml_float(node))
    number.written = text
    return number


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1 + loader.line_offset
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be plain text, not a list or mapping", key_node.start_mark
            )
        if key in mapping.key_lines:
            raise DuplicateKeyError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1 + loader.line_offset
    return mapping


def _construct_sequence(loader, node):
    sequence = LineList(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1 + loader.line_offset
    sequence.item_lines = [child.start_mark.line + 1 + loader.line_offset for child in node.value]
    return sequence


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)


def parse_yaml(text: str, path: str, first_line: int = 1) -> tuple[object, list[Diagnostic]]:
    """Parse one YAML document. `first_line` is the file line on which `text` starts."""
    loader = _Loader(text)
    loader.line_offset = first_line - 1
    try:
        return loader.get_single_data(), []
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_error(exc, text, path, loader.line_offset)]
    except yaml.YAMLError as exc:
        return None, [error(path, None, f"YAML: {exc}")]
    except RecursionError:
        return None, [error(path, None, "YAML: nested too deeply (write long reply chains in the flat form, "
                                        "each reply naming its parent:)")]
    finally:
        loader.dispose()


_OPENED = {
    "while scanning a quoted scalar": "a quote opened on this line is not closed: end the text with the quote it "
                                      "starts with (\" or '), or write it without quotes",
    "while parsing a flow sequence": "a list opened with [ on this line is not closed with ]",
    "while parsing a flow mapping": "a mapping opened with { on this line is not closed with }",
}
"""PyYAML's context for an error found far from its cause: the line where what is unclosed opened."""
_QUOTE_OPENED = re.compile(r"""^\s*(?:-\s+)?(?:[^\s:#'"][^:#]*:\s+)?(["'])""")
"""A line whose value starts with a quote: `title: "…`, `- '…`."""
_COLON = "a value with ': ' in it needs quotes, or this line is indented more than the key above it"
_TAB = "a tab: indent with spaces"
_HINTS = {  # as libyaml, and as PyYAML's own parser, word them
    "mapping values are not allowed in this context": _COLON, "mapping values are not allowed here": _COLON,
    "found a tab character that violates indentation": _TAB, "found character '\\t' that cannot start any token": _TAB,
}


def _quote_left_open(lines: list[str], first: int, last: int) -> int | None:
    """The line (from 0) between FIRST and LAST where a quote opens that the text never closes
    where it should: the text up to that line ends inside the quote, and with the quote closed at
    the line's end, the whole text reads. None when no line is so."""
    for number in range(first, min(last, len(lines) - 1) + 1):
        quote = _QUOTE_OPENED.match(lines[number])
        if not quote:
            continue
        try:
            yaml.safe_load("\n".join(lines[:number + 1]))
            continue
        except yaml.MarkedYAMLError as unclosed:
            if unclosed.context != "while scanning a quoted scalar" or unclosed.context_mark.line != number:
                continue
        closed = [*lines[:number], lines[number] + quote.group(1), *lines[number + 1:]]
        try:
            yaml.safe_load("\n".join(closed))
        except yaml.YAMLError:
            continue
        return number
    return None


def _yaml_error(exc: yaml.MarkedYAMLError, text: str, path: str, offset: int) -> Diagnostic:
    """A YAML error where its cause is, in plain words: the line a quote or bracket opened on
    (PyYAML's context mark), with where PyYAML noticed it; else the line PyYAML names."""
    problem_line = exc.problem_mark.line + 1 + offset if exc.problem_mark else None
    opened = _OPENED.get(exc.context or "")
    if opened and exc.context_mark is not None:
        context_line = exc.context_mark.line + 1 + offset
        found = f"{exc.problem}, line {problem_line}" if problem_line != context_line else exc.problem
        return error(path, context_line, f"YAML: {opened} ({found})")
    problem = exc.problem or exc.context or "not valid YAML"
    if exc.context_mark is not None and exc.problem_mark is not None and "block" in (exc.context or ""):
        # A quoted value left open runs on until the next quote, lines later, where the block then
        # breaks: name the line it opened on, when closing it there makes the whole text read.
        opened_on = _quote_left_open(text.splitlines(), exc.context_mark.line, exc.problem_mark.line)
        if opened_on is not None:
            return error(path, opened_on + 1 + offset, f"YAML: {_OPENED['while scanning a quoted scalar']} "
                                                       f"({problem}, line {problem_line})")
    hint = _HINTS.get(problem)
    return error(path, problem_line, f"YAML: {hint} ({problem})" if hint else f"YAML: {problem}")
