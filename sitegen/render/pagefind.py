"""Index search documents with Pagefind (https://pagefind.app), the static search index that
Hugo and Eleventy sites use: the browser fetches only the pieces of the index a query needs.

We run the `pagefind` binary that sitegen's requirements bring (pagefind-bin-extended), found by
the `pagefind` package's own `get_executable`, in its `--service` mode, and speak its protocol (base64 JSON
messages, each followed by a comma) here rather than through the package's asyncio wrapper,
which in 1.5.2 sleeps a tenth of a second before reading each reply (Pagefind/pagefind#976:
ten thousand documents would take seventeen minutes), hangs for good when the binary dies, and
cannot read a reply over 2 MiB (docs/research/pagefind.md).

Pagefind writes its filter files in the order of a randomly seeded hash map, so `canonical`
sorts them and names them afresh: the same documents give the same bytes.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import subprocess
import threading
from functools import lru_cache
from typing import Iterable

import cbor2

from sitegen.render.search import SearchDocument

RUNTIME = ("pagefind.js", "pagefind-worker.js")
"""What the search page loads besides the index: Pagefind's script and its worker (and its
WebAssembly, wasm.LANGUAGE.pagefind). Pagefind's ready-made interfaces are not published."""
_INDEX_PARTS = ("index/", "fragment/", "filter/")
_ENCODED_PREFIX = b"pagefind_dcd"
_SETTINGS = {"PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE": "5000"}
"""Index files of about 5,000 word places (Pagefind's default: 20,000): a query fetches one from
each shard, so smaller ones cut what a first query fetches by a third (docs/speed.md). Pagefind
calls this setting unstable; were it dropped, only the files' sizes would change."""
_BATCH = 200
"""Documents sent before their replies are read: the service queues its replies, so this only
bounds how much waits in the pipes."""


SUPPORTED = "1.5."


class SearchUnavailable(Exception):
    """Pagefind cannot run here, or failed; the message says why, for one warning."""


@lru_cache(maxsize=1)
def probe_pagefind() -> tuple[str | None, str]:
    """("1.5.2", "") when the Pagefind binary runs on this machine, else (None, why not). Asked
    once per process."""
    try:
        return _run_version(), ""
    except SearchUnavailable as exc:
        return None, str(exc)


def _binary() -> str:
    try:
        from pagefind.service import get_executable
        found = get_executable()
    except (ImportError, OSError) as exc:
        raise SearchUnavailable(f"the Pagefind binary is not installed ({exc})") from None
    if found is None:
        raise SearchUnavailable("the Pagefind binary is not installed (pip install 'pagefind[extended]')")
    return str(found)


