// The dashboard's shell: the key prompt, the client router (History API), the range and refresh pickers.

import {ADMIN_KEY, ApiError, KEY, freshness, whoami} from './api.js';
import {setTimeWindow} from './charts.js';
import {el} from './dom.js';
import {DEFAULT_RANGE, DEFAULT_REFRESH, RANGES, REFRESHES, rangeWindow} from './time.js';
import overview from './views/overview.js';
import cost from './views/cost.js';
import latency from './views/latency.js';
import errors from './views/errors.js';
import quality from './views/quality.js';
import feedback from './views/feedback.js';
import alerts from './views/alerts.js';
import decisions from './views/decisions.js';
import decision from './views/decision.js';
import traces from './views/traces.js';
import trace from './views/trace.js';
import sessions from './views/sessions.js';
import session from './views/session.js';
import users from './views/users.js';
import user from './views/user.js';

const VIEWS = {overview, cost, latency, errors, quality, feedback, alerts, decisions, decision, traces, trace, sessions,
  session, users, user};
/** The page of one item, under its list's tab: /decisions/{id} is a decision, shown under Decisions. */
const PARENT = {decision: 'decisions', trace: 'traces', session: 'sessions', user: 'users'};
const CHILD = Object.fromEntries(Object.entries(PARENT).map(([child, list]) => [list, child]));
const view = document.getElementById('view');
const banner = document.getElementById('error-banner');
const freshnessNotice = document.getElementById('freshness-notice');
const keyDialog = document.getElementById('key-dialog');
const keyForm = document.getElementById('key-form');
const keyInput = document.getElementById('key-input');
const keyError = document.getElementById('key-error');
const adminDialog = document.getElementById('admin-key-dialog');
const adminForm = document.getElementById('admin-key-form');
const adminInput = document.getElementById('admin-key-input');
const adminError = document.getElementById('admin-key-error');
const rangePicker = document.getElementById('range-picker');
const refreshPicker = document.getElementById('refresh-picker');

let renderSeq = 0;
let refreshTimer = null;

/** Which view a path shows, and its parameter: /decisions/{id} → ['decision', id]. */
function route(pathname) {
  const parts = pathname.replace(/\/+$/, '').split('/').filter(Boolean);
  if (parts.length === 0) return ['overview', null];
  if (parts.length === 2 && Object.hasOwn(CHILD, parts[0])) return [CHILD[parts[0]], decodeURIComponent(parts[1])];
  if (parts.length === 1 && Object.hasOwn(VIEWS, parts[0]) && !Object.hasOwn(PARENT, parts[0])) return [parts[0], null];
  return [null, null];
}

function params() {
  const q = new URLSearchParams(location.search);
  const range = Object.hasOwn(RANGES, q.get('range') ?? '') ? q.get('range') : DEFAULT_RANGE;
  const refresh = Object.hasOwn(REFRESHES, q.get('refresh') ?? '') ? q.get('refresh') : DEFAULT_REFRESH;
  return {q, range, refresh};
}

/** Navigates within the page: pushes the URL (keeping range and refresh unless given) and renders. */
export function navigate(path, extra = {}) {
  const {range, refresh} = params();
  const url = new URL(path, location.origin);
  if (!url.searchParams.has('range')) url.searchParams.set('range', extra.range || range);
  if (!url.searchParams.has('refresh')) url.searchParams.set('refresh', extra.refresh || refresh);
  history.pushState(null, '', url.pathname + url.search);
  render();
}

/** "Data is N s behind" while the pipeline is behind by more than loupe.dashboard.stale-after (GET /v1/freshness). */
async function showFreshness() {
  let text = '';
  try {
    const f = await freshness();
    if (f.stale) {
      text = `Data is ${f.behindSeconds} s behind`
        + (f.pendingRecords ? ` (${f.pendingRecords} records waiting to be stored)` : '')
        + ': the newest minutes are missing or incomplete.';
    }
  } catch {
    // the view reports failed calls; the notice only reports staleness
  }
  freshnessNotice.textContent = text;
  freshnessNotice.hidden = !text;
  freshnessNotice.dataset.state = text ? 'stale' : 'fresh';
}

function showError(message) {
  banner.textContent = message;
  banner.hidden = !message;
}

