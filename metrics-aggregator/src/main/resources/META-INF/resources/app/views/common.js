// What several views share: one-number and time-series reads of GET /v1/metrics/{metric}, and page layout.

import {metric} from '../api.js';
import {labelled} from '../charts.js';
import {el} from '../dom.js';
import {rangeWindow} from '../time.js';

/** The whole range as one number (no bucket): the single group's value, or null without data. */
export async function total(name, range, extra = {}) {
  const w = rangeWindow(range);
  const answer = await metric(name, {from: w.from, to: w.to, ...extra});
  const points = (answer.series || []).flatMap(s => s.points || []);
  return points.length ? points[0] : null;
}

/** Bucketed series over the range, labelled by group. */
export async function series(name, range, extra = {}) {
  const w = rangeWindow(range);
  const answer = await metric(name, {from: w.from, to: w.to, bucket: w.bucket, ...extra});
  return labelled(answer.series);
}

/** A view: a title, an optional note, then its panels in a responsive grid. */
export function page(title, note, ...panels) {
  return el('div', {class: 'page'}, el('h1', {text: title}), note ? el('p', {class: 'muted', text: note}) : null,
    el('div', {class: 'grid'}, ...panels));
}

/** Collects charts: adds each one's node where it goes and its mount for after insertion. */
export class Mounts {
  constructor() {
    this.list = [];
  }

  add(chart) {
    this.list.push(chart.mount);
    return chart.node;
  }
}
