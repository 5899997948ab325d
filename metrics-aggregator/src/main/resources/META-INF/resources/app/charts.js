// Charts on uPlot (global from /webjars/uplot/…/uPlot.iife.min.js). Each chart is a .chart[data-chart] element
// whose data-series / data-points / data-overlays (threshold lines and baseline bands) say what was drawn (the
// browser tests read them).

import {el, groupLabel} from './dom.js';

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d',
  '#ea580c', '#4f46e5', '#0d9488', '#b91c1c'];
export const color = i => PALETTE[i % PALETTE.length];

/**
 * Aligns API series ([{label, points: [{t, value, sampleSize, quantiles}]}]) on the union of their times.
 * pick chooses the number drawn from a point. Returns {xs (seconds), columns: [[…]], samples: [[…]]}.
 */
export function align(series, pick = p => p.value) {
  const times = new Set();
  series.forEach(s => s.points.forEach(p => times.add(Date.parse(p.t) / 1000)));
  const xs = [...times].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const columns = [];
  const samples = [];
  for (const s of series) {
    const col = new Array(xs.length).fill(null);
    const n = new Array(xs.length).fill(null);
    for (const p of s.points) {
      const i = index.get(Date.parse(p.t) / 1000);
      const v = pick(p);
      col[i] = v === undefined || v === null || Number.isNaN(v) ? null : v;
      n[i] = p.sampleSize ?? null;
    }
    columns.push(col);
    samples.push(n);
  }
  return {xs, columns, samples};
}

/** API series → [{label, points}] with readable labels. */
export function labelled(apiSeries) {
  return (apiSeries || []).map(s => ({label: groupLabel(s.group), group: s.group, points: s.points || []}));
}

/**
 * A time-series chart. spec: {id, title, series: [{label, points}], pick, format (y value → text),
 * stacked, overlays: [{kind: 'line'|'band', …}] drawn on the canvas (not counted as series), height}.
 * Returns {node, mount} — mount() draws once the node is in the document (uPlot measures its width).
 */
export function timeChart(spec) {
  const {xs, columns, samples} = align(spec.series, spec.pick);
  const node = el('div', {class: 'chart' + (spec.sparkline ? ' sparkline' : ''),
    dataset: {chart: spec.id, series: String(spec.series.length), points: String(xs.length),
      overlays: String((spec.overlays || []).length)}});
  const format = spec.format || (v => String(v));
  // every chart but a sparkline can be read as a table too (screen readers, copying the numbers)
  const box = spec.sparkline ? node : el('figure', {class: 'chart-box'},
    el('figcaption', {text: spec.title}), node, xs.length ? dataTable(spec, xs, columns, samples, format) : null);
  if (xs.length === 0) {
    node.appendChild(el('p', {class: 'muted empty', text: spec.sparkline ? 'no data' : 'No data in this range.'}));
    return {node: box, mount() {}};
  }
  let data = columns;
  const bands = [];
  if (spec.stacked) {
    data = [];
    let acc = new Array(xs.length).fill(0);
    columns.forEach((col, i) => {
      acc = acc.map((v, j) => v + (col[j] ?? 0));
      data.push(acc.slice());
      if (i > 0) bands.push({series: [i + 1, i], fill: color(i) + '55'});
    });
  }
  const series = [{}].concat(spec.series.map((s, i) => ({
    label: s.label,
    stroke: color(i),
    width: spec.sparkline ? 1.5 : 2,
    fill: spec.stacked && i === 0 ? color(0) + '55' : undefined,
    spanGaps: !!spec.sparkline,
    points: {show: xs.length < 3},
    value: (u, v, si, idx) => {
      if (idx === null || idx === undefined) return '—';
      const raw = columns[si - 1][idx];
      const n = samples[si - 1][idx];
      return raw === null ? '—' : format(raw) + (n !== null ? ` (n=${n})` : '');
    },
  })));
  const opts = {
    width: 300,
    height: spec.height || (spec.sparkline ? 48 : 260),
    series,
    bands,
    scales: {x: {time: true, auto: true, range: timeRange(spec.window || currentWindow)}, y: overlayRange(spec.overlays)},
    legend: {show: !spec.sparkline},
    cursor: spec.sparkline ? {show: false} : {},
    axes: spec.sparkline ? [{show: false}, {show: false}] : [{}, {values: (u, ticks) => ticks.map(format), size: 70}],
    hooks: {draw: [u => drawOverlays(u, spec.overlays || [])]},
  };
  return {
    node: box,
    mount() {
      const plot = new uPlot(opts, [xs, ...data], node);
      const fit = () => plot.setSize({width: Math.max(120, node.clientWidth), height: opts.height});
      fit();
      new ResizeObserver(fit).observe(node);
    },
  };
}

