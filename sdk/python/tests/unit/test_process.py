"""Process life: a forked child sends its own spans with its own thread; interpreter exit sends the queue."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import free_port

SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX only)")
def test_a_forked_child_sends_its_own_spans_and_not_the_parents(collector, make_client):
    client = make_client(flush_interval=30.0, batch_size=100)
    for i in range(3):
        with client.span("OTHER", f"parent-{i}"):
            pass
    parent_thread = client._transport._thread
    assert parent_thread is not None and parent_thread.is_alive()
    assert collector.requests == []  # the parent's spans wait for their interval
    pid = os.fork()
    if pid == 0:  # the child: report through the exit status, never return into pytest
        code = 10
        try:
            assert client.stats()["queued"] == 0  # the parent's items are the parent's to send
            for i in range(2):
                with client.span("OTHER", f"child-{i}"):
                    pass
            thread = client._transport._thread
            code = 11
            assert thread is not None and thread is not parent_thread and thread.is_alive()
            code = 12
            assert client.flush(5)
            code = 13
            assert client.stats()["sent"] == 2
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    names = sorted(s["name"] for s in collector.items())
    assert names == ["child-0", "child-1"]
    assert client.flush(5)
    names = sorted(s["name"] for s in collector.items())
    assert names == ["child-0", "child-1", "parent-0", "parent-1", "parent-2"]  # each once
    assert client._transport._thread is parent_thread and parent_thread.is_alive()
    assert client.stats()["sent"] == 3


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX only)")
def test_a_client_closed_before_fork_stays_closed_in_the_child(collector, make_client):
    client = make_client()
    client.close(1)
    pid = os.fork()
    if pid == 0:
        code = 10
        try:
            with client.span("OTHER", "from-closed-child"):
                pass
            client.flush(1)
            code = 0 if client.stats()["dropped"] == 1 else 11
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert collector.requests == []


def run_python(code: str, timeout: float = 20.0) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=SRC)
    for name in list(env):
        if name.startswith("LOUPE_"):
            del env[name]
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_interpreter_exit_sends_what_is_queued(collector):
    started = time.monotonic()
    done = run_python(f"""
        import loupe
        client = loupe.Loupe("sk-exit", environ={{}}, collector_url="{collector.url}", flush_interval=30,
                             batch_size=100)
        for i in range(3):
            with client.llm_call(name=f"exit-{{i}}"):
                pass
        client.log_ai_decision("d-exit", input="q")
        print("queued", client.stats()["queued"])
    """)
    assert done.returncode == 0, done.stderr
    assert "queued 4" in done.stdout
    assert sorted(s["name"] for s in collector.items()) == ["exit-0", "exit-1", "exit-2"]
    assert [d["decisionId"] for d in collector.items("/v1/decisions")] == ["d-exit"]
    assert time.monotonic() - started < 10


def test_interpreter_exit_with_the_collector_down_waits_at_most_close_timeout():
    started = time.monotonic()
    done = run_python(f"""
        import loupe
        client = loupe.configure("sk", environ={{}}, collector_url="http://127.0.0.1:{free_port()}",
                                 close_timeout=0.5, flush_interval=0.05, backoff_initial=0.05)
        with loupe.trace("lost"):
            pass
    """)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 6
    assert "Traceback" not in done.stderr
