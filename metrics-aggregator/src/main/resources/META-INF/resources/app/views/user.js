// One user: spend, calls, sessions (linked to their replays), feedback signals and the alerts whose labels name them.

import {get} from '../api.js';
import {el, fmtNumber, fmtTime, fmtUsd, section, table, wideSection} from '../dom.js';
import {rangeWindow} from '../time.js';
import {page} from './common.js';
import {feedbackText} from './users.js';

export default async function user(ctx) {
  const w = rangeWindow(ctx.range);
  const [view, sessions] = await Promise.all([
    get('/v1/users/' + encodeURIComponent(ctx.arg), {from: w.from, to: w.to}),
    get('/v1/sessions', {from: w.from, to: w.to, user: ctx.arg, limit: 100}),
  ]);
  const u = view.user;
  const facts = el('dl', {class: 'facts'},
    [['User (hashed)', el('code', {text: u.userId})], ['Label', u.label ?? '—'], ['Last seen', fmtTime(u.lastAt)],
      ['Spend', el('span', {dataset: {field: 'spend'}, text: fmtUsd(u.costUsd)})], ['LLM calls', fmtNumber(u.calls, 0)],
      ['Tokens in / out', `${fmtNumber(u.inputTokens, 0)} / ${fmtNumber(u.outputTokens, 0)}`],
      ['Traces', fmtNumber(u.traces, 0)], ['Traces with errors', fmtNumber(u.errorTraces, 0)],
      ['Feedback', el('span', {dataset: {field: 'feedback'}, text: feedbackText(u.feedback)})],
      ['Traces list', el('a', {href: '/traces?' + new URLSearchParams({user: u.userId, range: ctx.range}), text: 'this user\'s traces'})]]
      .map(([k, v]) => [el('dt', {text: k}), el('dd', {}, v)]));
  return {
    node: page('User ' + (u.label ?? u.userId), null,
      section('Summary', facts),
      section('Alerts that involved this user', table('user-alerts', ['Rule', 'State', 'Severity', 'Summary', 'Changed'], view.alerts,
        a => el('tr', {}, el('td', {text: a.ruleId ?? '—'}), el('td', {text: a.state}), el('td', {text: a.severity ?? '—'}),
          el('td', {class: 'text', text: a.summary ?? ''}), el('td', {text: fmtTime(a.changedAt)})),
        'No alert named this user in this range.')),
      wideSection('Sessions', table('user-sessions', ['Session', 'Turns', 'Last', 'Cost', 'Turns with errors', 'Feedback'], sessions.sessions,
        s => el('tr', {dataset: {sessionId: s.sessionId}},
          el('td', {}, el('a', {href: '/sessions/' + encodeURIComponent(s.sessionId), text: s.sessionId})),
          el('td', {class: 'num', text: fmtNumber(s.turns, 0)}), el('td', {text: fmtTime(s.lastAt)}),
          el('td', {class: 'num', text: fmtUsd(s.costUsd)}), el('td', {class: 'num', text: fmtNumber(s.errorTurns, 0)}),
          el('td', {text: (s.feedback || []).join(', ') || '—'})),
        'No session in this range.'))),
  };
}
