// Overview: the numbers an on-call engineer looks at first, each with a sparkline over the range.

import {get, metric} from '../api.js';
import {timeChart} from '../charts.js';
import {el, fmtMs, fmtNumber, fmtPercent, fmtUsd, groupLabel} from '../dom.js';
import {Mounts, page, series, total} from './common.js';
import {rangeWindow} from '../time.js';

export default async function overview(ctx) {
  const w = rangeWindow(ctx.range);
  const now = Date.parse(w.to);
  const day = 86400e3;
  // daily_spend_usd without a bucket is the spend of the UTC day containing `to`, up to `to`
  const spendAt = to => metric('daily_spend_usd', {from: new Date(to - 3600e3).toISOString(),
    to: new Date(to).toISOString()}).then(a => (a.series?.[0]?.points?.[0]?.value ?? 0));
  const [spendToday, spendYesterday, spend, requests, requestSeries, errorRate, errorSeries, p95, p95Series,
    passRate, passByFeature, passSeries, correction, correctionSeries, firing] = await Promise.all([
    spendAt(now), spendAt(now - day), series('daily_spend_usd', ctx.range),
    total('request_count', ctx.range), series('request_count', ctx.range),
    total('error_rate', ctx.range), series('error_rate', ctx.range),
    total('latency_p95_ms', ctx.range), series('latency_p95_ms', ctx.range),
    total('eval_pass_rate', ctx.range), metric('eval_pass_rate', {from: w.from, to: w.to, groupBy: 'feature'}),
    series('eval_pass_rate', ctx.range, {groupBy: 'feature'}),
    total('correction_rate', ctx.range), series('correction_rate', ctx.range),
    get('/v1/alerts', {state: 'firing', limit: 1000}),
  ]);
  const mounts = new Mounts();
  const change = spendYesterday > 0 ? (spendToday - spendYesterday) / spendYesterday : null;
  const tiles = [
    tile('spend', 'Spend today (UTC)', fmtUsd(spendToday),
      `same time yesterday ${fmtUsd(spendYesterday)}` + (change === null ? '' : ` (${change >= 0 ? '+' : ''}${fmtPercent(change)})`),
      mounts.add(timeChart({id: 'spend', sparkline: true, series: spend, format: fmtUsd}))),
    tile('requests', 'Requests', fmtNumber(requests?.value ?? 0, 0), 'LLM calls in the range',
      mounts.add(timeChart({id: 'requests', sparkline: true, series: requestSeries}))),
    tile('error-rate', 'Error rate', fmtPercent(errorRate?.value), sampleNote(errorRate),
      mounts.add(timeChart({id: 'error-rate', sparkline: true, series: errorSeries, format: fmtPercent}))),
    tile('latency-p95', 'p95 latency', fmtMs(p95?.value), sampleNote(p95),
      mounts.add(timeChart({id: 'latency-p95', sparkline: true, series: p95Series, format: fmtMs}))),
    tile('eval-pass-rate', 'Eval pass rate', fmtPercent(passRate?.value),
      el('ul', {class: 'per-feature'}, (passByFeature.series || []).slice(0, 6).map(s =>
        el('li', {}, el('span', {text: groupLabel(s.group)}), ' ', el('strong', {text: fmtPercent(s.points?.[0]?.value)}))),
      ),
      mounts.add(timeChart({id: 'eval-pass-rate', sparkline: true, series: passSeries, format: fmtPercent}))),
    tile('correction-rate', 'Correction rate', fmtPercent(correction?.value), sampleNote(correction, 'decisions'),
      mounts.add(timeChart({id: 'correction-rate', sparkline: true, series: correctionSeries, format: fmtPercent}))),
    tile('firing-alerts', 'Firing alerts', String(firing.alerts.length),
      el('a', {href: '/alerts', text: firing.alerts.length ? 'see the alerts' : 'all quiet'}), null),
  ];
  return {node: page('Overview', null, el('div', {class: 'tiles'}, tiles)), mounts: mounts.list};
}

function sampleNote(point, what = 'samples') {
  return point ? `n = ${fmtNumber(point.sampleSize, 0)} ${what}` : 'no data in the range';
}

function tile(id, title, value, note, chart) {
  return el('div', {class: 'tile', dataset: {metric: id}},
    el('div', {class: 'tile-title', text: title}),
    el('div', {class: 'value', text: value}),
    el('div', {class: 'tile-note'}, note),
    chart);
}
