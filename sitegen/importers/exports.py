"""Read an export file as XML, safely: no entity expansion, no external entities or DTDs fetched.

Exports come from other people's servers, so they are parsed with `defusedxml`; a file that is
not well-formed, or that tries an entity trick, is one clear error naming the file and line.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml.ElementTree import parse

from sitegen.diagnostics import Diagnostic, error


_REFUSED = {
    "EntitiesForbidden": "entity declarations",
    "ExternalReferenceForbidden": "external references",
    "DTDForbidden": "a DTD",
}


def read_export(path: Path) -> tuple[Element | None, list[Diagnostic]]:
    """The export's root element, or None and the one reason it cannot be read."""
    shown = str(path)
    try:
        return parse(path).getroot(), []
    except FileNotFoundError:
        return None, [error(shown, None, "file not found")]
    except IsADirectoryError:
        return None, [error(shown, None, "is a folder, not an export file")]
    except OSError as exc:
        return None, [error(shown, None, f"cannot be read ({exc.strerror})")]
    except ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":")[0]
        return None, [error(shown, line, f"not well-formed XML ({reason} at column {column + 1}: "
                            "is the export complete?)")]
    except defusedxml.DefusedXmlException as exc:
        what = _REFUSED.get(type(exc).__name__, "a construct sitegen does not read")
        return None, [error(shown, None, f"refused: the XML uses {what}, which no export needs "
                            "(they can expand into gigabytes or read other files)")]


def local_name(element: Element) -> str:
    """The tag without its namespace: "{http://wordpress.org/export/1.2/}comment" -> "comment"."""
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


def namespace(element: Element) -> str:
    return element.tag[1:].partition("}")[0] if isinstance(element.tag, str) and element.tag.startswith("{") else ""


def child(element: Element, name: str, namespaces: tuple[str, ...] = ("",)) -> Element | None:
    """The first child called `name` in one of `namespaces` ("" for no namespace)."""
    for node in element:
        if local_name(node) == name and namespace(node) in namespaces:
            return node
    return None


def children(element: Element, name: str, namespaces: tuple[str, ...] = ("",)) -> list[Element]:
    return [node for node in element if local_name(node) == name and namespace(node) in namespaces]


def child_text(element: Element, name: str, namespaces: tuple[str, ...] = ("",)) -> str:
    """The text of a child (CDATA included), "" when it is absent or empty."""
    node = child(element, name, namespaces)
    return (node.text or "") if node is not None else ""
