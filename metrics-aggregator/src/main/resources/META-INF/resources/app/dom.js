// DOM helpers. Every string from the API is set as text (textContent or an attribute), never parsed as HTML.

/** el('td', {class: 'num', dataset: {field: 'state'}}, 'text', childNode…) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'text') node.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

/** A link only when the URL parses as http(s); otherwise the URL as plain text. */
export function externalLink(url, text) {
  if (!url) return el('span', {class: 'muted', text: '—'});
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return el('span', {text: url});
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return el('span', {text: url});
  return el('a', {href: parsed.href, target: '_blank', rel: 'noopener noreferrer', text: text || url});
}

/** table[data-table=id] with a header row and one row per item (rowFn returns a <tr>). */
export function table(id, headers, items, rowFn, empty = 'Nothing in this range.') {
  const tbody = el('tbody', {}, items.map(rowFn));
  const t = el('table', {class: 'data', dataset: {table: id}},
    el('thead', {}, el('tr', {}, headers.map(h => el('th', {scope: 'col', text: h})))), tbody);
  const wrap = el('div', {class: 'table-wrap'}, t);
  if (items.length === 0) wrap.appendChild(el('p', {class: 'muted empty', text: empty}));
  return wrap;
}

export function section(title, ...children) {
  return el('section', {class: 'panel'}, el('h2', {text: title}), ...children);
}

/** A panel that takes the whole width of the grid (wide tables). */
export function wideSection(title, ...children) {
  return el('section', {class: 'panel wide'}, el('h2', {text: title}), ...children);
}

export function fmtNumber(v, digits = 2) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return v.toExponential(2);
  return v.toLocaleString(undefined, {maximumFractionDigits: digits});
}

export function fmtPercent(v) {
  return v === null || v === undefined ? '—' : (v * 100).toLocaleString(undefined, {maximumFractionDigits: 2}) + ' %';
}

export function fmtUsd(v) {
  if (v === null || v === undefined) return '—';
  return '$' + Number(v).toLocaleString(undefined, {minimumFractionDigits: 2, maximumFractionDigits: v < 1 ? 4 : 2});
}

export function fmtMs(v) {
  return v === null || v === undefined ? '—' : Math.round(v).toLocaleString() + ' ms';
}

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/** "3 min ago", "2 h ago" */
export function fmtSince(iso) {
  if (!iso) return '—';
  const s = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 90) return Math.round(s) + ' s ago';
  if (s < 5400) return Math.round(s / 60) + ' min ago';
  if (s < 172800) return Math.round(s / 3600) + ' h ago';
  return Math.round(s / 86400) + ' d ago';
}

export function truncate(text, n = 160) {
  if (text === null || text === undefined) return '';
  const s = String(text);
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

/** The label of a series group such as {feature: "support-rag", model: null}. */
export function groupLabel(group) {
  const parts = Object.entries(group || {}).map(([, v]) => (v === null || v === '' ? '(none)' : v));
  return parts.length ? parts.join(' · ') : 'all';
}
