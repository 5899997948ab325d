"""Configuration: parameters over the environment over the defaults; errors name the setting or variable."""

from __future__ import annotations

import logging

import pytest

import loupe
from loupe import Config, LoupeConfigError


def test_environment_variables_are_parsed():
    client = loupe.Loupe(environ={
        "LOUPE_API_KEY": " sk-env ", "LOUPE_PUBLIC_KEY": "pk-env", "LOUPE_COLLECTOR_URL": "https://c.example:9443/x",
        "LOUPE_FEEDBACK_URL": "http://f:1", "LOUPE_SAMPLE_RATE": "0.25", "LOUPE_QUEUE_SIZE": "7",
        "LOUPE_BATCH_SIZE": "3", "LOUPE_MAX_BATCH_BYTES": "2048", "LOUPE_FLUSH_INTERVAL": "0.5",
        "LOUPE_TIMEOUT": "2", "LOUPE_RETRY_BUDGET": "9", "LOUPE_MAX_ATTEMPTS": "4", "LOUPE_CLOSE_TIMEOUT": "1.5",
        "LOUPE_COMPRESSION": " NONE ",
    })
    try:
        c = client.config
        assert (c.api_key, c.public_key, c.collector_url, c.feedback_url) == (
            "sk-env", "pk-env", "https://c.example:9443/x", "http://f:1")
        assert (c.sample_rate, c.queue_size, c.batch_size, c.max_batch_bytes) == (0.25, 7, 3, 2048)
        assert (c.flush_interval, c.timeout, c.retry_budget, c.max_attempts, c.close_timeout) == (0.5, 2.0, 9.0, 4, 1.5)
        assert c.compression == "none" and c.disabled is False
        assert client.enabled
    finally:
        client.close(0.1)


def test_parameters_win_over_the_environment_and_secret_key_is_a_fallback():
    client = loupe.Loupe("sk-param", environ={"LOUPE_SECRET_KEY": "sk-secret", "LOUPE_BATCH_SIZE": "3"},
                         batch_size=9)
    assert client.config.api_key == "sk-param" and client.config.batch_size == 9
    assert loupe.Loupe(environ={"LOUPE_SECRET_KEY": "sk-secret"}, disabled=True).config.api_key == "sk-secret"
    client.close(0.1)


def test_defaults():
    c = Config()
    assert (c.collector_url, c.sample_rate, c.queue_size, c.batch_size, c.compression) == (
        "http://127.0.0.1:8081", 1.0, 10_000, 500, "gzip")


@pytest.mark.parametrize("variable,value", [
    ("LOUPE_QUEUE_SIZE", "lots"), ("LOUPE_QUEUE_SIZE", "0"), ("LOUPE_QUEUE_SIZE", "1e3"),
    ("LOUPE_SAMPLE_RATE", "1.5"), ("LOUPE_SAMPLE_RATE", "nan"), ("LOUPE_FLUSH_INTERVAL", "-1"),
    ("LOUPE_TIMEOUT", "inf"), ("LOUPE_COLLECTOR_URL", "localhost:8081"), ("LOUPE_COMPRESSION", "brotli"),
    ("LOUPE_MAX_ATTEMPTS", "two"),
])
def test_a_malformed_variable_raises_naming_it(variable, value):
    with pytest.raises(LoupeConfigError) as raised:
        loupe.Loupe("sk", environ={variable: value})
    assert raised.value.setting == variable
    assert str(raised.value).startswith(variable)
    assert isinstance(raised.value, ValueError)


def test_a_malformed_variable_is_named_when_read_from_os_environ(monkeypatch):
    monkeypatch.setenv("LOUPE_BATCH_SIZE", "0")
    with pytest.raises(LoupeConfigError) as raised:
        loupe.Loupe("sk")
    assert raised.value.setting == "LOUPE_BATCH_SIZE"


