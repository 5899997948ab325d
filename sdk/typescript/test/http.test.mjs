// The HTTP helpers (internal): Retry-After in its forms, backoff, retryable statuses, problem+json.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffMs, isRetryable, problemOf, retryAfterMs } from '../dist/esm/http.js';

const NOW = Date.parse('Sun, 06 Nov 1994 08:49:37 GMT');

for (const header of ['Sun, 06 Nov 1994 08:49:47 GMT', 'Sunday, 06-Nov-94 08:49:47 GMT', 'Sun Nov  6 08:49:47 1994']) {
  test(`Retry-After as an HTTP-date: ${header}`, () => {
    assert.equal(retryAfterMs(header, NOW), 10_000);
  });
}

test('Retry-After in seconds (any number of digits), and a past date is no wait', () => {
  assert.equal(retryAfterMs('3'), 3000);
  assert.equal(retryAfterMs(' 0 '), 0);
  assert.equal(retryAfterMs('2026'), 2_026_000);
  assert.equal(retryAfterMs('Sun, 06 Nov 1994 08:49:27 GMT', NOW), 0);
  assert.equal(retryAfterMs(null), undefined);
  assert.equal(retryAfterMs(undefined), undefined);
});

for (const header of ['', 'soon', '1.5', '-1', '\u00b2', '\u0663', '12/25/2026', '2026-01-01T00:00:00Z', 'Tomorrow 10:00']) {
  test(`a malformed Retry-After is undefined: ${JSON.stringify(header)}`, () => {
    assert.equal(retryAfterMs(header, NOW), undefined);
  });
}

test('backoff doubles with jitter up to the maximum', () => {
  for (const [attempt, ceiling] of [[1, 100], [2, 200], [3, 400], [10, 1000], [100, 1000]]) {
    for (const r of [0, 0.5, 0.999]) {
      const wait = backoffMs(attempt, 100, 1000, () => r);
      assert.ok(wait >= ceiling / 2 && wait <= ceiling, `attempt ${attempt}: ${wait}`);
    }
  }
});

test('retryable statuses', () => {
  for (const s of [429, 500, 502, 503, 504]) assert.ok(isRetryable(s), String(s));
  for (const s of [400, 401, 403, 404, 409, 413, 422]) assert.ok(!isRetryable(s), String(s));
});

test('problem+json: field, detail, title, and the fallbacks', () => {
  assert.deepEqual(problemOf(400, '{"title":"Bad","status":400,"detail":"no such signal","field":"signal"}'),
    { field: 'signal', detail: 'no such signal', title: 'Bad' });
  assert.deepEqual(problemOf(400, '{"title":"Bad","errors":[{"field":"spans[0].kind","message":"unknown"}]}'),
    { field: 'spans[0].kind', detail: 'Bad', title: 'Bad' });
  assert.deepEqual(problemOf(502, '<html>bad gateway</html>'), { detail: '<html>bad gateway</html>' });
  assert.deepEqual(problemOf(503, ''), { detail: 'HTTP 503' });
  assert.deepEqual(problemOf(500, 'null'), { detail: 'null' });
});
