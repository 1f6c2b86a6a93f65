"""Binding and serving the dashboard (uvicorn), on the loopback interface unless told
otherwise: what it shows is readable by anyone who can reach the address."""
from __future__ import annotations

import ipaddress
import socket
import sys

from nasdsl.dashboard.app import application
from nasdsl.dashboard.catalog import Catalog

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050


def loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (port 0: one the system picks). OSError when it cannot bind."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(64)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def serve(catalog: Catalog, sock: socket.socket) -> None:
    """Serve until interrupted, printing the address first (a test reads it)."""
    import uvicorn

    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    if not loopback(host):
        print(f"warning: the dashboard listens on {host}, not only on this machine: anyone "
              "who can reach it can read these experiments", file=sys.stderr)
    print(f"dashboard at http://{shown}:{port}/ (Ctrl-C stops it)", flush=True)
    config = uvicorn.Config(application(catalog), log_level="warning", access_log=False,
                            lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "bind", "loopback", "serve"]
