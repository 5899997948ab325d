// Feedback: correction and thumbs-down rates, the latest corrections with their decisions, and the regression
// datasets corrections grow (one per feature, kept by eval-runner).

import {ApiError, download, get} from '../api.js';
import {timeChart} from '../charts.js';
import {el, fmtNumber, fmtPercent, fmtTime, section, table, truncate, wideSection} from '../dom.js';
import {rangeWindow} from '../time.js';
import {Mounts, page, series} from './common.js';

export default async function feedback(ctx) {
  const w = rangeWindow(ctx.range);
  const search = signal => get('/v1/decisions', {from: w.from, to: w.to, signal, limit: 25});
  const [corrections, thumbsDown, edited, incorrect, datasets] = await Promise.all([
    series('correction_rate', ctx.range, {groupBy: 'feature'}),
    series('thumbs_down_rate', ctx.range, {groupBy: 'feature'}),
    search('edited'),
    search('incorrect'),
    get('/v1/datasets').then(d => d.datasets || []).catch(e => {
      if (e instanceof ApiError && e.status === 401) throw e;
      return e;
    }),
  ]);
  const seen = new Set();
  const latest = [...edited.decisions, ...incorrect.decisions]
    .filter(f => !seen.has(f.decision.decisionId) && seen.add(f.decision.decisionId))
    .sort((a, b) => Date.parse(b.decision.occurredAt) - Date.parse(a.decision.occurredAt)).slice(0, 25);
  const mounts = new Mounts();
  return {
    node: page('Feedback', 'Rates: decisions of the bucket that received the signal ÷ decisions of the bucket.',
      section('Correction rate', mounts.add(timeChart({id: 'correction-rate', title: 'Corrected (incorrect or edited) per feature',
        series: corrections, format: fmtPercent}))),
      section('Thumbs-down rate', mounts.add(timeChart({id: 'thumbs-down-rate', title: 'Thumbs down per feature',
        series: thumbsDown, format: fmtPercent}))),
      wideSection('Latest corrections', table('corrections', ['When', 'Feature', 'Signals', 'Output', 'Decision', 'Regression dataset'], latest,
        f => el('tr', {},
          el('td', {text: fmtTime(f.decision.occurredAt)}),
          el('td', {text: f.decision.feature ?? '—'}),
          el('td', {text: f.signals.join(', ')}),
          el('td', {class: 'text', text: truncate(f.decision.output, 140)}),
          el('td', {}, el('a', {href: '/decisions/' + encodeURIComponent(f.decision.decisionId), text: f.decision.decisionId})),
          el('td', {}, exportLink(f.decision.feature || 'unassigned'))))),
      section('Regression datasets', Array.isArray(datasets)
        ? table('datasets', ['Dataset', 'Cases', 'Updated', 'Export'], datasets, d => el('tr', {},
          el('td', {text: d.name}), el('td', {class: 'num', text: fmtNumber(d.cases, 0)}),
          el('td', {text: fmtTime(d.updatedAt)}), el('td', {}, exportLink(d.name))), 'No regression cases yet.')
        : el('p', {class: 'muted', text: 'Datasets are unavailable (' + datasets.message + ').'}))),
    mounts: mounts.list,
  };
}

/** The export needs the key in a header, so the link fetches it and saves the file instead of navigating. */
function exportLink(dataset) {
  const path = '/v1/datasets/' + encodeURIComponent(dataset) + '/export';
  return el('a', {href: path, class: 'export', dataset: {dataset}, text: dataset + '.jsonl',
    onclick: event => {
      event.preventDefault();
      download(path, dataset + '.jsonl').catch(e => {
        const banner = document.getElementById('error-banner');
        banner.textContent = 'Export failed: ' + e.message;
        banner.hidden = false;
      });
    }});
}
