// One session replayed as the conversation it was: each turn's input and answer in order, with its evaluation and
// feedback badges and a link to its trace. Inputs stored as a JSON array of messages show their last user message.

import {get} from '../api.js';
import {el, fmtMs, fmtTime, fmtUsd, wideSection} from '../dom.js';
import {page} from './common.js';

export default async function session(ctx) {
  const replay = await get('/v1/sessions/' + encodeURIComponent(ctx.arg));
  const turns = replay.turns;
  const cost = turns.reduce((a, t) => a + (Number(t.costUsd) || 0), 0);
  const exchange = (t, i) => el('li', {class: 'exchange' + (t.status === 'ERROR' ? ' error' : ''),
    dataset: {traceId: t.traceId, turn: String(i + 1)}},
  el('div', {class: 'exchange-meta muted'},
    `Turn ${i + 1} · ${fmtTime(t.startTime)} · ${t.feature ?? 'no feature'} · ${fmtMs(t.durationMs)} · ${fmtUsd(t.costUsd)} · `,
    el('a', {href: '/traces/' + encodeURIComponent(t.traceId), text: 'trace'}),
    t.decisionId ? [' · ', el('a', {href: '/decisions/' + encodeURIComponent(t.decisionId), text: 'decision'})] : null),
  el('div', {class: 'turn role-user'}, el('span', {class: 'role', text: 'user'}),
    el('div', {class: 'content', dataset: {field: 'input'}, text: lastUserMessage(t.input) ?? '—'})),
  el('div', {class: 'turn role-assistant'}, el('span', {class: 'role', text: 'assistant'}),
    el('div', {class: 'content', dataset: {field: 'output'}, text: answer(t.output) ?? '—'})),
  el('div', {class: 'badges'},
    t.status === 'ERROR' ? el('span', {class: 'badge bad', text: 'error' + (t.errorType ? ': ' + t.errorType : '')}) : null,
    (t.evals || []).map(e => el('span', {class: 'badge ' + (e.passed ? 'good' : 'bad'), dataset: {badge: 'eval'},
      text: `${e.evaluator} ${e.passed ? 'passed' : 'failed'}`})),
    (t.feedback || []).map(f => el('span', {class: 'badge feedback', dataset: {badge: 'feedback'}, text: f.toLowerCase()}))));
  const summary = `${turns.length} turn${turns.length === 1 ? '' : 's'}${replay.truncated ? ' (the first 500)' : ''}, ${fmtUsd(cost)}.`;
  return {
    node: page('Session ' + replay.sessionId, summary,
      wideSection('Conversation',
        replay.userId ? el('p', {}, 'User ', el('a', {href: '/users/' + encodeURIComponent(replay.userId), text: replay.userId})) : null,
        el('ol', {id: 'conversation', class: 'conversation'}, turns.map(exchange)))),
  };
}

/** The user's words of a turn: the last user message of a JSON message array, else the text itself. */
export function lastUserMessage(text) {
  const messages = parseMessages(text);
  if (!messages) return text;
  const user = [...messages].reverse().find(m => String(m.role ?? '').toLowerCase() === 'user');
  return user ? content(user) : content(messages[messages.length - 1]);
}

/** The answer of a turn: the text of a JSON message array's last message, else the text itself. */
export function answer(text) {
  const messages = parseMessages(text);
  return messages ? content(messages[messages.length - 1]) : text;
}

function parseMessages(text) {
  if (typeof text !== 'string' || !text.trimStart().startsWith('[')) return null;
  try {
    const parsed = JSON.parse(text);
    return Array.isArray(parsed) && parsed.length && parsed.every(m => m && typeof m === 'object') ? parsed : null;
  } catch {
    return null;
  }
}

function content(m) {
  const c = m.content ?? m.text;
  if (typeof c === 'string') return c;
  const parts = Array.isArray(c) ? c : Array.isArray(m.parts) ? m.parts : [];
  return parts.map(p => (typeof p === 'string' ? p : p?.content ?? p?.text ?? '')).filter(Boolean).join('\n');
}
