// Decisions: search by feature, model, prompt version, retrieved document and feedback signal over the range.

import {get} from '../api.js';
import {el, fmtTime, section, table, truncate, wideSection} from '../dom.js';
import {rangeWindow} from '../time.js';
import {page} from './common.js';

const FIELDS = [['feature', 'Feature'], ['model', 'Model'], ['promptVersion', 'Prompt version'], ['docId', 'Document id']];
const SIGNALS = ['', 'correct', 'incorrect', 'edited', 'dismissed', 'thumbs_up', 'thumbs_down'];

export default async function decisions(ctx) {
  const w = rangeWindow(ctx.range);
  const criteria = {};
  for (const [name] of FIELDS.concat([['signal']])) {
    const values = ctx.q.getAll(name).filter(v => v !== '');
    if (values.length) criteria[name] = name === 'docId' ? values : values[0];
  }
  const found = await get('/v1/decisions', {from: w.from, to: w.to, limit: 100, ...criteria});
  const form = el('form', {id: 'decision-search', class: 'search'},
    FIELDS.map(([name, label]) => el('label', {}, label,
      el('input', {name, type: 'search', value: [].concat(criteria[name] ?? [])[0] ?? '', autocomplete: 'off'}))),
    el('label', {}, 'Signal', el('select', {name: 'signal'}, SIGNALS.map(s =>
      el('option', {value: s, selected: (criteria.signal || '').toLowerCase() === s, text: s || 'any'})))),
    el('button', {type: 'submit', text: 'Search'}));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (String(v).trim()) q.append(k, String(v).trim());
    q.set('range', ctx.range);
    ctx.navigate('/decisions?' + q.toString());
  });
  const rows = found.decisions;
  return {
    node: page('Decisions', `Newest first, ${rows.length} found in the range${rows.length === 100 ? ' (the first 100)' : ''}.`,
      section('Search', form),
      wideSection('Results', table('decisions', ['When', 'Feature', 'Model', 'Prompt', 'Status', 'Feedback', 'Output', 'Decision'], rows,
        f => el('tr', {},
          el('td', {text: fmtTime(f.decision.occurredAt)}),
          el('td', {text: f.decision.feature ?? '—'}),
          el('td', {text: f.decision.model ?? '—'}),
          el('td', {text: [f.decision.promptTemplate, f.decision.promptVersion].filter(Boolean).join(' @ ') || '—'}),
          el('td', {text: f.decision.status ?? '—'}),
          el('td', {text: f.signals.join(', ')}),
          el('td', {class: 'text', text: truncate(f.decision.output, 120)}),
          el('td', {}, el('a', {href: '/decisions/' + encodeURIComponent(f.decision.decisionId), text: f.decision.decisionId}))),
        'No decision matches in this range.'))),
  };
}
