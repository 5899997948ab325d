// Cost: spend per feature, per model and per day (stacked by feature), and the sessions that used the most tokens.

import {metric} from '../api.js';
import {labelled, timeChart} from '../charts.js';
import {el, fmtNumber, fmtUsd, section, table} from '../dom.js';
import {rangeWindow} from '../time.js';
import {Mounts, page, series} from './common.js';

const TOP_SESSIONS = 10;

export default async function cost(ctx) {
  const w = rangeWindow(ctx.range);
  const perDayFrom = new Date(Math.min(Date.parse(w.from), Date.parse(w.to) - 7 * 86400e3)).toISOString();
  const [byFeature, byModel, perDay, input, output, sessionCost] = await Promise.all([
    series('cost_usd', ctx.range, {groupBy: 'feature'}),
    series('cost_usd', ctx.range, {groupBy: 'model'}),
    metric('cost_usd', {from: perDayFrom, to: w.to, bucket: '1d', groupBy: 'feature'}),
    metric('input_tokens', {from: w.from, to: w.to, groupBy: 'session', limit: 100}),
    metric('output_tokens', {from: w.from, to: w.to, groupBy: 'session', limit: 100}),
    metric('cost_usd', {from: w.from, to: w.to, groupBy: 'session', limit: 100}),
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
          el('td', {class: 'num', text: fmtUsd(s.cost)}))))),
    mounts: mounts.list,
  };
}
