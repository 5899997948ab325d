// Latency: p50 / p95 / p99 of LLM calls per model and per feature. One read per chart: every latency point carries
// its quantiles, so latency_p95_ms grouped and bucketed gives all three.

import {timeChart} from '../charts.js';
import {fmtMs, section} from '../dom.js';
import {Mounts, page, series} from './common.js';

const QUANTILES = ['p50', 'p95', 'p99'];

/** Each group's series three times, one per quantile: data-series = 3 × groups. */
function byQuantile(groups) {
  return groups.flatMap(g => QUANTILES.map(q => ({label: `${g.label} ${q}`,
    points: g.points.map(p => ({t: p.t, value: p.quantiles ? p.quantiles[q] : (q === 'p95' ? p.value : null),
      sampleSize: p.sampleSize}))})));
}

export default async function latency(ctx) {
  const [byModel, byFeature] = await Promise.all([
    series('latency_p95_ms', ctx.range, {groupBy: 'model'}),
    series('latency_p95_ms', ctx.range, {groupBy: 'feature'}),
  ]);
  const mounts = new Mounts();
  return {
    node: page('Latency', 'Quantiles of merged latency sketches of LLM spans (within 0.4 %), per bucket.',
      section('Per model', mounts.add(timeChart({id: 'latency-by-model', title: 'p50 / p95 / p99 per model',
        series: byQuantile(byModel), format: fmtMs}))),
      section('Per feature', mounts.add(timeChart({id: 'latency-by-feature', title: 'p50 / p95 / p99 per feature',
        series: byQuantile(byFeature), format: fmtMs})))),
    mounts: mounts.list,
  };
}
