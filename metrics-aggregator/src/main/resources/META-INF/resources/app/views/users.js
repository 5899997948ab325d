// Users: by latest activity, each as the hash Loupe stores and the display label the app sent (metadata userLabel),
// with spend, calls, sessions and feedback.

import {get} from '../api.js';
import {el, fmtNumber, fmtTime, fmtUsd, table, truncate, wideSection} from '../dom.js';
import {rangeWindow} from '../time.js';
import {page} from './common.js';

export function feedbackText(counts) {
  const entries = Object.entries(counts || {});
  return entries.length ? entries.map(([k, v]) => `${k.toLowerCase()} ${v}`).join(', ') : '—';
}

export default async function users(ctx) {
  const w = rangeWindow(ctx.range);
  const cursor = ctx.q.get('cursor') || undefined;
  const list = await get('/v1/users', {from: w.from, to: w.to, cursor, limit: 50});
  const next = new URLSearchParams(ctx.q);
  if (list.nextCursor) next.set('cursor', list.nextCursor);
  const rows = list.users;
  return {
    node: page('Users', 'User ids are stored hashed: the hash is the id here, beside the label the app sent (metadata userLabel).',
      wideSection(`Users: ${rows.length}${cursor ? ' (a later page)' : ''}`,
        table('users', ['User', 'Label', 'Last seen', 'Traces', 'Sessions', 'LLM calls', 'Tokens', 'Spend', 'Feedback'], rows,
          u => el('tr', {dataset: {userId: u.userId}},
            el('td', {dataset: {field: 'user'}}, el('a', {href: '/users/' + encodeURIComponent(u.userId) + '?range=' + ctx.range,
              text: truncate(u.userId, 20), title: u.userId})),
            el('td', {dataset: {field: 'label'}, text: u.label ?? '—'}),
            el('td', {text: fmtTime(u.lastAt)}),
            el('td', {class: 'num', text: fmtNumber(u.traces, 0)}),
            el('td', {class: 'num', text: fmtNumber(u.sessions, 0)}),
            el('td', {class: 'num', text: fmtNumber(u.calls, 0)}),
            el('td', {class: 'num', text: `${fmtNumber(u.inputTokens, 0)} / ${fmtNumber(u.outputTokens, 0)}`}),
            el('td', {class: 'num', dataset: {field: 'spend'}, text: fmtUsd(u.costUsd)}),
            el('td', {dataset: {field: 'feedback'}, text: feedbackText(u.feedback)})),
          'No user in this range.'),
        list.nextCursor ? el('p', {}, el('a', {id: 'next-page', href: '/users?' + next.toString(), text: 'Next page →'})) : null)),
  };
}
