// One trace: a collapsible span tree beside its timeline, and a detail panel for the chosen span — messages as chat
// turns, a tool call's arguments and result, retrieved documents with scores, attributes as JSON, redaction counts —
// with links to the trace's decisions, their evaluations and feedback, and to similar cases. Every string from the
// API is set as text.

import {ApiError, get} from '../api.js';
import {el, fmtMs, fmtNumber, fmtTime, fmtUsd, section, table, truncate, wideSection} from '../dom.js';
import {page} from './common.js';

export default async function trace(ctx) {
  const view = await get('/v1/traces/' + encodeURIComponent(ctx.arg));
  const spans = view.spans;
  const decisionIds = [...new Set(spans.map(s => s.decisionId).filter(Boolean))];
  const decisions = (await Promise.all(decisionIds.slice(0, 5).map(id =>
    get('/v1/decisions/' + encodeURIComponent(id)).catch(e => {
      if (e instanceof ApiError && e.status === 401) throw e;
      return null; // a span may name a decision that was never sent: the trace still shows
    })))).filter(Boolean);
  const tree = spanTree(spans);
  const root = tree.roots[0]?.span;
  const chosen = spans.find(s => s.spanId === ctx.q.get('span')) || root || spans[0];
  const detail = el('div', {id: 'span-detail', class: 'span-detail', tabindex: '-1', 'aria-live': 'polite'});
  const show = s => {
    detail.replaceChildren(spanDetail(s, decisions));
    document.querySelectorAll('#span-tree .tree-row').forEach(r =>
      r.setAttribute('aria-selected', String(r.dataset.spanId === s.spanId)));
    const url = new URL(location.href);
    url.searchParams.set('span', s.spanId);
    history.replaceState(null, '', url.pathname + url.search);
  };
  const treeNode = treeView(tree, show);
  const first = decisions[0]?.decision;
  const errorTypes = [...new Set(spans.map(s => s.errorType).filter(Boolean))];
  const totals = spans.reduce((a, s) => ({in: a.in + (s.inputTokens || 0), out: a.out + (s.outputTokens || 0),
    cost: a.cost + (Number(s.costUsd) || 0)}), {in: 0, out: 0, cost: 0});
  const similar = (params) => '/traces?' + new URLSearchParams([...params.filter(([, v]) => v), ['range', '7d']]);
  const facts = el('dl', {class: 'facts'},
    fact('Trace', el('code', {text: view.traceId})),
    fact('Root', root?.name ?? '—'),
    fact('Started', fmtTime(root?.startTime ?? spans[0]?.startTime)),
    fact('Duration', fmtMs(root?.latencyMs)),
    fact('Spans', fmtNumber(spans.length, 0)),
    fact('Tokens in / out', `${fmtNumber(totals.in, 0)} / ${fmtNumber(totals.out, 0)}`),
    fact('Cost', fmtUsd(totals.cost)),
    fact('Feature', spans.find(s => s.feature)?.feature ?? '—'),
    fact('User', spans.find(s => s.userId)?.userId ?? '—'),
    fact('Session', spans.find(s => s.sessionId)?.sessionId ?? '—'),
    fact('Decisions', decisionIds.length ? decisionIds.map((id, i) => [i ? ', ' : '',
      el('a', {href: '/decisions/' + encodeURIComponent(id), text: id})]) : 'none'));
  const feature = first?.feature ?? spans.find(s => s.feature)?.feature;
  const version = first?.promptVersion ?? spans.map(s => s.metadata?.promptVersion).find(Boolean);
  const docs = (first?.retrievalResults || []).map(r => r.docId).filter(Boolean);
  const similarLinks = el('ul', {class: 'similar', dataset: {list: 'similar'}},
    feature && version ? el('li', {}, el('a', {dataset: {similar: 'prompt-version'},
      href: similar([['feature', feature], ['promptVersion', version]]), text: `Same feature and prompt version (${feature} @ ${version})`})) : null,
    docs.length ? el('li', {}, el('a', {dataset: {similar: 'documents'},
      href: '/decisions?' + new URLSearchParams([...docs.map(d => ['docId', d]), ['range', '7d']]),
      text: `Same retrieved documents (${docs.join(', ')})`})) : null,
    errorTypes.map(t => el('li', {}, el('a', {dataset: {similar: 'error-type'},
      href: similar([['errorType', t], ['status', 'error']]), text: `Same error type (${t})`}))));
  const evals = decisions.flatMap(d => d.evals || []);
  const feedback = decisions.flatMap(d => d.feedback || []);
  const node = page('Trace ' + (root?.name ?? view.traceId), null,
    section('Summary', facts, el('h3', {text: 'Similar cases'}), similarLinks.childElementCount ? similarLinks
      : el('p', {class: 'muted', text: 'No feature, prompt version, documents or error to compare by.'})),
    wideSection('Spans', el('div', {class: 'trace-layout'}, treeNode, detail)),
    section('Evaluations', table('trace-evals', ['Decision', 'Evaluator', 'Score', 'Passed', 'Trigger', 'Reason'], evals,
      e => el('tr', {class: e.passed ? 'pass' : 'fail'}, el('td', {}, el('a', {href: '/decisions/' + encodeURIComponent(e.decisionId), text: e.decisionId})),
        el('td', {text: e.evaluator}), el('td', {class: 'num', text: fmtNumber(e.score, 3)}),
        el('td', {text: e.passed ? 'yes' : 'no'}), el('td', {text: e.trigger ?? '—'}), el('td', {class: 'text', text: e.reason ?? ''})),
      'Not evaluated.')),
    section('Feedback', table('trace-feedback', ['Decision', 'Signal', 'Correction', 'When'], feedback,
      f => el('tr', {}, el('td', {}, el('a', {href: '/decisions/' + encodeURIComponent(f.decisionId), text: f.decisionId})),
        el('td', {text: f.signal}), el('td', {class: 'text', text: f.correction ?? ''}), el('td', {text: fmtTime(f.occurredAt)})),
      'No feedback.')));
  return {node, mounts: [() => chosen && show(chosen)]};
}

