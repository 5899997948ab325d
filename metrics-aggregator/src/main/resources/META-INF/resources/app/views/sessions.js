// Sessions: the conversations of the range, latest activity first, with their turns, tokens, cost, errors and the
// feedback on their decisions; a user filter in the URL; "Next page" follows the API's cursor.

import {get} from '../api.js';
import {el, fmtNumber, fmtTime, fmtUsd, table, truncate, wideSection} from '../dom.js';
import {rangeWindow} from '../time.js';
import {page} from './common.js';

export default async function sessions(ctx) {
  const w = rangeWindow(ctx.range);
  const user = (ctx.q.get('user') || '').trim() || undefined;
  const feature = (ctx.q.get('feature') || '').trim() || undefined;
  const cursor = ctx.q.get('cursor') || undefined;
  const list = await get('/v1/sessions', {from: w.from, to: w.to, user, feature, cursor, limit: 50});
  const next = new URLSearchParams(ctx.q);
  if (list.nextCursor) next.set('cursor', list.nextCursor);
  const rows = list.sessions;
  return {
    node: page('Sessions', (user ? `Sessions of user ${user}. ` : '') + 'Latest activity first; a turn is one trace.',
      wideSection(`Sessions: ${rows.length}${cursor ? ' (a later page)' : ''}`,
        table('sessions', ['Session', 'User', 'Turns', 'First', 'Last', 'Tokens', 'Cost', 'Turns with errors', 'Feedback'], rows,
          s => el('tr', {dataset: {sessionId: s.sessionId}},
            el('td', {dataset: {field: 'session'}}, el('a', {href: '/sessions/' + encodeURIComponent(s.sessionId) + '?range=' + ctx.range,
              text: truncate(s.sessionId, 40), title: s.sessionId})),
            el('td', {}, s.userId ? el('a', {href: '/users/' + encodeURIComponent(s.userId) + '?range=' + ctx.range,
              text: truncate(s.userId, 16), title: s.userId}) : '—'),
            el('td', {class: 'num', dataset: {field: 'turns'}, text: fmtNumber(s.turns, 0)}),
            el('td', {text: fmtTime(s.firstAt)}),
            el('td', {text: fmtTime(s.lastAt)}),
            el('td', {class: 'num', text: `${fmtNumber(s.inputTokens, 0)} / ${fmtNumber(s.outputTokens, 0)}`}),
            el('td', {class: 'num', text: fmtUsd(s.costUsd)}),
            el('td', {class: 'num', dataset: {field: 'errors'}, text: fmtNumber(s.errorTurns, 0)}),
            el('td', {text: (s.feedback || []).join(', ') || '—'})),
          'No session in this range.'),
        list.nextCursor ? el('p', {}, el('a', {id: 'next-page', href: '/sessions?' + next.toString(), text: 'Next page →'})) : null)),
  };
}
