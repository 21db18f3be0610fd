"""Live reload: what open pages are told after each build, and the script that listens.

Only pages served by the preview carry the script (added here, on the way out); the built output
never does. The news is the same JSON twice: inline in each HTML response, so a page knows its
epoch and pending errors from the first paint, and as Server-Sent Events after each build.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from urllib.parse import quote

from sitegen.serve.session import PreviewState

EVENTS_PATH = "/__sitegen/events"
CLIENT_PATH = "/__sitegen/client.js"
ANNOTATE_PATH = "/__sitegen/annotate.js"
NOTES_PATH = "/__sitegen/notes"
"""Where the pages post the notes written on them (serve/annotating.py)."""
SCRIPTS = {CLIENT_PATH: "client.js", ANNOTATE_PATH: "annotate.js"}
RETRY_MILLISECONDS = 500
"""How soon a page reconnects after the server went away (a restart of `sitegen serve`)."""


def news(state: PreviewState) -> dict:
    return {
        "epoch": state.epoch,
        "change": state.change,
        "css_from": state.css_from,
        "css": [quote(state.base_path + path) for path in state.css_paths],
        "errors": [{"path": d.path, "line": d.line, "message": d.message, "text": str(d)} for d in state.errors],
        "traceback": state.traceback,
    }


def event_message(state: PreviewState) -> bytes:
    """One Server-Sent Event, named after what the build did ('reload', 'css', 'errors', ...)."""
    data = json.dumps(news(state), ensure_ascii=True)
    return f"event: {state.change}\ndata: {data}\n\n".encode("ascii")


def stream_opening() -> bytes:
    return f"retry: {RETRY_MILLISECONDS}\n\n".encode("ascii")


KEEP_ALIVE = b": still here\n\n"
"""A comment line: proves the connection is alive, and finds out when the page has gone."""


def _script_json(value) -> str:
    # Escaping '<', '>' and '&' keeps '</script>' and '<!--' in messages (which quote user
    # content) from ending the JSON block early.
    return (json.dumps(value, ensure_ascii=True)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def inject_client(html: bytes, state: PreviewState, key: str | None = None, secret: str | None = None) -> bytes:
    """The page with the state and the client script added before its last </body>; with the
    `secret` (where the preview writes notes), also the note-writing script, and what it needs:
    the secret, where to post, and whether the page (output path `key`) is an article's."""
    tail = (f'<script type="application/json" id="sitegen-live-state">{_script_json(news(state))}</script>\n'
            f'<script src="{CLIENT_PATH}"></script>\n')
    if secret is not None:
        notes = {"secret": secret, "endpoint": NOTES_PATH, "article": key in state.article_pages}
        tail += (f'<script type="application/json" id="sitegen-notes">{_script_json(notes)}</script>\n'
                 f'<script src="{ANNOTATE_PATH}"></script>\n')
    tail = tail.encode("ascii")
    at = html.lower().rfind(b"</body")
    if at == -1:
        return html + tail
    return html[:at] + tail + html[at:]


@lru_cache(maxsize=None)
def client_script(path: str = CLIENT_PATH) -> bytes:
    return resources.files("sitegen.serve").joinpath(SCRIPTS[path]).read_bytes()
