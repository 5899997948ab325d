"""``_http``: Retry-After in its four forms, backoff, problem+json."""

from __future__ import annotations

import email.utils
import os
import random
import time

import pytest

from loupe import _http

NOW = email.utils.parsedate_to_datetime("Sun, 06 Nov 1994 08:49:37 GMT").timestamp()


@pytest.mark.parametrize("header", [
    "Sun, 06 Nov 1994 08:49:47 GMT",  # IMF-fixdate
    "Sunday, 06-Nov-94 08:49:47 GMT",  # obsolete RFC 850
    "Sun Nov  6 08:49:47 1994",  # obsolete asctime
])
def test_retry_after_reads_the_three_date_forms(header):
    assert _http.retry_after(header, now=NOW) == pytest.approx(10.0)


@pytest.fixture
def far_timezone():
    before = os.environ.get("TZ")
    os.environ["TZ"] = "EST+05"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_asctime_is_gmt_whatever_the_local_timezone(far_timezone):
    assert _http.retry_after("Sun Nov  6 08:49:47 1994", now=NOW) == pytest.approx(10.0)


def test_retry_after_seconds_and_past_dates():
    assert _http.retry_after("3") == 3.0
    assert _http.retry_after(" 0 ") == 0.0
    assert _http.retry_after("Sun, 06 Nov 1994 08:49:27 GMT", now=NOW) == 0.0  # in the past: no wait
    assert _http.retry_after(None) is None


@pytest.mark.parametrize("header", ["", "soon", "1.5", "-1", "\u00b2", "\u0663"])
def test_malformed_retry_after_is_none(header):
    assert _http.retry_after(header) is None


def test_backoff_doubles_with_jitter_up_to_the_maximum():
    rand = random.Random(7)
    for attempt, ceiling in ((1, 0.1), (2, 0.2), (3, 0.4), (10, 1.0), (100, 1.0)):
        for _ in range(20):
            wait = _http.backoff(attempt, 0.1, 1.0, rand)
            assert ceiling / 2 <= wait <= ceiling


def test_retryable_statuses():
    assert all(_http.is_retryable(s) for s in (429, 500, 502, 503, 504))
    assert not any(_http.is_retryable(s) for s in (400, 401, 403, 404, 409, 413, 422))


def test_problem_reads_field_detail_title_and_falls_back():
    answer = _http.Answer(400, {}, b'{"title":"Bad","status":400,"detail":"no such signal","field":"signal"}')
    assert answer.problem() == ("signal", "no such signal", "Bad")
    nested = _http.Answer(400, {}, b'{"title":"Bad","errors":[{"field":"spans[0].kind","message":"unknown"}]}')
    assert nested.problem() == ("spans[0].kind", "Bad", "Bad")
    plain = _http.Answer(502, {}, b"<html>bad gateway</html>")
    assert plain.problem() == (None, "<html>bad gateway</html>", None)
    assert _http.Answer(503, {}, b"").problem() == (None, "HTTP 503", None)