let currentWindow = null;

/**
 * The time window the current view shows ({from, to} as ISO instants); every chart's x axis spans it, so one
 * point sits where it happened in the range instead of being stretched over an axis of its own.
 */
/** "Show as table": the chart's points, one row per time and one column per series, built as DOM text. */
function dataTable(spec, xs, columns, samples, format) {
  return el('details', {class: 'chart-table', dataset: {tableFor: spec.id}},
    el('summary', {text: 'Show as table'}),
    el('div', {class: 'table-wrap'}, el('table', {class: 'data'},
      el('caption', {class: 'visually-hidden', text: spec.title}),
      el('thead', {}, el('tr', {}, el('th', {scope: 'col', text: 'Time'}),
        spec.series.map(s => el('th', {scope: 'col', text: s.label})))),
      el('tbody', {}, xs.map((x, j) => el('tr', {},
        el('th', {scope: 'row', text: new Date(x * 1000).toLocaleString()}),
        columns.map((col, i) => el('td', {class: 'num',
          text: col[j] === null || col[j] === undefined ? '—'
            : format(col[j]) + (samples[i][j] !== null && samples[i][j] !== undefined ? ` (n=${samples[i][j]})` : '')}))))))));
}

export function setTimeWindow(window) {
  currentWindow = window;
}

/**
 * The x range: the view's window, widened to any bucket that starts before it (a day bucket of a 7-day chart).
 * Read from the data itself: for a single point uPlot proposes a span of a thousand days.
 */
function timeRange(window) {
  const dataSpan = u => {
    const xs = u.data[0] || [];
    return xs.length ? [xs[0], xs[xs.length - 1]] : [null, null];
  };
  if (!window) {
    return u => {
      const [first, last] = dataSpan(u);
      return first === last ? [first - 1800, last + 1800] : [first, last];
    };
  }
  const from = Date.parse(window.from) / 1000;
  const to = Date.parse(window.to) / 1000;
  return u => {
    const [first, last] = dataSpan(u);
    return [Math.min(from, first ?? from), Math.max(to, last ?? to)];
  };
}

/**
 * A y scale that also shows the overlays (a threshold far from the data would otherwise be off the chart) and
 * does not dip below zero for non-negative data.
 */
function overlayRange(overlays) {
  const extra = [];
  (overlays || []).forEach(o => {
    if (o.kind === 'line') extra.push(o.value);
    if (o.kind === 'band') extra.push(...o.lower.filter(v => v !== null), ...o.upper.filter(v => v !== null));
  });
  return {
    auto: true,
    range: (u, dmin, dmax) => {
      let lo = Math.min(dmin ?? extra[0] ?? 0, ...extra);
      let hi = Math.max(dmax ?? extra[0] ?? 0, ...extra);
      if (lo === hi) {
        // one value (a single point, or a flat zero rate): show it inside a sensible span, not uPlot's 0..100
        const span = Math.abs(hi) > 0 ? Math.abs(hi) * 0.5 : 1;
        lo = lo >= 0 && lo - span < 0 ? 0 : lo - span;
        hi += span;
        return [lo, hi];
      }
      const pad = (hi - lo) * 0.05;
      return [lo >= 0 && lo - pad < 0 ? 0 : lo - pad, hi + pad];
    },
  };
}

/** Threshold lines and baseline bands, drawn on the canvas (in canvas pixels). */
function drawOverlays(u, overlays) {
  const ctx = u.ctx;
  const {left, top, width, height} = u.bbox;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  for (const o of overlays) {
    if (o.kind === 'line') {
      const y = u.valToPos(o.value, 'y', true);
      ctx.strokeStyle = o.color || '#dc2626';
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1.5 * devicePixelRatio;
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + width, y);
      ctx.stroke();
      ctx.setLineDash([]);
    } else if (o.kind === 'band') {
      // o.xs (seconds), o.lower, o.upper: a polygon along the upper edge and back along the lower one
      const pts = o.xs.map((x, i) => [x, o.lower[i], o.upper[i]]).filter(p => p[1] !== null && p[2] !== null);
      if (pts.length < 2) continue;
      ctx.fillStyle = (o.color || '#dc2626') + '22';
      ctx.beginPath();
      pts.forEach(([x, , hi], i) => {
        const px = u.valToPos(x, 'x', true);
        const py = u.valToPos(hi, 'y', true);
        if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
      });
      for (let i = pts.length - 1; i >= 0; i--) {
        ctx.lineTo(u.valToPos(pts[i][0], 'x', true), u.valToPos(pts[i][1], 'y', true));
      }
      ctx.closePath();
      ctx.fill();
    }
  }
  ctx.restore();
}
