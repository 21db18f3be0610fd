"""Read a source file as text: UTF-8, a byte-order mark dropped, line ends made '\\n'."""

from __future__ import annotations

from pathlib import Path

from sitegen.diagnostics import Diagnostic, error


def decode_text(data: bytes, display_path: str) -> tuple[str | None, list[Diagnostic]]:
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [error(display_path, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")]
    if "\r" in content:
        content = content.replace("\r\n", "\n").replace("\r", "\n")
    return content, []


def read_text(path: Path, display_path: str) -> tuple[str | None, list[Diagnostic]]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, [error(display_path, None, "file not found")]
    except OSError as exc:
        return None, [error(display_path, None, f"cannot be read ({exc.strerror})")]
    return decode_text(data, display_path)
