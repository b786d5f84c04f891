"""checkov's Kubernetes checks pass on the rendered manifests of dev and prod, offline."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections import Counter
from pathlib import Path

import pytest

from offline import preview
from tests.conftest import stack_run
from tools.checkov import scan

CONFIG = Path(__file__).resolve().parent.parent / ".checkov.yaml"


class ConnectionCounter:
    """A TCP listener on 127.0.0.1 that counts the connections made to it."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def __enter__(self) -> ConnectionCounter:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.server.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """Run checkov once over the dev and prod manifests; return its report and proxy count."""
    build = tmp_path_factory.mktemp("build")
    for stack in ("dev", "prod"):
        preview.write_build(stack_run(stack), build)
    with ConnectionCounter() as proxy:
        finished = scan.run([build], proxy=proxy.url)
    assert finished.returncode in (0, 1), finished.stderr[-2000:]
    return json.loads(finished.stdout), proxy.connections


def _stacks(checks) -> Counter:
    return Counter(check["file_path"].strip("/").split("/")[0] for check in checks)


def test_no_failed_checks(report):
    results = report[0]["results"]
    failed = [f"{c['check_id']} {c['resource']}" for c in results["failed_checks"]]
    assert failed == []
    assert report[0]["summary"]["failed"] == 0


def test_no_parsing_errors(report):
    assert report[0]["summary"]["parsing_errors"] == 0


def test_both_stacks_checked(report):
    stacks = _stacks(report[0]["results"]["passed_checks"])
    assert stacks["dev"] > 100
    assert stacks["prod"] > 100


def test_only_kubernetes_checks(report):
    ids = {check["check_id"] for check in report[0]["results"]["passed_checks"]}
    assert all(re.fullmatch(r"CKV2?_K8S_\d+", check) for check in ids)
    assert "CKV2_K8S_6" in ids


def test_no_network_request(report):
    assert report[1] == 0


def test_skips_have_reasons():
    lines = CONFIG.read_text().splitlines()
    start = lines.index("skip-check:")
    for index, line in enumerate(lines[start + 1 :], start + 1):
        if line.startswith("  - "):
            assert lines[index - 1].strip().startswith("#"), line
            assert re.fullmatch(r"  - CKV2?_K8S_\d+", line), line


def test_skipped_checks_listed():
    text = CONFIG.read_text()
    skipped = re.findall(r"^  - (CKV\S+)", text, flags=re.MULTILINE)
    assert skipped == ["CKV_K8S_43", "CKV_K8S_35"]
