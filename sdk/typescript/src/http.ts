/** HTTP helpers that run in Node.js and in browsers alike (fetch only): Retry-After, backoff, problem+json. */

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d\\d:\\d\\d:\\d\\d';
const IMF_FIXDATE = new RegExp(`^${DAY}, \\d\\d ${MONTH} \\d{4} ${TIME} GMT$`, 'i');
const RFC_850 = new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \\d\\d-${MONTH}-\\d\\d ${TIME} GMT$`, 'i');
const ASCTIME = new RegExp(`^${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4}$`, 'i');

/** Milliseconds to wait from a `Retry-After` header: delay-seconds or an HTTP-date (RFC 9110); undefined otherwise. */
export function retryAfterMs(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (/^[0-9]+$/.test(text)) return Number(text) * 1000;
  // IMF-fixdate, RFC 850 and asctime, and nothing else: Date.parse alone also reads "1.5", "-1" or "2026" as dates
  // (a past one: no wait at all). Date.parse reads the three; asctime has no zone: it is GMT.
  const asctime = ASCTIME.test(text);
  if (!asctime && !IMF_FIXDATE.test(text) && !RFC_850.test(text)) return undefined;
  const when = Date.parse(asctime ? `${text} GMT` : text);
  if (Number.isNaN(when)) return undefined;
  return Math.max(0, when - now);
}

/** The wait before attempt `attempt + 1`: between half and all of min(max, initial * 2^(attempt-1)). */
export function backoffMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 30));
  return ceiling / 2 + (random() * ceiling) / 2;
}

export function isRetryable(status: number): boolean {
  return status === 429 || status >= 500;
}

/** (field, detail, title) of a problem+json body, with what there is otherwise. */
export function problemOf(status: number, body: string): { field?: string; detail: string; title?: string } {
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    if (json && typeof json === 'object') {
      let field = typeof json.field === 'string' ? json.field : undefined;
      let detail = typeof json.detail === 'string' ? json.detail : typeof json.title === 'string' ? json.title : '';
      const errors = json.errors;
      if (!field && Array.isArray(errors) && errors[0] && typeof errors[0] === 'object') {
        const first = errors[0] as Record<string, unknown>;
        field = typeof first.field === 'string' ? first.field : undefined;
        detail = detail || (typeof first.message === 'string' ? first.message : '');
      }
      return { field, detail: detail || `HTTP ${status}`, title: typeof json.title === 'string' ? json.title : undefined };
    }
  } catch {
    // not JSON: the text below
  }
  return { detail: body.slice(0, 200).trim() || `HTTP ${status}` };
}

export function sleep(ms: number, unref = false): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms) as unknown as { unref?: () => void };
    if (unref && typeof timer.unref === 'function') timer.unref();
  });
}

export function randomUuid(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const hex = (n: number) => Math.floor(Math.random() * 16 ** n).toString(16).padStart(n, '0');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + Math.floor(Math.random() * 4)).toString(16)}${hex(3)}-${hex(12)}`;
}
