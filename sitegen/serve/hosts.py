"""Which Host headers the preview answers: its own names and IP addresses, never a name that
someone else's DNS could point at it (DNS rebinding)."""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[^\[\]:@/\\\s]+)(:[0-9]{0,5})?")


def preview_host_names(host: str, base_url: str | None) -> frozenset[str]:
    """The names, besides IP addresses, that a request may give in its Host header.

    localhost (and its subdomains, which browsers keep on this machine), the name the preview
    listens on, the machine's own name when it listens on every address, and --base-url's host.
    """
    names = {"localhost", host.lower().rstrip("."), (urlsplit(base_url or "").hostname or "").rstrip(".")}
    if host in ("", "0.0.0.0", "::"):
        names.add(socket.gethostname().lower().rstrip("."))
    return frozenset(name for name in names if name and not _is_ip(name))


def allowed_host(header: str | None, names: frozenset[str]) -> bool:
    """Whether a Host header names the preview: one of `names` or an IP address, with any port.

    No header at all is allowed (HTTP/1.0 has none). An IP address cannot be rebound, so, as in
    Vite and webpack-dev-server, every one is accepted: what counts is that no name that someone
    else's DNS answers for can reach the preview.
    """
    if header is None:
        return True
    found = _HOST.fullmatch(header.strip())
    if not found:
        return False
    name = found.group(1).lower()
    if name.startswith("["):
        return _is_ip(name[1:-1])
    name = name.rstrip(".")
    return name in names or name.endswith(".localhost") or _is_ip(name)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
