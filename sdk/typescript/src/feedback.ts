/** Feedback: the one call a browser may make (the public key, scope `feedback`). fetch only: no Node.js module. */

import { LoupeConfigError, LoupeRejected, LoupeUnavailable } from './errors.js';
import { backoffMs, isRetryable, problemOf, randomUuid, retryAfterMs, sleep } from './http.js';

/** What a user said about a decision; the strings are accepted in any case. */
export type FeedbackSignal = 'CORRECT' | 'INCORRECT' | 'EDITED' | 'DISMISSED' | 'THUMBS_UP' | 'THUMBS_DOWN'
  | 'correct' | 'incorrect' | 'edited' | 'dismissed' | 'thumbs_up' | 'thumbs_down';

export interface FeedbackOptions {
  /** The corrected answer: eval-runner re-evaluates the decision against it and files a regression case. */
  correction?: string;
  /** The user's comment. */
  feedbackText?: string;
  /** Makes retries safe: the service stores the feedback once per key (a new UUID when absent). */
  idempotencyKey?: string;
  /** The user's id (stored as an HMAC). */
  userId?: string;
  /** When the user reacted (default: now, set by the service). */
  occurredAt?: Date | string;
}

export interface FeedbackSettings {
  /** The project's public key (scope `feedback` only: safe in a browser). */
  publicKey: string;
  /** feedback-service's base URL, e.g. `https://feedback.example.com`. */
  feedbackUrl: string;
  /** Per attempt (default 10,000 ms). */
  timeoutMs?: number;
  /** Attempts on overload or network errors, with the same idempotency key (default 3). */
  attempts?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

/**
 * Sends a user's feedback on a decision; resolves to the stored feedback's id. Rejects with `LoupeRejected`
 * (`e.field` names the refused field), `LoupeUnavailable` (not reachable within the attempts) or
 * `LoupeConfigError` (no key or URL).
 */
export async function sendFeedback(settings: FeedbackSettings, decisionId: string, signal: FeedbackSignal | string,
  options: FeedbackOptions = {}): Promise<string> {
  if (!settings.publicKey) throw new LoupeConfigError('publicKey', 'feedback needs the project\'s public key (LOUPE_PUBLIC_KEY)');
  if (!settings.feedbackUrl) throw new LoupeConfigError('feedbackUrl', 'feedback needs feedback-service\'s URL (LOUPE_FEEDBACK_URL)');
  const doFetch = settings.fetch ?? globalThis.fetch;
  const body: Record<string, unknown> = { decisionId, signal };
  if (options.correction != null) body.correction = options.correction;
  if (options.feedbackText != null) body.feedbackText = options.feedbackText;
  if (options.userId != null) body.userId = options.userId;
  if (options.occurredAt != null) {
    body.occurredAt = options.occurredAt instanceof Date ? options.occurredAt.toISOString() : options.occurredAt;
  }
  const key = options.idempotencyKey || randomUuid();
  const attempts = Math.max(1, settings.attempts ?? 3);
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const url = `${settings.feedbackUrl.replace(/\/+$/, '')}/v1/feedback`;
  const payload = JSON.stringify(body);
  let reason = '';
  let status: number | undefined;
  for (let attempt = 1; ; attempt++) {
    let waitMs: number | undefined;
    status = undefined;
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${settings.publicKey}`,
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'Idempotency-Key': key,
        },
        body: payload,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      const text = await response.text();
      if (response.ok) {
        // stored: an answer that is not the expected JSON must not turn into retries and LoupeUnavailable
        let json: { feedbackId?: unknown } | null = null;
        try {
          json = JSON.parse(text || '{}') as { feedbackId?: unknown } | null;
        } catch {
          // no id to give
        }
        return String(json?.feedbackId ?? '');
      }
      const problem = problemOf(status, text);
      if (!isRetryable(status)) throw new LoupeRejected(status, problem.field, problem.detail, problem.title);
      reason = `HTTP ${status}: ${problem.detail}`;
      waitMs = retryAfterMs(response.headers.get('retry-after'));
    } catch (e) {
      if (e instanceof LoupeRejected) throw e;
      if (status === undefined) reason = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    if (attempt >= attempts) throw new LoupeUnavailable(`feedback not sent after ${attempt} attempts: ${reason}`, status);
    await sleep(Math.min(waitMs ?? backoffMs(attempt, settings.backoffInitialMs ?? 500, settings.backoffMaxMs ?? 10_000), 30_000));
  }
}
