/** Trace and span ids (W3C Trace Context: lowercase hex, never all zeros) and the traceparent header. */

// Math.random is V8's xorshift128+: ids must be unique, not secret, and this is far cheaper than crypto.
function hex32(): string {
  return ((Math.random() * 0x100000000) >>> 0).toString(16).padStart(8, '0');
}

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

export function newTraceId(): string {
  let id = hex32() + hex32() + hex32() + hex32();
  while (id === ZERO_TRACE) id = hex32() + hex32() + hex32() + hex32();
  return id;
}

export function newSpanId(): string {
  let id = hex32() + hex32();
  while (id === ZERO_SPAN) id = hex32() + hex32();
  return id;
}

export function validTraceId(value: unknown): boolean {
  return typeof value === 'string' && TRACE_ID.test(value) && value !== ZERO_TRACE;
}

export function validSpanId(value: unknown): boolean {
  return typeof value === 'string' && SPAN_ID.test(value) && value !== ZERO_SPAN;
}

/** [trace id, parent span id, sampled] of a W3C `traceparent`, or undefined when it is not one. */
export function parseTraceparent(header: unknown): [string, string, boolean] | undefined {
  if (typeof header !== 'string') return undefined;
  const match = TRACEPARENT.exec(header.trim().toLowerCase());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  if (version === 'ff' || (version === '00' && rest)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return [traceId, spanId, (parseInt(flags, 16) & 1) === 1];
}

export function formatTraceparent(traceId: string, spanId: string, sampled = true): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}
