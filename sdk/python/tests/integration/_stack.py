"""The stack the integration tests run against: URLs and keys from the environment, and reads over urllib."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, Optional, Tuple, TypeVar

import pytest

T = TypeVar("T")

REQUIRED = (
    "LOUPE_COLLECTOR_URL",
    "LOUPE_FEEDBACK_URL",
    "LOUPE_AGGREGATOR_URL",
    "LOUPE_EVAL_URL",
    "LOUPE_API_KEY",
    "LOUPE_PUBLIC_KEY",
    "LOUPE_ADMIN_KEY",
)

HOW_TO_RUN = (
    "these tests run against a real Loupe stack; set {missing} (the services' URLs; LOUPE_API_KEY a secret key "
    "with ingest and read, LOUPE_PUBLIC_KEY the project's public key, LOUPE_ADMIN_KEY its admin key). "
    "The e2e module runs them so: ./mvnw -B -pl e2e -am verify -Dit.test=PythonSdkIT "
    "-Dfailsafe.failIfNoSpecifiedTests=false -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -DskipITs=false "
    "(e2e's PythonSdkIT); or against bin/loupe up's stack: set -a; . .loupe/stack.env; . .loupe/secrets.env; set +a"
)

# how long a read waits for what was sent to be stored, evaluated or counted
DEADLINE_SECONDS = float(os.environ.get("LOUPE_IT_DEADLINE", "60"))


class Stack:
    def __init__(self, env: Dict[str, str]) -> None:
        self.collector = env["LOUPE_COLLECTOR_URL"].rstrip("/")
        self.feedback = env["LOUPE_FEEDBACK_URL"].rstrip("/")
        self.aggregator = env["LOUPE_AGGREGATOR_URL"].rstrip("/")
        self.evals = env["LOUPE_EVAL_URL"].rstrip("/")
        self.secret_key = env["LOUPE_API_KEY"]
        self.public_key = env["LOUPE_PUBLIC_KEY"]
        self.admin_key = env["LOUPE_ADMIN_KEY"]
        # optional: with both, the stored user id is checked to be exactly the collector's HMAC
        self.identifiers_secret = env.get("LOUPE_IDENTIFIERS_SECRET")
        self.project_id = env.get("LOUPE_PROJECT_ID")

    def request(self, method: str, url: str, key: str, body: Any = None) -> Tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Authorization", "Bearer " + key)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=15) as answer:
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        try:
            return status, json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            return status, raw.decode("utf-8", "replace")

    def read(self, path: str, **params: str) -> Tuple[int, Any]:
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        return self.request("GET", self.aggregator + path + query, self.secret_key)

    def configure_evaluation(self, feature: str, evaluators: Any) -> None:
        url = "%s/v1/features/%s/evaluation" % (self.evals, urllib.parse.quote(feature, safe=""))
        status, body = self.request("PUT", url, self.admin_key, {"samplingRate": 1, "evaluators": evaluators})
        assert status == 200, "PUT %s answered %s: %s" % (url, status, body)

    def stored_user_id(self, user_id: str) -> Optional[str]:
        """The collector's HMAC of an app's user id, when the test knows the secret and the project."""
        if not self.identifiers_secret or not self.project_id:
            return None
        project_key = _hmac_hex(self.identifiers_secret, "project:" + self.project_id)
        return _hmac_hex(project_key, user_id)


def _hmac_hex(key: str, value: str) -> str:
    return hmac.new(key.encode("utf-8"), value.encode("utf-8"), hashlib.sha256).hexdigest()


def stack() -> Stack:
    """The stack from the environment; a missing variable fails the calling test, saying how to run it."""
    env = dict(os.environ)
    # bin/loupe up's .loupe/stack.env names them so: sourced as it is, it runs these tests
    for name, alias in (("LOUPE_API_KEY", "LOUPE_SECRET_KEY"), ("LOUPE_PROJECT_ID", "LOUPE_PROJECT")):
        if not env.get(name) and env.get(alias):
            env[name] = env[alias]
    missing = [name for name in REQUIRED if not env.get(name)]
    if missing:
        pytest.fail(HOW_TO_RUN.format(missing=", ".join(missing)), pytrace=False)
    return Stack(env)


def await_value(what: str, read: Callable[[], Tuple[bool, T]], deadline: float = DEADLINE_SECONDS) -> T:
    """Polls ``read`` (returning (done, value)) until done or the deadline; fails naming ``what`` and the last
    value seen."""
    end = time.monotonic() + deadline
    while True:
        done, value = read()
        if done:
            return value
        if time.monotonic() >= end:
            pytest.fail("%s: not within %.0f s; last seen: %s" % (what, deadline, _short(value)), pytrace=False)
        time.sleep(0.5)


def _short(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    return text if len(text) <= 2000 else text[:2000] + "…"
