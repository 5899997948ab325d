// Quality: evaluation scores per feature and evaluator with their sample sizes, and, where an alert rule watches
// the metric, its threshold (static rules) or its baseline band (baseline / robust rules) on the chart.

import {ApiError, get, metric} from '../api.js';
import {timeChart} from '../charts.js';
import {el, fmtNumber, fmtPercent, section, table, wideSection} from '../dom.js';
import {Mounts, page, series} from './common.js';

const METRICS = {eval_score_mean: 'Mean score', eval_pass_rate: 'Pass rate'};
/** At most this many features get their evaluation activity asked for (one call each). */
const MAX_ACTIVITY_FEATURES = 20;

export default async function quality(ctx) {
  const chosen = Object.hasOwn(METRICS, ctx.q.get('metric') ?? '') ? ctx.q.get('metric') : 'eval_score_mean';
  const [scores, rules] = await Promise.all([
    series(chosen, ctx.range, {groupBy: 'feature,evaluator'}),
    get('/v1/rules').then(r => r.rules || []).catch(e => {
      if (e instanceof ApiError && e.status === 401) throw e;
      return e; // alert-manager unreachable: the chart is drawn without rules, and says so
    }),
  ]);
  const overlays = Array.isArray(rules) ? ruleOverlays(rules, chosen, scores) : [];
  const format = chosen === 'eval_pass_rate' ? fmtPercent : v => fmtNumber(v, 3);
  const mounts = new Mounts();
  const picker = el('p', {class: 'switch'}, 'Show: ', Object.entries(METRICS).map(([m, label]) =>
    el('a', {href: `/quality?metric=${m}`, class: m === chosen ? 'active' : '', text: label})));
  const summary = scores.map(s => {
    const n = s.points.reduce((a, p) => a + (p.sampleSize || 0), 0);
    const weighted = s.points.reduce((a, p) => a + (p.value ?? 0) * (p.sampleSize || 0), 0);
    return {label: s.label, n, mean: n ? weighted / n : null};
  });
  const rulesNote = Array.isArray(rules)
    ? `${overlays.length} threshold line(s) or band(s) from ${rules.filter(r => r.metric === chosen).length} alert rule(s) on ${chosen}. `
      + 'Baseline bands are recomputed here from the buckets shown (mean or median ± k·σ of the preceding buckets, as the rule does with 1-minute windows), so they approximate what alert-manager judges.'
    : 'Alert rules are unavailable (' + rules.message + '); thresholds are not drawn.';
  const activity = await evaluationActivity();
  return {
    node: page('Quality', 'Only SAMPLED evaluations count (re-evaluations after feedback would bias the series).',
      section('Evaluation scores', picker,
        mounts.add(timeChart({id: 'eval-score', title: `${METRICS[chosen]} per feature and evaluator`, series: scores,
          format, overlays})),
        el('p', {class: 'muted', text: rulesNote})),
      section('Samples in the range', table('eval-samples', ['Feature · evaluator', 'Results', METRICS[chosen]], summary,
        s => el('tr', {}, el('td', {text: s.label}), el('td', {class: 'num', text: fmtNumber(s.n, 0)}),
          el('td', {class: 'num', text: format(s.mean)})))),
      activityPanel(activity)),
    mounts: mounts.list,
  };
}

function matches(filter, group) {
  return Object.entries(filter || {}).every(([k, v]) => group?.[k] === v);
}

/** Overlays for the rules on this metric: a line per static threshold, a band per series for baseline rules. */
export function ruleOverlays(rules, metricName, seriesList) {
  const out = [];
  for (const rule of rules) {
    if (rule.metric !== metricName || rule.enabled === false || !rule.condition) continue;
    const c = rule.condition;
    const applicable = seriesList.filter(s => matches(rule.filter, s.group));
    if (applicable.length === 0) continue;
    if (c.type === 'static' && typeof c.value === 'number') {
      if (!out.some(o => o.kind === 'line' && o.value === c.value)) out.push({kind: 'line', value: c.value, rule: rule.id});
    } else if ((c.type === 'baseline' || c.type === 'robust')
      && sameDimensions(rule.groupBy || [], Object.keys(applicable[0].group || {}))) {
      applicable.forEach(s => {
        const band = baselineBand(s.points, c);
        if (band) out.push({kind: 'band', rule: rule.id, ...band});
      });
    }
  }
  return out;
}

function sameDimensions(a, b) {
  return a.length === b.length && a.every(x => b.includes(x));
}

