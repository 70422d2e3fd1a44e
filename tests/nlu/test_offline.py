"""Nothing is downloaded at run time: `klachtbot classify` works with the network cut.

Where the test may make a network namespace (`unshare -n`, as root) the command runs in one
with no interface but loopback, down; elsewhere a socket guard refuses every connection made
from the process. Either way a download attempt would fail the command.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import require_service

# Loaded through PYTHONPATH by the interpreter before anything else: any attempt to open a
# network connection from the process raises.
GUARD = """
import socket

def _refuse(*args, **kwargs):
    raise OSError("network access during classify")

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
"""


def _network_cut_command() -> list[str] | None:
    unshare = shutil.which("unshare")
    if unshare is None or os.geteuid() != 0:
        return None
    probe = subprocess.run([unshare, "-n", "true"], capture_output=True)
    return [unshare, "-n"] if probe.returncode == 0 else None


@pytest.mark.parametrize("cut", ["namespace", "socket guard"])
def test_classify_needs_no_network(tmp_path: Path, cut: str) -> None:
    prefix: list[str] = []
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    if cut == "namespace":
        command = _network_cut_command()
        # Missing on a laptop: skipped; in CI (root, Debian's unshare) it must run.
        require_service(command is not None, "no network namespace here (needs root and unshare)")
        assert command is not None
        prefix = command
    else:
        (tmp_path / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
        env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env.get("PYTHONPATH", "")])
        # The guard is in force: a connection attempt fails in a process started this way.
        tried = subprocess.run(
            [sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9))"],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        assert "network access during classify" in tried.stderr
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"text": "Ik ruik gas in de keuken, Kerkstraat 12, 1234 AB Utrecht"}) + "\n"
        + json.dumps({"text": "My parcel never arrived, order 55-1120. Very disappointed."})
        + "\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "bot", "classify", "--jsonl", str(source)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert (first["intent"], first["emergency_kind"]) == ("emergency", "gas")
    assert first["slots"]["postcodes"] == ["1234 AB"]
    assert second["intent"] == "complaint"
    assert second["slots"]["order_numbers"] == ["55-1120"]
