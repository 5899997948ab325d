// Traces: every trace of the range, newest first, filtered by feature, model, status, user, session, prompt version,
// minimum latency, minimum cost and text (full-text search). Every filter and the page cursor live in the URL, so a
// list can be shared; "Next page" follows the API's keyset cursor. With text, the matching passages are listed too,
// the words marked with <mark> elements (never markup from the API).

import {get} from '../api.js';
import {el, fmtMs, fmtNumber, fmtTime, fmtUsd, table, truncate, wideSection} from '../dom.js';
import {rangeWindow} from '../time.js';
import {page} from './common.js';

export const FILTERS = [
  ['q', 'Text', 'search'], ['feature', 'Feature', 'search'], ['model', 'Model', 'search'],
  ['user', 'User', 'search'], ['session', 'Session', 'search'], ['promptVersion', 'Prompt version', 'search'],
  ['errorType', 'Error type', 'search'], ['minLatencyMs', 'Min latency (ms)', 'number'],
  ['minCostUsd', 'Min cost (USD)', 'number'],
];
const STATUSES = [['', 'any'], ['error', 'errors'], ['ok', 'no error']];
const PAGE = 50;

/** The filters in the URL (names the API takes), without empty ones. */
export function filtersOf(q) {
  const f = {};
  for (const [name] of FILTERS.concat([['status']])) {
    const v = (q.get(name) || '').trim();
    if (v) f[name] = v;
  }
  return f;
}

export default async function traces(ctx) {
  const w = rangeWindow(ctx.range);
  const filters = filtersOf(ctx.q);
  const cursor = ctx.q.get('cursor') || undefined;
  const [list, found] = await Promise.all([
    get('/v1/traces', {from: w.from, to: w.to, limit: PAGE, cursor, ...filters}),
    filters.q ? get('/v1/search', {q: filters.q, from: w.from, to: w.to, feature: filters.feature, limit: 20}) : null,
  ]);
  const form = el('form', {id: 'trace-filters', class: 'search', role: 'search'},
    FILTERS.map(([name, label, type]) => el('label', {}, label,
      el('input', {name, type, value: filters[name] ?? '', autocomplete: 'off',
        step: type === 'number' ? 'any' : undefined, min: type === 'number' ? '0' : undefined}))),
    el('label', {}, 'Status', el('select', {name: 'status'}, STATUSES.map(([v, label]) =>
      el('option', {value: v, selected: (filters.status || '').toLowerCase() === v, text: label})))),
    el('button', {type: 'submit', text: 'Apply'}),
    el('a', {href: '/traces?range=' + ctx.range, class: 'clear', text: 'Clear filters'}));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (String(v).trim()) q.append(k, String(v).trim());
    q.set('range', ctx.range);
    ctx.navigate('/traces?' + q.toString());
  });
  const rows = list.traces;
  const next = new URLSearchParams(ctx.q);
  if (list.nextCursor) next.set('cursor', list.nextCursor);
  const count = `${rows.length} trace${rows.length === 1 ? '' : 's'}${cursor ? ' (a later page)' : ''}`;
  return {
    node: page('Traces', 'Newest first. A trace counts under its root span; its sums cover all its spans.',
      wideSection('Filters', form),
      found ? wideSection('Matching text', matches(found.hits)) : null,
      wideSection('Traces: ' + count,
        table('traces', ['Started', 'Root', 'Feature', 'Spans', 'Duration', 'Tokens', 'Cost', 'Status', 'User', 'Session', 'Feedback'],
          rows, t => el('tr', {dataset: {traceId: t.traceId}},
            el('td', {text: fmtTime(t.startTime)}),
            el('td', {dataset: {field: 'root'}}, el('a', {href: '/traces/' + encodeURIComponent(t.traceId) + '?range=' + ctx.range,
              text: truncate(t.rootName || t.traceId, 80)})),
            el('td', {dataset: {field: 'feature'}, text: t.feature ?? '—'}),
            el('td', {class: 'num', dataset: {field: 'spans'}, text: fmtNumber(t.spans, 0)}),
            el('td', {class: 'num', text: fmtMs(t.durationMs)}),
            el('td', {class: 'num', text: `${fmtNumber(t.inputTokens, 0)} / ${fmtNumber(t.outputTokens, 0)}`}),
            el('td', {class: 'num', text: fmtUsd(t.costUsd)}),
            el('td', {dataset: {field: 'status'}, text: [t.status, t.errorType].filter(Boolean).join(' · ')}),
            el('td', {}, t.userId ? el('a', {href: '/traces?' + new URLSearchParams({user: t.userId, range: ctx.range}),
              text: truncate(t.userId, 24), title: t.userId}) : '—'),
            el('td', {}, t.sessionId ? el('a', {href: '/traces?' + new URLSearchParams({session: t.sessionId, range: ctx.range}),
              text: truncate(t.sessionId, 24), title: t.sessionId}) : '—'),
            el('td', {text: (t.feedback || []).join(', ') || '—'})),
          'No trace matches in this range.'),
        list.nextCursor ? el('p', {}, el('a', {id: 'next-page', href: '/traces?' + next.toString(), text: 'Next page →'})) : null)),
  };
}

/** Search hits: where the text was found, with the words marked. */
function matches(hits) {
  return table('search-hits', ['When', 'Where', 'Feature', 'Passage', 'Trace'], hits, h => el('tr', {},
    el('td', {text: fmtTime(h.time)}),
    el('td', {text: h.type === 'decision' ? 'decision output' : `${h.name ?? 'span'} · ${h.field}`}),
    el('td', {text: h.feature ?? '—'}),
    el('td', {class: 'text snippet'}, marked(h.snippet)),
    el('td', {}, h.traceId ? el('a', {href: '/traces/' + encodeURIComponent(h.traceId), text: h.traceId.slice(0, 12) + '…'})
      : h.decisionId ? el('a', {href: '/decisions/' + encodeURIComponent(h.decisionId), text: h.decisionId}) : '—')),
  'The text occurs nowhere in this range.');
}

/** A snippet's text with each match in a <mark>, built from text nodes only. */
export function marked(snippet) {
  if (!snippet) return '—';
  const out = [];
  let at = 0;
  for (const [start, end] of snippet.matches || []) {
    if (start < at || end > snippet.text.length) continue;
    if (start > at) out.push(snippet.text.slice(at, start));
    out.push(el('mark', {text: snippet.text.slice(start, end)}));
    at = end;
  }
  out.push(snippet.text.slice(at));
  return out;
}