@pytest.mark.parametrize("setting,value", [
    ("queue_size", 0), ("sample_rate", -0.1), ("collector_url", "ftp://x"), ("flush_interval", 0),
    ("no_such_setting", 1),
])
def test_a_malformed_parameter_raises_naming_it(setting, value):
    with pytest.raises(LoupeConfigError) as raised:
        loupe.Loupe("sk", environ={}, **{setting: value})
    assert raised.value.setting == setting


def test_disabled_sends_nothing_and_every_call_works(collector):
    client = loupe.Loupe("sk", environ={"LOUPE_DISABLED": "1"}, collector_url=collector.url,
                         feedback_url=collector.url, public_key="pk", flush_interval=0.05)
    assert not client.enabled
    with client.trace("t") as t:
        with client.llm_call(model="m") as call:
            call.usage(1, 2)
            loupe.record_openai({"model": "m", "choices": []}, call)
    assert t.trace_id and loupe.current_span() is None
    decision = client.log_ai_decision(input="x")
    assert decision
    assert client.capture_feedback(decision, "CORRECT") is None
    assert client.flush(0.1) and client.close(0.1)
    assert collector.requests == []
    assert client.stats()["enqueued"] == 0


def test_no_api_key_sends_nothing_and_warns(collector, caplog):
    client = loupe.Loupe(environ={}, collector_url=collector.url, flush_interval=0.05)
    assert any("no ingest key" in r.getMessage() for r in caplog.records)
    with client.trace("t"):
        pass
    client.log_ai_decision(input="x")
    client.flush(0.3)
    assert collector.requests == [] and not client.enabled


def test_configure_sets_the_default_client_and_closes_the_previous(collector):
    first = loupe.configure("sk-1", environ={}, collector_url=collector.url)
    assert loupe.get_client() is first
    second = loupe.configure("sk-2", environ={}, collector_url=collector.url)
    assert loupe.get_client() is second
    with first.trace("after close"):
        pass
    assert first.stats()["dropped"] == 1  # closed: later spans are dropped
    with pytest.raises(LoupeConfigError):
        loupe.configure("sk", environ={}, queue_size=-1)
    assert loupe.get_client() is second


def test_get_client_reads_the_environment(monkeypatch, collector):
    monkeypatch.setenv("LOUPE_API_KEY", "sk-from-env")
    monkeypatch.setenv("LOUPE_COLLECTOR_URL", collector.url)
    monkeypatch.setenv("LOUPE_FLUSH_INTERVAL", "0.05")
    with loupe.trace("env"):
        pass
    assert loupe.flush(3)
    assert collector.requests[0].headers["authorization"] == "Bearer sk-from-env"


def test_get_client_with_a_malformed_environment_is_disabled_and_logs(monkeypatch, caplog):
    monkeypatch.setenv("LOUPE_API_KEY", "sk")
    monkeypatch.setenv("LOUPE_QUEUE_SIZE", "many")
    client = loupe.get_client()
    assert not client.enabled and client.config.disabled
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "LOUPE_QUEUE_SIZE" in errors[0].getMessage()
    with loupe.llm_call(model="m"):  # the module-level calls keep working
        pass
    assert loupe.log_ai_decision(input="x")
    assert loupe.flush() is True


def test_a_module_level_decorator_applied_before_configure_uses_the_configured_client(collector):
    # applied at import time, as apps do, before the app configures Loupe
    @loupe.tool("lookup_order")
    def lookup_order(order_id):
        return {"status": "shipped"}

    @loupe.llm_call(feature="support", model="gpt-4o", provider="openai")
    def answer(question):
        return "It shipped."

    loupe.configure("sk-late", environ={}, collector_url=collector.url, flush_interval=0.05)
    assert lookup_order("42") == {"status": "shipped"}
    assert answer("where is it?") == "It shipped."
    assert loupe.flush(3)
    spans = {s["kind"]: s for s in collector.items()}
    assert collector.requests[0].headers["authorization"] == "Bearer sk-late"
    assert spans["TOOL"]["toolArguments"] == '{"order_id": "42"}'
    assert spans["LLM"]["completion"] == "It shipped." and spans["LLM"]["feature"] == "support"