/** Spans as a forest: children under their parent, in start order; a span whose parent is missing is a root. */
export function spanTree(spans) {
  const byId = new Map(spans.map(s => [s.spanId, {span: s, children: []}]));
  const roots = [];
  for (const node of byId.values()) {
    const parent = node.span.parentSpanId && node.span.parentSpanId !== node.span.spanId ? byId.get(node.span.parentSpanId) : null;
    (parent ? parent.children : roots).push(node);
  }
  const order = (a, b) => Date.parse(a.span.startTime) - Date.parse(b.span.startTime);
  const sortAll = nodes => {
    nodes.sort(order);
    nodes.forEach(n => sortAll(n.children));
  };
  sortAll(roots);
  const times = spans.flatMap(s => [Date.parse(s.startTime), s.endTime ? Date.parse(s.endTime) : Date.parse(s.startTime) + (s.latencyMs || 0)]);
  return {roots, t0: Math.min(...times), t1: Math.max(...times)};
}

/**
 * The tree: one row per span (a toggle for its children, its name, its bar on the trace's time axis). Keyboard: Tab
 * reaches each span's button; Enter or Space shows its details; the toggle collapses or expands its children.
 */
function treeView(tree, show) {
  const list = el('ul', {id: 'span-tree', class: 'span-tree', role: 'tree', 'aria-label': 'Spans of the trace'});
  const total = Math.max(1, tree.t1 - tree.t0);
  const add = (node, parentList, depth) => {
    const s = node.span;
    const kind = String(s.kind || 'other').toLowerCase().replace(/[^a-z]/g, '');
    const children = el('ul', {role: 'group'});
    const toggle = node.children.length
      ? el('button', {type: 'button', class: 'toggle', 'aria-expanded': 'true', 'aria-label': 'Collapse ' + (s.name ?? s.spanId), text: '−'})
      : el('span', {class: 'toggle-space', 'aria-hidden': 'true'});
    if (node.children.length) {
      toggle.addEventListener('click', () => {
        const open = toggle.getAttribute('aria-expanded') === 'true';
        toggle.setAttribute('aria-expanded', String(!open));
        toggle.setAttribute('aria-label', (open ? 'Expand ' : 'Collapse ') + (s.name ?? s.spanId));
        toggle.textContent = open ? '+' : '−';
        children.hidden = open;
      });
    }
    const begin = Date.parse(s.startTime) - tree.t0;
    const length = s.endTime ? Date.parse(s.endTime) - Date.parse(s.startTime) : (s.latencyMs || 0);
    const bar = el('div', {class: 'bar'});
    bar.style.left = (100 * begin / total) + '%';
    bar.style.width = Math.max(0.3, 100 * length / total) + '%';
    const name = el('button', {type: 'button', class: 'span-button', title: s.name ?? s.spanId, text: truncate(s.name ?? s.spanId, 80)});
    name.addEventListener('click', () => show(s));
    const label = el('div', {class: 'tree-label'}, toggle, name,
      el('span', {class: 'muted', text: ' ' + [s.kind, s.kind === 'TOOL' ? s.toolName : s.model, fmtMs(s.latencyMs)].filter(Boolean).join(' · ')}));
    label.style.paddingLeft = (depth * 1.1) + 'em';
    const item = el('li', {role: 'treeitem', 'aria-expanded': node.children.length ? 'true' : undefined},
      el('div', {class: `tree-row span kind-${kind}` + (s.status === 'ERROR' ? ' error' : ''), dataset: {spanId: s.spanId},
        'aria-selected': 'false'}, label, el('div', {class: 'track'}, bar)),
      node.children.length ? children : null);
    if (node.children.length) toggle.addEventListener('click', () => item.setAttribute('aria-expanded', toggle.getAttribute('aria-expanded')));
    parentList.appendChild(item);
    node.children.forEach(c => add(c, children, depth + 1));
  };
  tree.roots.forEach(r => add(r, list, 0));
  return list;
}

