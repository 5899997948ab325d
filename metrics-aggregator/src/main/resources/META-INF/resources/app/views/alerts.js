// Alerts: what is pending or firing now, with its owner, runbook, value against threshold, and the actions an
// admin key may take (acknowledge, silence — forwarded to alert-manager); then recently resolved alerts.

import {adminPost, get} from '../api.js';
import {el, externalLink, fmtNumber, fmtSince, fmtTime, section, table, wideSection} from '../dom.js';
import {page} from './common.js';

const SILENCE_HOURS = ['1', '4', '24'];

export default async function alerts(ctx) {
  const [active, resolved] = await Promise.all([
    get('/v1/alerts', {state: 'pending,firing', limit: 500}),
    get('/v1/alerts', {state: 'resolved', limit: 50}),
  ]);
  const status = el('p', {id: 'alert-action-status', class: 'muted', role: 'status'});
  const duration = el('select', {id: 'silence-duration', 'aria-label': 'Silence for'},
    SILENCE_HOURS.map(h => el('option', {value: h, text: h + ' h'})));
  const detail = el('div', {id: 'alert-detail'});
  const act = async (label, call) => {
    status.textContent = label + '…';
    try {
      await call();
      status.textContent = label + ': done. The change appears once alert-manager publishes it.';
      // alert-manager publishes the change on loupe.alerts.v1; this service stores it a moment later
      setTimeout(() => ctx.isCurrent() && ctx.rerender(), 1500);
    } catch (e) {
      status.textContent = label + ' failed: ' + e.message;
    }
  };
  const rows = active.alerts.map(a => el('tr', {dataset: {fingerprint: a.fingerprint}, class: 'sev-' + (a.severity || 'none')},
    el('td', {dataset: {field: 'state'}, text: (a.state || '').toLowerCase()}),
    el('td', {dataset: {field: 'severity'}, text: a.severity ?? '—'}),
    el('td', {dataset: {field: 'summary'}, class: 'text', text: a.summary ?? a.ruleId ?? a.fingerprint}),
    el('td', {dataset: {field: 'owner'}, text: a.owner ?? '—'}),
    el('td', {dataset: {field: 'since'}, title: fmtTime(a.startsAt), text: fmtSince(a.startsAt)}),
    el('td', {dataset: {field: 'value'}, class: 'num', text: `${fmtNumber(a.value, 4)} vs ${fmtNumber(a.threshold, 4)}`
      + (a.baseline !== null && a.baseline !== undefined ? ` (baseline ${fmtNumber(a.baseline, 4)})` : '')}),
    el('td', {dataset: {field: 'runbook'}}, externalLink(a.runbookUrl, 'runbook')),
    el('td', {dataset: {field: 'acknowledgedBy'}, text: a.acknowledgedBy ?? ''}),
    el('td', {class: 'actions'},
      el('button', {type: 'button', dataset: {action: 'ack'}, disabled: !!a.acknowledgedBy, text: 'Acknowledge',
        onclick: () => act('Acknowledge', () => adminPost(`/v1/alerts/${a.fingerprint}/ack`, {}, ctx.askAdminKey))}),
      el('button', {type: 'button', dataset: {action: 'silence'}, text: 'Silence',
        onclick: () => act('Silence', () => adminPost('/v1/silences', silenceFor(a, Number(duration.value)), ctx.askAdminKey))}),
      el('button', {type: 'button', class: 'link-button', dataset: {action: 'history'}, text: 'History',
        onclick: () => showHistory(a.fingerprint, detail)}))));
  const activeTable = table('alerts', ['State', 'Severity', 'Summary', 'Owner', 'Since', 'Value vs threshold', 'Runbook',
    'Acknowledged by', ''], rows, r => r, 'Nothing is pending or firing.');
  const history = table('alert-history', ['Resolved', 'Severity', 'Summary', 'Owner', 'Started', 'Last value'], resolved.alerts,
    a => el('tr', {dataset: {fingerprint: a.fingerprint}},
      el('td', {text: fmtTime(a.endsAt ?? a.changedAt)}),
      el('td', {dataset: {field: 'severity'}, text: a.severity ?? '—'}),
      el('td', {class: 'text', text: a.summary ?? a.ruleId ?? a.fingerprint}),
      el('td', {dataset: {field: 'owner'}, text: a.owner ?? '—'}),
      el('td', {text: fmtTime(a.startsAt)}),
      el('td', {class: 'num', text: fmtNumber(a.value, 4)})), 'No alert resolved recently.');
  return {
    node: page('Alerts', 'Alert state as alert-manager published it on loupe.alerts.v1; acknowledging and silencing need an admin key.',
      wideSection('Pending and firing', el('div', {class: 'toolbar'}, el('label', {}, 'Silence for ', duration), status), activeTable),
      section('Selected alert', detail),
      section('Recently resolved', history)),
  };
}

/** An exact-match silence on the alert's labels (its identity), from now for the chosen hours. */
function silenceFor(alert, hours) {
  const labels = {...(alert.labels || {})};
  if (Object.keys(labels).length === 0 && alert.ruleId) labels.alertname = alert.ruleId;
  return {
    matchers: Object.entries(labels).map(([name, value]) => ({name, value: String(value), isRegex: false, isEqual: true})),
    startsAt: new Date().toISOString(),
    endsAt: new Date(Date.now() + hours * 3600e3).toISOString(),
    createdBy: 'dashboard',
    comment: `Silenced from the Loupe dashboard: ${alert.summary ?? alert.ruleId ?? alert.fingerprint}`,
  };
}

async function showHistory(fingerprint, target) {
  target.replaceChildren(el('p', {class: 'muted', text: 'Loading…'}));
  try {
    const h = await get(`/v1/alerts/${fingerprint}/history`);
    target.replaceChildren(el('p', {}, 'Alert ', el('code', {text: fingerprint})),
      table('alert-events', ['At', 'State', 'Value', 'Threshold', 'Baseline', 'Acknowledged by'], h.events, e => el('tr', {},
        el('td', {text: fmtTime(e.changedAt)}), el('td', {text: (e.state || '').toLowerCase()}),
        el('td', {class: 'num', text: fmtNumber(e.value, 4)}), el('td', {class: 'num', text: fmtNumber(e.threshold, 4)}),
        el('td', {class: 'num', text: fmtNumber(e.baseline, 4)}), el('td', {text: e.acknowledgedBy ?? ''}))));
  } catch (e) {
    target.replaceChildren(el('p', {class: 'muted', text: 'History unavailable: ' + e.message}));
  }
}
