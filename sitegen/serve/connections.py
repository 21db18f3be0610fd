"""The preview's connections: a whole request within a deadline, and a closed peer noticed at once."""

from __future__ import annotations

import io
import select
import socket
import time


class RequestReader(io.RawIOBase):
    """A connection's reading side that, while `deadline` is set, gives up then with TimeoutError.

    A socket timeout alone bounds each wait, so a client sending a byte now and then could hold
    its thread for hours; the deadline bounds the whole request.
    """

    def __init__(self, connection: socket.socket):
        self.connection = connection
        self.deadline: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no whole request in time")
            self.connection.settimeout(left)
        return self.connection.recv_into(buffer)


def peer_gone(connection: socket.socket) -> bool:
    """Whether the client has closed or reset its end: readable, with nothing to read.

    Anything else a client sends on an event stream is read and dropped.
    """
    try:
        if hasattr(select, "poll"):  # select.select cannot watch a descriptor above FD_SETSIZE
            poller = select.poll()
            poller.register(connection, select.POLLIN)
            readable = bool(poller.poll(0))
        else:
            readable = bool(select.select([connection], [], [], 0)[0])
        return readable and connection.recv(4096) == b""
    except OSError:
        return True
