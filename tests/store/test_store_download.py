"""Download and resume against a real HTTP server on 127.0.0.1."""
from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading

import pytest

from nasdsl.errors import DataError
from nasdsl.store.download import FILES, download
from nb101_fakes import random_cells, write_official


class _Server:
    """Serves one payload; honours Range unless told not to; records the Range headers."""

    def __init__(self, payload: bytes, ranges: bool = True):
        self.payload = payload
        self.ranges_seen: list[str | None] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                rng = self.headers.get("Range")
                owner.ranges_seen.append(rng)
                body, status = owner.payload, 200
                if rng and ranges:
                    start = int(rng.removeprefix("bytes=").rstrip("-"))
                    body, status = owner.payload[start:], 206
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/nasbench_only108.tfrecord"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def payload(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("src") / "f.tfrecord"
    write_official(path, random_cells(10, seed=8), epochs=(108,), repeats=3)
    return path.read_bytes()


@pytest.fixture
def server(payload, monkeypatch):
    s = _Server(payload)
    monkeypatch.setenv("NASDSL_NB101_URL", s.url)
    yield s
    s.close()


def test_download_fetches_the_whole_file(server, payload, tmp_path):
    got = download("only108", tmp_path)
    assert got.path.read_bytes() == payload and got.resumed_from == 0
    assert server.ranges_seen == [None]
    assert not got.path.with_name(got.path.name + ".part").exists()


def test_download_resumes_a_partial_file_with_a_range_request(server, payload, tmp_path):
    part = tmp_path / "downloads" / (FILES["only108"] + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(payload[:1000])
    got = download("only108", tmp_path)
    assert server.ranges_seen == ["bytes=1000-"]
    assert got.resumed_from == 1000 and got.path.read_bytes() == payload


def test_a_server_ignoring_range_restarts_cleanly(payload, tmp_path, monkeypatch):
    s = _Server(payload, ranges=False)
    monkeypatch.setenv("NASDSL_NB101_URL", s.url)
    try:
        part = tmp_path / "downloads" / (FILES["only108"] + ".part")
        part.parent.mkdir(parents=True)
        part.write_bytes(b"garbage" * 10)
        got = download("only108", tmp_path)
    finally:
        s.close()
    assert got.resumed_from == 0 and got.path.read_bytes() == payload


def test_an_unreachable_server_is_a_data_error(tmp_path, monkeypatch):
    monkeypatch.setenv("NASDSL_NB101_URL", "http://127.0.0.1:9/none.tfrecord")
    with pytest.raises(DataError, match="cannot download"):
        download("only108", tmp_path, timeout=5)


def test_cli_download_then_imports(server, tmp_path):
    env = {**os.environ, "NASDSL_NB101_URL": server.url}
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "data", "nasbench101",
                           "--download", "--data", str(tmp_path)], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "sha256" in done.stdout and "imported 10 cells" in done.stdout
    assert (tmp_path / "nasbench101" / "meta.json").is_file()
