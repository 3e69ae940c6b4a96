"""`ordercore serve` takes its port before anything else: a busy port fails at once with a clear
message and exit code 1, before the database is touched and before "listening" is printed.
The bound sockets are then handed to uvicorn, so nothing can take the port in between."""

from __future__ import annotations

import contextlib
import errno
import socket


class PortUnavailable(Exception):
    """The address cannot be bound; the message says what to do."""


def bind(host: str, port: int) -> list[socket.socket]:
    """Bound (not yet listening) TCP sockets for every address `host` names, as asyncio's
    create_server would bind them."""
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        raise PortUnavailable(f"cannot listen on {host}:{port}: unknown host ({exc.strerror})") from exc
    sockets: list[socket.socket] = []
    seen: set[tuple[int, object]] = set()
    try:
        for family, kind, proto, _, address in infos:
            if (family, address) in seen:
                continue
            seen.add((family, address))
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            # As uvicorn and asyncio do: a port in TIME_WAIT may be reused, one that a process
            # listens on may not (Linux refuses it with EADDRINUSE either way).
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6 and hasattr(socket, "IPPROTO_IPV6"):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                raise PortUnavailable(_explain(host, port, exc)) from exc
    except BaseException:
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.close()
        raise
    return sockets


def _explain(host: str, port: int, exc: OSError) -> str:
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"cannot listen on {where}: the port is already in use (another ordercore, or another "
            f"program, listens there); stop it or choose another port with --port "
            f"(or ORDERCORE_PORT)"
        )
    if exc.errno == errno.EACCES:
        return f"cannot listen on {where}: permission denied (ports below 1024 need privileges); use --port"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {where}: this machine has no such address; check --host (or ORDERCORE_HOST)"
    return f"cannot listen on {where}: {exc.strerror or exc}"