def _run_version() -> str:
    binary = _binary()
    try:
        done = subprocess.run([binary, "--version"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchUnavailable(f"the Pagefind binary ({binary}) cannot run here: {exc}") from None
    words = done.stdout.decode("utf-8", "replace").split()
    if done.returncode != 0 or len(words) < 2:
        raise SearchUnavailable(f"the Pagefind binary ({binary}) cannot run here "
                                f"(exit {done.returncode}: {done.stderr.decode('utf-8', 'replace').strip()[:200]})")
    if not words[-1].startswith(SUPPORTED):  # its service's messages and its files' layout are 1.5's
        raise SearchUnavailable(f"the Pagefind binary ({binary}) is version {words[-1]}; sitegen needs {SUPPORTED}x")
    return words[-1]


class _Service:
    """One `pagefind --service` process, used from one thread."""

    def __init__(self):
        binary = _binary()
        try:
            self.process = subprocess.Popen([binary, "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, env={**os.environ, **_SETTINGS})
        except OSError as exc:
            raise SearchUnavailable(f"the Pagefind binary ({binary}) cannot run here: {exc}") from None
        self.errors: list[bytes] = []
        threading.Thread(target=self._drain_errors, daemon=True).start()
        self.next_id = 0
        self.pending = b""

    def _drain_errors(self) -> None:
        for line in self.process.stderr:
            self.errors.append(line)

    def send(self, payload: dict) -> None:
        message = {"message_id": self.next_id, "payload": payload}
        self.next_id += 1
        try:
            self.process.stdin.write(base64.b64encode(json.dumps(message).encode()) + b",")
        except OSError:
            raise self._died() from None

    def receive(self) -> dict:
        while b"," not in self.pending:
            try:
                self.process.stdin.flush()
            except OSError:
                raise self._died() from None
            chunk = os.read(self.process.stdout.fileno(), 1 << 20)
            if not chunk:
                raise self._died()
            self.pending += chunk
        message, _, self.pending = self.pending.partition(b",")
        payload = json.loads(base64.b64decode(message))["payload"]
        if payload.get("type") == "Error":
            raise SearchUnavailable(f"Pagefind failed: {payload.get('message')}")
        return payload

    def call(self, payload: dict) -> dict:
        self.send(payload)
        return self.receive()

    def _died(self) -> SearchUnavailable:
        self.process.wait()
        said = b"".join(self.errors).decode("utf-8", "replace").strip()[-300:]
        return SearchUnavailable(f"Pagefind stopped (exit {self.process.returncode}){': ' + said if said else ''}")

    def close(self) -> None:
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def index_documents(documents: Iterable[SearchDocument], with_runtime: bool) -> dict[str, bytes]:
    """Pagefind's index of `documents` (added in the order given): relative path -> bytes, the
    files the search page's script fetches, in canonical form; with its script and WebAssembly
    when `with_runtime`."""
    try:
        return _index_documents(documents, with_runtime)
    except (ValueError, KeyError, IndexError, TypeError, EOFError, cbor2.CBORError) as exc:
        # A reply or a file not in the form Pagefind 1.5 gives them.
        raise SearchUnavailable(f"Pagefind gave what sitegen cannot read ({type(exc).__name__}: {exc})") from None


def _index_documents(documents: Iterable[SearchDocument], with_runtime: bool) -> dict[str, bytes]:
    service = _Service()
    try:
        # The notes beside the passages they annotate are in the article's body too; the document
        # has them once, under their own headings (render/search.py).
        index = service.call({"type": "NewIndex", "config": {"exclude_selectors": ["aside.note"]}})["index_id"]
        batch = 0
        for document in documents:
            service.send({"type": "AddFile", "index_id": index, "url": "/" + document.url_path,
                          "file_contents": document.html})
            batch += 1
            if batch == _BATCH:
                for _ in range(batch):
                    service.receive()
                batch = 0
        for _ in range(batch):
            service.receive()
        files = service.call({"type": "GetFiles", "index_id": index})["files"]
    finally:
        service.close()
    files = {file["path"]: file["content"] for file in files}
    runtime = set(RUNTIME) if with_runtime else set()
    if with_runtime:  # the WebAssembly of each language the index has (with its stemmer, if any)
        languages = json.loads(base64.b64decode(files["pagefind-entry.json"]))["languages"].values()
        runtime |= {f"wasm.{about['wasm'] or 'unknown'}.pagefind" for about in languages}
    return canonical({path: base64.b64decode(content) for path, content in files.items()
                      if path.startswith(_INDEX_PARTS) or path.endswith(".pf_meta") or path == "pagefind-entry.json"
                      or path in runtime})


def _unpacked(data: bytes) -> bytes:
    raw = gzip.decompress(data)
    if not raw.startswith(_ENCODED_PREFIX):
        raise ValueError("not a Pagefind index file")
    return raw[len(_ENCODED_PREFIX):]


def decode(data: bytes):
    """The value in one of Pagefind's index files (gzip, a marker, CBOR)."""
    return cbor2.loads(_unpacked(data))


def decode_fragment(data: bytes) -> dict:
    """One document as the index keeps it: url, content, filters, meta, anchors (gzip, a marker, JSON)."""
    return json.loads(_unpacked(data))


def _encode(value) -> bytes:
    return gzip.compress(_ENCODED_PREFIX + cbor2.dumps(value), mtime=0)


def _name(language: str, data: bytes, digits: int) -> str:
    return f"{language}_{hashlib.sha256(data).hexdigest()[:digits]}"


def canonical(files: dict[str, bytes]) -> dict[str, bytes]:
    """The same index with its filter files' values sorted, and those files and the metadata file
    named by their new bytes: byte-identical for the same documents (Pagefind's own order comes
    from a randomly seeded hash map)."""
    entry = json.loads(files["pagefind-entry.json"])
    out = {path: data for path, data in files.items()
           if not path.startswith("filter/") and not path.endswith(".pf_meta") and path != "pagefind-entry.json"}
    for language, about in sorted(entry["languages"].items()):
        meta = decode(files[f"pagefind.{about['hash']}.pf_meta"])
        renamed = []
        for name, old_hash in meta[3]:
            key, values = decode(files[f"filter/{old_hash}.pf_filter"])
            data = _encode([key, sorted(values)])
            new_hash = _name(language, data, 12)
            out[f"filter/{new_hash}.pf_filter"] = data
            renamed.append([name, new_hash])
        meta[3] = sorted(renamed)
        data = _encode(meta)
        about["hash"] = _name(language, data, 12)
        out[f"pagefind.{about['hash']}.pf_meta"] = data
    out["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False, sort_keys=True).encode()
    return dict(sorted(out.items()))
