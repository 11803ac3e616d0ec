"""Whether a Redis server answers, for the tests that need a real one."""

import socket
from urllib.parse import urlsplit


def redis_answers(url: str) -> bool:
    """True when the Redis server at ``url`` answers PING within a second."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False
