"""Real HTTP servers on 127.0.0.1 (a port the OS picks) that misbehave on purpose: one that
stalls mid-body, one that only counts who connects. Each is stopped by the test that starts it."""
from __future__ import annotations

import http.server
import socket
import threading


class StallingServer:
    """Answers every GET with a `Content-Length` of `length`, sends `sent` bytes, then sends
    nothing more until it is closed."""

    def __init__(self, length: int = 1 << 20, sent: int = 1000):
        self.release = threading.Event()
        self.requests = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                owner.requests += 1
                self.send_response(200)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(b"x" * sent)
                self.wfile.flush()
                owner.release.wait(60)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class CountingServer:
    """Accepts connections and counts them; never answers (a client that connects waits)."""

    def __init__(self):
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self.stop = threading.Event()
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            self.accepted.append(conn)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.setblocking(False)
        while True:  # connections still waiting in the backlog count too
            try:
                self.accepted.append(self.sock.accept()[0])
            except OSError:
                break
            self.connections += 1
        for conn in self.accepted:
            conn.close()
        self.sock.close()