/** What one span holds, for the detail panel. */
function spanDetail(s, decisions) {
  const decision = decisions.map(d => d.decision).find(d => d.decisionId === s.decisionId);
  const redactions = Object.entries(s.redactions || {});
  return el('div', {dataset: {spanId: s.spanId}},
    el('h3', {text: s.name ?? s.spanId}),
    el('dl', {class: 'facts'},
      fact('Kind', s.kind ?? '—'),
      fact('Model', [s.model, s.requestModel && s.requestModel !== s.model ? `(asked for ${s.requestModel})` : null].filter(Boolean).join(' ') || '—'),
      fact('Latency', fmtMs(s.latencyMs)),
      fact('Tokens in / out', `${fmtNumber(s.inputTokens, 0)} / ${fmtNumber(s.outputTokens, 0)}`),
      fact('Cost', fmtUsd(s.costUsd)),
      fact('Status', [s.status, s.errorType, s.errorMessage].filter(Boolean).join(' · ') || '—'),
      fact('Redactions', el('span', {dataset: {field: 'redactions'},
        text: redactions.length ? redactions.map(([k, v]) => `${k}: ${v}`).join(', ') : 'none'})),
      s.decisionId ? fact('Decision', el('a', {href: '/decisions/' + encodeURIComponent(s.decisionId), text: s.decisionId})) : null),
    s.prompt != null ? [el('h4', {text: 'Input'}), chat(s.prompt, 'prompt')] : null,
    s.completion != null ? [el('h4', {text: 'Output'}), chat(s.completion, 'completion')] : null,
    s.kind === 'TOOL' || s.toolArguments != null || s.toolResult != null ? [
      el('h4', {text: 'Tool ' + (s.toolName ?? '')}),
      el('h5', {text: 'Arguments'}), el('pre', {class: 'text tool-arguments', text: pretty(s.toolArguments) ?? '—'}),
      el('h5', {text: 'Result'}), el('pre', {class: 'text tool-result' + (s.status === 'ERROR' ? ' error' : ''),
        text: pretty(s.toolResult) ?? s.errorMessage ?? '—'})] : null,
    decision && decision.retrievalResults?.length ? [el('h4', {text: 'Retrieved documents'}),
      table('span-documents', ['Document', 'Score'], decision.retrievalResults, r => el('tr', {},
        el('td', {text: r.docId ?? '—'}), el('td', {class: 'num', text: fmtNumber(r.score, 4)})))] : null,
    el('h4', {text: 'Attributes'}),
    el('pre', {class: 'text attributes', text: JSON.stringify({metadata: s.metadata ?? {}, attributes: s.attributes ?? {}}, null, 2)}));
}

/**
 * Messages as chat turns when the text is a JSON array of messages (GenAI, OpenInference and the SDKs store prompts
 * so: {role, content | parts, tool_calls}); any other text as it is.
 */
export function chat(text, field) {
  let messages = null;
  try {
    const parsed = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.length && parsed.every(m => m && typeof m === 'object' && !Array.isArray(m))) messages = parsed;
  } catch {
    // plain text
  }
  if (!messages) return el('pre', {class: 'text', dataset: {field}, text});
  return el('ol', {class: 'chat', dataset: {field}}, messages.map(m => {
    const role = String(m.role ?? m.type ?? 'message').toLowerCase();
    const calls = m.tool_calls ?? m.toolCalls ?? (Array.isArray(m.parts) ? m.parts.filter(p => p?.type === 'tool_call') : []);
    return el('li', {class: 'turn role-' + role.replace(/[^a-z]/g, ''), dataset: {role}},
      el('span', {class: 'role', text: role}),
      el('div', {class: 'content', text: contentText(m)}),
      Array.isArray(calls) && calls.length ? el('pre', {class: 'text tool-calls', text: JSON.stringify(calls, null, 2)}) : null);
  }));
}

function contentText(m) {
  const c = m.content ?? m.text;
  if (typeof c === 'string') return c;
  const parts = Array.isArray(c) ? c : Array.isArray(m.parts) ? m.parts : null;
  if (parts) {
    return parts.filter(p => p?.type !== 'tool_call')
      .map(p => (typeof p === 'string' ? p : p?.content ?? p?.text ?? p?.message_content?.text ?? JSON.stringify(p))).join('\n');
  }
  return c == null ? '' : JSON.stringify(c);
}

function pretty(v) {
  if (v == null) return null;
  try {
    return JSON.stringify(JSON.parse(v), null, 2);
  } catch {
    return v;
  }
}

function fact(label, value) {
  return [el('dt', {text: label}), el('dd', {}, value)];
}
