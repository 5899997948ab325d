// One decision: why the model said what it said — its context, the trace as a span waterfall (each tool call with
// its arguments and result), evaluations, feedback, and links to similar decisions.

import {get} from '../api.js';
import {el, fmtMs, fmtNumber, fmtTime, fmtUsd, section, table, wideSection} from '../dom.js';
import {page} from './common.js';

export default async function decision(ctx) {
  const view = await get('/v1/decisions/' + encodeURIComponent(ctx.arg));
  const d = view.decision;
  const docs = (d.retrievalResults || []).map(r => r.docId).filter(Boolean);
  const similar = (params) => {
    const q = new URLSearchParams();
    for (const [k, v] of params) if (v !== null && v !== undefined && v !== '') q.append(k, v);
    q.set('range', ctx.range === '15m' || ctx.range === '1h' || ctx.range === '6h' || ctx.range === '24h' ? '7d' : ctx.range);
    return '/decisions?' + q.toString();
  };
  const links = el('p', {class: 'similar'},
    el('a', {dataset: {similar: 'prompt-version'},
      href: similar([['feature', d.feature], ['promptVersion', d.promptVersion]]),
      text: `Same feature and prompt version (${d.feature ?? '—'} @ ${d.promptVersion ?? '—'})`}),
    ' · ',
    el('a', {dataset: {similar: 'documents'}, href: similar(docs.map(id => ['docId', id])),
      text: docs.length ? `Same retrieved documents (${docs.length})` : 'Same retrieved documents (none retrieved)'}));
  const context = el('dl', {class: 'facts'},
    fact('Decision', el('code', {text: d.decisionId})),
    fact('When', fmtTime(d.occurredAt)),
    fact('Feature', d.feature ?? '—'),
    fact('Model', el('span', {id: 'decision-model', text: d.model ?? ''})),
    fact('Prompt template', el('span', {id: 'decision-prompt-template', text: d.promptTemplate ?? ''})),
    fact('Prompt version', el('span', {id: 'decision-prompt-version', text: d.promptVersion ?? ''})),
    fact('Status', [d.status, d.errorType].filter(Boolean).join(' · ') || '—'),
    fact('Cost', fmtUsd(d.costUsd)),
    fact('Latency', fmtMs(d.latencyMs)),
    fact('Input hash', el('code', {id: 'decision-input-hash', text: d.inputHash ?? '—'})),
    fact('Trace', el('code', {text: d.traceId ?? '—'})),
    fact('Redactions', Object.entries(d.redactions || {}).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none'));
  const parsed = d.parseError
    ? el('pre', {id: 'decision-parsed', class: 'text error', text: 'Parse error: ' + d.parseError})
    : el('pre', {id: 'decision-parsed', class: 'text', text: d.parsedOutput == null ? '—' : JSON.stringify(d.parsedOutput, null, 2)});
  return {
    node: page('Decision ' + d.decisionId, null,
      section('Context', context, links),
      section('Input', el('pre', {id: 'decision-input', class: 'text', text: d.input ?? ''}),
        d.input == null ? el('p', {class: 'muted', text: 'The input was not recorded; its hash is above.'}) : null),
      section('Output', el('pre', {id: 'decision-output', class: 'text', text: d.output ?? ''}), el('h3', {text: 'Parsed output'}), parsed),
      section('Retrieval', table('retrieval', ['Document', 'Score', 'Text hash'], d.retrievalResults || [], r => el('tr', {},
        el('td', {dataset: {field: 'docId'}}, el('a', {href: similar([['docId', r.docId]]), text: r.docId ?? '—'})),
        el('td', {dataset: {field: 'score'}, class: 'num', text: fmtNumber(r.score, 4)}),
        el('td', {}, el('code', {text: r.textHash ?? '—'}))), 'Nothing was retrieved.')),
      wideSection('Trace', waterfall(view.spans), table('spans', ['Span', 'Kind', 'Model / tool', 'Latency', 'Tokens in / out', 'Cost', 'Status'],
        view.spans, s => el('tr', {dataset: {spanId: s.spanId}},
          el('td', {text: s.name ?? s.spanId}), el('td', {text: s.kind ?? '—'}),
          el('td', {}, modelOrTool(s)), el('td', {class: 'num', text: fmtMs(s.latencyMs)}),
          el('td', {class: 'num', text: `${fmtNumber(s.inputTokens, 0)} / ${fmtNumber(s.outputTokens, 0)}`}),
          el('td', {class: 'num', text: fmtUsd(s.costUsd)}),
          el('td', {text: [s.status, s.errorType].filter(Boolean).join(' · ') || '—'})), 'No span of this trace is stored.')),
      section('Evaluations', table('evals', ['Evaluator', 'Version', 'Score', 'Passed', 'Trigger', 'Reason', 'When'], view.evals,
        e => el('tr', {class: e.passed ? 'pass' : 'fail'}, el('td', {text: e.evaluator}), el('td', {text: e.evaluatorVersion ?? '—'}),
          el('td', {class: 'num', text: fmtNumber(e.score, 3)}), el('td', {text: e.passed ? 'yes' : 'no'}),
          el('td', {text: e.trigger ?? '—'}), el('td', {class: 'text', text: e.reason ?? ''}), el('td', {text: fmtTime(e.evaluatedAt)})),
        'Not evaluated.')),
      section('Feedback and corrections', table('feedback', ['Signal', 'Correction', 'Comment', 'When'], view.feedback,
        f => el('tr', {}, el('td', {text: f.signal}), el('td', {class: 'text'}, el('pre', {class: 'text', text: f.correction ?? ''})),
          el('td', {class: 'text', text: f.feedbackText ?? ''}), el('td', {text: fmtTime(f.occurredAt)})), 'No feedback.'))),
  };
}

/** The model (and the request model beside it where they differ), else the tool's name. */
function modelOrTool(s) {
  if (s.model == null && s.requestModel == null) return s.toolName ?? '—';
  const asked = s.requestModel != null && s.requestModel !== s.model
    ? el('span', {class: 'request-model muted', title: 'the model the app asked for', text: ` (asked for ${s.requestModel})`})
    : null;
  return [el('span', {class: 'model', text: s.model ?? s.requestModel}), asked];
}

/** A tool call's name, arguments and result, as text (arguments pretty-printed when they are JSON). */
function toolCall(s) {
  const pretty = v => {
    if (v == null) return null;
    try {
      return JSON.stringify(JSON.parse(v), null, 2);
    } catch {
      return v;
    }
  };
  const args = pretty(s.toolArguments);
  return el('details', {class: 'tool-call', dataset: {spanId: s.spanId}},
    el('summary', {}, 'Tool ', el('code', {class: 'tool-name', text: s.toolName ?? '—'}),
      s.status === 'ERROR' ? el('span', {class: 'muted', text: ' · ' + [s.status, s.errorType].filter(Boolean).join(' · ')}) : null),
    el('h4', {text: 'Arguments'}),
    el('pre', {class: 'text tool-arguments', text: args ?? '—'}),
    el('h4', {text: 'Result'}),
    el('pre', {class: 'text tool-result' + (s.status === 'ERROR' ? ' error' : ''), text: s.toolResult ?? s.errorMessage ?? '—'}));
}

function fact(label, value) {
  return [el('dt', {text: label}), el('dd', {}, value)];
}

/** Spans as bars on the trace's time axis: offset and width from start and end, indented by depth. */
export function waterfall(spans) {
  const box = el('div', {id: 'waterfall', class: 'waterfall'});
  if (!spans.length) return box;
  const start = t => Date.parse(t);
  const t0 = Math.min(...spans.map(s => start(s.startTime)));
  const t1 = Math.max(...spans.map(s => (s.endTime ? start(s.endTime) : start(s.startTime) + (s.latencyMs || 0))));
  const total = Math.max(1, t1 - t0);
  const byId = new Map(spans.map(s => [s.spanId, s]));
  const depth = s => {
    let n = 0;
    for (let p = byId.get(s.parentSpanId); p && n < 20; p = byId.get(p.parentSpanId)) n++;
    return n;
  };
  for (const s of spans) {
    const begin = start(s.startTime) - t0;
    const length = s.endTime ? start(s.endTime) - start(s.startTime) : (s.latencyMs || 0);
    const kind = String(s.kind || 'other').toLowerCase().replace(/[^a-z]/g, '');
    const bar = el('div', {class: 'bar'});
    // CSSOM properties, not a style attribute: allowed by the page's style-src 'self'
    bar.style.left = (100 * begin / total) + '%';
    bar.style.width = Math.max(0.3, 100 * length / total) + '%';
    const label = el('div', {class: 'span-label'}, el('span', {class: 'span-name', text: s.name ?? s.spanId}),
      el('span', {class: 'muted', text: ' ' + [s.model, s.requestModel != null && s.requestModel !== s.model ? `asked ${s.requestModel}` : null,
        s.kind === 'TOOL' ? s.toolName : null, fmtMs(s.latencyMs),
        s.inputTokens != null || s.outputTokens != null ? `${s.inputTokens ?? 0}+${s.outputTokens ?? 0} tok` : null,
        s.costUsd != null ? fmtUsd(s.costUsd) : null].filter(Boolean).join(' · ')}));
    label.style.paddingLeft = (depth(s) * 1.1) + 'em';
    box.appendChild(el('div', {class: `span kind-${kind}` + (s.status === 'ERROR' ? ' error' : ''), dataset: {spanId: s.spanId},
      title: `${s.kind ?? ''} ${s.name ?? ''}`}, label, el('div', {class: 'track'}, bar)));
    // a tool call's arguments and result, right below its bar
    if (s.kind === 'TOOL') {
      const call = toolCall(s);
      call.firstChild.style.paddingLeft = (depth(s) * 1.1) + 'em';
      box.appendChild(call);
    }
  }
  return box;
}