async function render() {
  const seq = ++renderSeq;
  const [name, arg] = route(location.pathname);
  const {q, range, refresh} = params();
  rangePicker.value = range;
  refreshPicker.value = refresh;
  document.querySelectorAll('a[data-nav]').forEach(a => {
    const active = a.dataset.nav === name || PARENT[name] === a.dataset.nav;
    a.classList.toggle('active', active && !a.classList.contains('brand'));
    if (active && !a.classList.contains('brand')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
    // keep the range and refresh when moving between views
    const base = a.dataset.nav === 'overview' ? '/' : '/' + a.dataset.nav;
    a.setAttribute('href', `${base}?range=${range}&refresh=${refresh}`);
  });
  view.dataset.view = name || 'overview';
  if (!name) {
    view.dataset.state = 'error';
    view.replaceChildren(el('p', {text: 'There is no such page. '}, el('a', {href: '/', text: 'Go to the overview.'})));
    showError('No page at ' + location.pathname);
    return;
  }
  scheduleRefresh(refresh);
  setTimeWindow(rangeWindow(range));
  if (!sessionStorage.getItem(KEY)) {
    view.dataset.state = 'loading';
    askKey('');
    return;
  }
  view.dataset.state = 'loading';
  showFreshness();
  const ctx = {arg, range, q, navigate, askAdminKey, rerender: render, isCurrent: () => seq === renderSeq};
  try {
    const {node, mounts = []} = await VIEWS[name](ctx);
    if (seq !== renderSeq) return;
    view.replaceChildren(node);
    mounts.forEach(m => m());
    showError('');
    view.dataset.state = 'ready';
  } catch (e) {
    if (seq !== renderSeq) return;
    console.error(e);
    view.dataset.state = 'error';
    if (e instanceof ApiError && e.status === 401) return; // the key prompt explains
    const message = e instanceof ApiError ? e.message : 'The view failed: ' + e.message;
    showError(message);
    view.replaceChildren(el('p', {class: 'muted', text: message}));
  }
}

function scheduleRefresh(refresh) {
  clearInterval(refreshTimer);
  const every = REFRESHES[refresh];
  if (every) refreshTimer = setInterval(() => {
    if (document.visibilityState === 'visible' && !keyDialog.open && !adminDialog.open) render();
  }, every);
}

// --- the read key ---------------------------------------------------------------------------------

/** Where focus was before a dialog opened, to give it back when the dialog closes. */
let focusBefore = null;

/** Opens a modal <dialog>: the page behind is inert, focus moves into it and Tab stays inside it. */
function openDialog(dialog, input) {
  if (!dialog.open) {
    focusBefore = document.activeElement;
    dialog.showModal();
  }
  input.focus();
}

function closeDialog(dialog) {
  if (dialog.open) dialog.close();
  if (focusBefore && document.contains(focusBefore)) focusBefore.focus();
  focusBefore = null;
}

function askKey(message) {
  keyError.textContent = message;
  openDialog(keyDialog, keyInput);
}

// Escape would close the key prompt with no key: the page cannot work without one, so it stays open. (Chromium lets
// a page refuse 'cancel' only after a user gesture, so a close without a key opens the prompt again.)
keyDialog.addEventListener('cancel', event => event.preventDefault());
keyDialog.addEventListener('close', () => {
  if (!sessionStorage.getItem(KEY)) {
    keyDialog.showModal();
    keyInput.focus();
  }
});

keyForm.addEventListener('submit', async event => {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (!key) {
    keyError.textContent = 'Enter an API key (lk_…) with the read scope.';
    return;
  }
  keyError.textContent = 'Checking the key…';
  try {
    const me = await whoami(key);
    const roles = me.roles || [];
    if (!roles.includes('read') && !roles.includes('admin')) {
      keyError.textContent = `This key (${me.keyId}) has no read scope (it has: ${roles.join(', ') || 'none'}). `
        + 'The dashboard needs a read or admin key.';
      return;
    }
    sessionStorage.setItem(KEY, key);
    keyInput.value = '';
    keyError.textContent = '';
    closeDialog(keyDialog);
    render();
  } catch (e) {
    keyError.textContent = e instanceof ApiError && e.status === 401
      ? 'This API key was not accepted: it is unknown, revoked or mistyped.'
      : 'The key could not be checked: ' + e.message;
  }
});

window.addEventListener('loupe:unauthorized', () => {
  sessionStorage.removeItem(KEY);
  askKey('The API key was refused (401): it may have been revoked. Enter a key with the read scope.');
});

document.getElementById('forget-key').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(ADMIN_KEY);
  view.replaceChildren();
  view.dataset.state = 'loading';
  askKey('');
});

// --- the admin key (acknowledge, silence) ---------------------------------------------------------

let adminWaiter = null;

/** Resolves to an admin key the server accepts (checked with whoami), or null when the user cancels. */
function askAdminKey() {
  adminError.textContent = '';
  openDialog(adminDialog, adminInput);
  return new Promise(resolve => {
    adminWaiter = resolve;
  });
}

function closeAdmin(result) {
  closeDialog(adminDialog);
  adminInput.value = '';
  const waiter = adminWaiter;
  adminWaiter = null;
  if (waiter) waiter(result);
}

// Escape cancels, like the Cancel button
adminDialog.addEventListener('cancel', event => {
  event.preventDefault();
  closeAdmin(null);
});

adminForm.addEventListener('submit', async event => {
  event.preventDefault();
  const key = adminInput.value.trim();
  if (!key) {
    adminError.textContent = 'Enter an API key with the admin scope.';
    return;
  }
  try {
    const me = await whoami(key);
    if (!(me.roles || []).includes('admin')) {
      adminError.textContent = 'This key has no admin scope; acknowledging and silencing need an admin key.';
      return;
    }
    sessionStorage.setItem(ADMIN_KEY, key);
    closeAdmin(key);
  } catch (e) {
    adminError.textContent = e instanceof ApiError && e.status === 401
      ? 'This admin key was not accepted: it is unknown, revoked or mistyped.'
      : 'The key could not be checked: ' + e.message;
  }
});
document.getElementById('admin-key-cancel').addEventListener('click', () => closeAdmin(null));

// --- navigation -----------------------------------------------------------------------------------

document.addEventListener('click', event => {
  const a = event.target.closest('a');
  if (!a || a.target === '_blank' || a.hasAttribute('download') || event.defaultPrevented
      || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/v1/') || url.pathname.startsWith('/q/')) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});

rangePicker.addEventListener('change', () => {
  const url = new URL(location.href);
  url.searchParams.set('range', rangePicker.value);
  history.pushState(null, '', url.pathname + url.search);
  render();
});
refreshPicker.addEventListener('change', () => {
  const url = new URL(location.href);
  url.searchParams.set('refresh', refreshPicker.value);
  history.replaceState(null, '', url.pathname + url.search);
  render();
});
window.addEventListener('popstate', render);

render();
