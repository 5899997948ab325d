"""Settings: parameters of ``Loupe(...)``, else the environment, else the defaults below."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields, replace
from typing import Any, Callable, Mapping, Optional
from urllib.parse import urlsplit

from .errors import LoupeConfigError

DEFAULT_COLLECTOR_URL = "http://127.0.0.1:8081"
DEFAULT_FEEDBACK_URL = "http://127.0.0.1:8084"


@dataclass(frozen=True)
class Config:
    """Every setting, with its environment variable and default (the README's Configuration table)."""

    api_key: Optional[str] = None  # LOUPE_API_KEY (else LOUPE_SECRET_KEY): a key with the ingest scope
    public_key: Optional[str] = None  # LOUPE_PUBLIC_KEY: the browser-safe feedback key
    collector_url: str = DEFAULT_COLLECTOR_URL  # LOUPE_COLLECTOR_URL
    feedback_url: str = DEFAULT_FEEDBACK_URL  # LOUPE_FEEDBACK_URL
    sample_rate: float = 1.0  # LOUPE_SAMPLE_RATE: share of traces whose spans are sent (0..1)
    queue_size: int = 10_000  # LOUPE_QUEUE_SIZE: spans and decisions waiting; beyond it they are dropped
    batch_size: int = 500  # LOUPE_BATCH_SIZE: items per request (the collector takes up to 1,000)
    max_batch_bytes: int = 4 * 1024 * 1024  # LOUPE_MAX_BATCH_BYTES: a larger batch is split (collector: 5 MiB)
    flush_interval: float = 1.0  # LOUPE_FLUSH_INTERVAL: seconds an item waits at most for its batch to fill
    timeout: float = 10.0  # LOUPE_TIMEOUT: seconds per HTTP request (connect and answer)
    retry_budget: float = 120.0  # LOUPE_RETRY_BUDGET: seconds a batch is retried before it is given up
    max_attempts: int = 20  # LOUPE_MAX_ATTEMPTS: attempts per batch, the first included
    backoff_initial: float = 0.5  # seconds; doubled per attempt up to backoff_max, with jitter
    backoff_max: float = 10.0
    close_timeout: float = 5.0  # LOUPE_CLOSE_TIMEOUT: seconds close() (and the exit hook) waits for the queue
    feedback_attempts: int = 3  # attempts of capture_feedback, safe through its idempotency key
    compression: str = "gzip"  # LOUPE_COMPRESSION: gzip or none (bodies under 1 KiB are sent plain)
    disabled: bool = False  # LOUPE_DISABLED=1: nothing is sent, every call still works

    def validate(self) -> "Config":
        def need(ok: bool, setting: str, message: str) -> None:
            if not ok:
                raise LoupeConfigError(setting, message)

        for name in ("collector_url", "feedback_url"):
            url = getattr(self, name)
            parts = urlsplit(url) if isinstance(url, str) else None
            need(
                parts is not None and parts.scheme in ("http", "https") and bool(parts.hostname),
                name,
                f"must be an http(s) URL, was {url!r}",
            )
        need(0.0 <= self.sample_rate <= 1.0, "sample_rate", f"must be between 0 and 1, was {self.sample_rate}")
        for name in ("queue_size", "batch_size", "max_batch_bytes", "max_attempts", "feedback_attempts"):
            need(getattr(self, name) >= 1, name, f"must be at least 1, was {getattr(self, name)}")
        for name in ("flush_interval", "timeout", "retry_budget", "backoff_initial", "backoff_max", "close_timeout"):
            value = getattr(self, name)
            need(math.isfinite(value) and value > 0, name, f"must be a positive number of seconds, was {value}")
        need(self.compression in ("gzip", "none"), "compression", f"must be gzip or none, was {self.compression!r}")
        return self

    def with_overrides(self, **overrides: Any) -> "Config":
        known = {f.name for f in fields(self)}
        for name in overrides:
            if name not in known:
                raise LoupeConfigError(name, "is not a setting of Loupe(...)")
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, **given)


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")




_ENVIRONMENT: Mapping[str, tuple] = {
    "LOUPE_COLLECTOR_URL": ("collector_url", str.strip),
    "LOUPE_FEEDBACK_URL": ("feedback_url", str.strip),
    "LOUPE_PUBLIC_KEY": ("public_key", str.strip),
    "LOUPE_SAMPLE_RATE": ("sample_rate", float),
    "LOUPE_QUEUE_SIZE": ("queue_size", int),
    "LOUPE_BATCH_SIZE": ("batch_size", int),
    "LOUPE_MAX_BATCH_BYTES": ("max_batch_bytes", int),
    "LOUPE_FLUSH_INTERVAL": ("flush_interval", float),
    "LOUPE_TIMEOUT": ("timeout", float),
    "LOUPE_RETRY_BUDGET": ("retry_budget", float),
    "LOUPE_MAX_ATTEMPTS": ("max_attempts", int),
    "LOUPE_CLOSE_TIMEOUT": ("close_timeout", float),
    "LOUPE_COMPRESSION": ("compression", lambda v: v.strip().lower()),
    "LOUPE_DISABLED": ("disabled", _flag),
}


def from_environment(environ: Optional[Mapping[str, str]] = None) -> dict:
    """The settings the environment gives, as keyword arguments of Config; a malformed value names its variable."""
    env = os.environ if environ is None else environ
    values: dict = {}
    key = env.get("LOUPE_API_KEY") or env.get("LOUPE_SECRET_KEY")
    if key and key.strip():
        values["api_key"] = key.strip()
    for variable, (name, parse) in _ENVIRONMENT.items():
        raw = env.get(variable)
        if raw is None or raw.strip() == "":
            continue
        try:
            values[name] = parse(raw)
        except ValueError:
            raise LoupeConfigError(variable, f"cannot read {raw!r}") from None
    return values


def build(environ: Optional[Mapping[str, str]] = None, **overrides: Any) -> Config:
    """The environment's settings with ``overrides`` (the parameters given) on top, checked."""
    try:
        config = Config(**from_environment(environ)).with_overrides(**overrides)
        return config.validate()
    except LoupeConfigError as e:
        # name the environment variable when the bad value came from there
        if e.setting in overrides or e.setting.startswith("LOUPE_"):
            raise
        for variable, (name, _) in _ENVIRONMENT.items():
            if name == e.setting and (environ or os.environ).get(variable):
                raise LoupeConfigError(variable, str(e).split(": ", 1)[1]) from None
        raise