/**
 * The band a baseline / robust condition would put around each point, from the points before it: the last
 * baselineWindows (60) with at least minSampleSize samples, none without minBaselineWindows (10) of them;
 * centre = mean (robust: median), spread = population σ (robust: 1.4826·MAD) raised to sigmaFloor
 * (default 0.5 % of |centre|); band = centre ± k·spread.
 */
export function baselineBand(points, c) {
  const windows = c.baselineWindows ?? 60;
  const minWindows = c.minBaselineWindows ?? Math.min(10, windows);
  const minSamples = c.minSampleSize ?? 1;
  const k = c.k ?? 3;
  const xs = [];
  const lower = [];
  const upper = [];
  const history = [];
  for (const p of points) {
    xs.push(Date.parse(p.t) / 1000);
    if (history.length >= minWindows) {
      const values = history.slice(-windows);
      let centre;
      let spread;
      if (c.type === 'robust') {
        centre = median(values);
        spread = 1.4826 * median(values.map(v => Math.abs(v - centre)));
      } else {
        centre = values.reduce((a, v) => a + v, 0) / values.length;
        spread = Math.sqrt(values.reduce((a, v) => a + (v - centre) ** 2, 0) / values.length);
      }
      const floor = Math.max(c.sigmaFloor ?? 0.005 * Math.abs(centre), 1e-9);
      spread = Math.max(spread, floor);
      lower.push(centre - k * spread);
      upper.push(centre + k * spread);
    } else {
      lower.push(null);
      upper.push(null);
    }
    if (p.value !== null && p.value !== undefined && (p.sampleSize ?? 0) >= minSamples) history.push(p.value);
  }
  return lower.some(v => v !== null) ? {xs, lower, upper} : null;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * What each feature's evaluators did with its decisions of the last hour (eval-runner's activity, forwarded):
 * features that sent decisions in the last hour, whatever the range, so an evaluator that never applied (and so
 * drew no series above) still shows, with its reason. An unreachable eval-runner leaves a note, not a broken view.
 */
async function evaluationActivity() {
  const to = new Date();
  const from = new Date(to.getTime() - 3600_000);
  try {
    const decisions = await metric('decision_count', {from: from.toISOString(), to: to.toISOString(), groupBy: 'feature'});
    const features = [...new Set((decisions.series || []).map(s => s.group?.feature).filter(f => f))]
      .sort().slice(0, MAX_ACTIVITY_FEATURES);
    return await Promise.all(features.map(f =>
      get('/v1/features/' + encodeURIComponent(f) + '/evaluation').then(v => ({feature: f, activity: v.activity}))));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) throw e;
    return e;
  }
}

function activityPanel(rows) {
  const title = 'Evaluation in the last hour';
  if (!Array.isArray(rows)) {
    return wideSection(title, el('p', {class: 'muted', text: 'Evaluation activity is unavailable (' + rows.message + ').'}));
  }
  const notices = rows.flatMap(r => (r.activity?.notices || []).map(n => ({feature: r.feature, text: n})));
  return wideSection(title,
    notices.length ? el('ul', {class: 'notices', dataset: {list: 'eval-notices'}},
      notices.map(n => el('li', {class: 'notice', text: n.feature + ': ' + n.text}))) : null,
    table('eval-activity', ['Feature', 'Received', 'Sampled', 'Judged', 'Per evaluator: judged · not applicable (why)'],
      rows, r => {
        const a = r.activity || {};
        return el('tr', {dataset: {feature: r.feature}},
          el('td', {dataset: {field: 'feature'}, text: r.feature}),
          el('td', {class: 'num', dataset: {field: 'received'}, text: fmtNumber(a.received ?? 0, 0)}),
          el('td', {class: 'num', dataset: {field: 'sampled'}, text: fmtNumber(a.sampled ?? 0, 0)}),
          el('td', {class: 'num', dataset: {field: 'judged'}, text: fmtNumber(a.judged ?? 0, 0)}),
          el('td', {dataset: {field: 'evaluators'}}, (a.evaluators || []).map(e => el('div', {},
            `${e.evaluator}: ${fmtNumber(e.judged, 0)} judged · ${fmtNumber(e.notApplicable, 0)} not applicable`,
            e.reasons?.length ? el('span', {class: 'muted', text: ' (' + e.reasons[0].reason + ')'}) : null))));
      }, 'No decisions in the last hour.'));
}
