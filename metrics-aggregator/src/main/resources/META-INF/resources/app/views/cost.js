// Cost: spend per feature, per model and per day (stacked by feature), the sessions that used the most tokens, and
// the models whose calls had no price (their cost is unknown, not zero) with how to give them one.

import {get, metric} from '../api.js';
import {labelled, timeChart} from '../charts.js';
import {el, fmtNumber, fmtUsd, section, table} from '../dom.js';
import {rangeWindow} from '../time.js';
import {Mounts, page, series} from './common.js';

const TOP_SESSIONS = 10;
const UNPRICED_MAX_RANGE_MS = 31 * 86400e3; // GET /v1/prices/unpriced answers at most 31 days

/** A shell-safe path segment: percent-encoded, quotes included. */
function segment(name) {
  return encodeURIComponent(name).replace(/'/g, '%27');
}

/** The request that gives a model a price from the start of the range: for the user to fill in and run. */
export function priceExample(origin, model, from) {
  const provider = model.provider || 'custom';
  const body = JSON.stringify({effectiveFrom: from, inputPerMillion: 0.5, outputPerMillion: 1.5});
  return `curl -X PUT '${origin}/v1/prices/${segment(provider)}/${segment(model.model)}' \\
  -H "Authorization: Bearer $LOUPE_ADMIN_KEY" -H 'Content-Type: application/json' \\
  -d '${body}'`;
}

function unpricedSection(unpriced, from) {
  const models = unpriced.models || [];
  const example = models.length ? priceExample(window.location.origin, models[0], from) : null;
  const code = example ? el('pre', {id: 'price-example', class: 'text', text: example}) : null;
  const copy = example ? el('button', {type: 'button', id: 'price-example-copy', text: 'Copy',
    onclick: () => navigator.clipboard?.writeText(example)}) : null;
  return section('Unpriced models',
    el('p', {class: 'muted', text: 'Calls to these models reported tokens but the price table has no price for '
      + 'them, so their cost is unknown (not zero) and missing from the charts above. Give a model a price for '
      + 'this project with PUT /v1/prices/{provider}/{model} (admin key; prices in USD per million tokens); '
      + 'spans ingested after that are priced from its effectiveFrom on.'}),
    el('p', {}, el('a', {href: '/q/openapi', id: 'price-api-docs', text: 'Price API reference (OpenAPI)'})),
    table('unpriced-models', ['Model', 'Provider', 'Calls', 'Input tokens', 'Output tokens'], models,
      m => el('tr', {}, el('td', {text: m.model}), el('td', {text: m.provider ?? '—'}),
        el('td', {class: 'num', text: fmtNumber(m.calls, 0)}), el('td', {class: 'num', text: fmtNumber(m.inputTokens, 0)}),
        el('td', {class: 'num', text: fmtNumber(m.outputTokens, 0)})),
      'Every call in this range had a price.'),
    code, copy);
}

export default async function cost(ctx) {
  const w = rangeWindow(ctx.range);
  const perDayFrom = new Date(Math.min(Date.parse(w.from), Date.parse(w.to) - 7 * 86400e3)).toISOString();
  const unpricedFrom = new Date(Math.max(Date.parse(w.from), Date.parse(w.to) - UNPRICED_MAX_RANGE_MS)).toISOString();
  const [byFeature, byModel, perDay, input, output, sessionCost, unpriced] = await Promise.all([
    series('cost_usd', ctx.range, {groupBy: 'feature'}),
    series('cost_usd', ctx.range, {groupBy: 'model'}),
    metric('cost_usd', {from: perDayFrom, to: w.to, bucket: '1d', groupBy: 'feature'}),
    metric('input_tokens', {from: w.from, to: w.to, groupBy: 'session', limit: 100}),
    metric('output_tokens', {from: w.from, to: w.to, groupBy: 'session', limit: 100}),
    metric('cost_usd', {from: w.from, to: w.to, groupBy: 'session', limit: 100}),
    get('/v1/prices/unpriced', {from: unpricedFrom, to: w.to}),
  ]);
  const sessions = new Map();
  const row = id => {
    if (!sessions.has(id)) sessions.set(id, {session: id, input: 0, output: 0, cost: null});
    return sessions.get(id);
  };
  for (const s of input.series || []) row(s.group.session).input = s.points?.[0]?.value ?? 0;
  for (const s of output.series || []) row(s.group.session).output = s.points?.[0]?.value ?? 0;
  for (const s of sessionCost.series || []) {
    if (sessions.has(s.group.session)) sessions.get(s.group.session).cost = s.points?.[0]?.value ?? null;
  }
  const top = [...sessions.values()].filter(s => s.session !== null && s.session !== '')
    .sort((a, b) => (b.input + b.output) - (a.input + a.output)).slice(0, TOP_SESSIONS);
  const mounts = new Mounts();
  return {
    node: page('Cost', 'Cost is computed at ingest from the price table, so every view shows the same number.',
      section('Per feature', mounts.add(timeChart({id: 'cost-by-feature', title: 'Cost (USD) per feature', series: byFeature, format: fmtUsd}))),
      section('Per model', mounts.add(timeChart({id: 'cost-by-model', title: 'Cost (USD) per model', series: byModel, format: fmtUsd}))),
      section('Per day', mounts.add(timeChart({id: 'cost-per-day', title: 'Daily cost (USD), stacked by feature',
        series: labelled(perDay.series), format: fmtUsd, stacked: true, window: {from: perDayFrom, to: w.to}}))),
      section('Top sessions by tokens', table('top-sessions', ['Session', 'Input tokens', 'Output tokens', 'Total', 'Cost'], top,
        s => el('tr', {}, el('td', {text: s.session}), el('td', {class: 'num', text: fmtNumber(s.input, 0)}),
          el('td', {class: 'num', text: fmtNumber(s.output, 0)}), el('td', {class: 'num', text: fmtNumber(s.input + s.output, 0)}),
          el('td', {class: 'num', text: fmtUsd(s.cost)})))),
      unpricedSection(unpriced, unpricedFrom)),
    mounts: mounts.list,
  };
}
