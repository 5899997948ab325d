// Talks to this origin only. Keys live in sessionStorage and travel in the Authorization header, never in a URL.

export const KEY = 'loupe.apiKey';
export const ADMIN_KEY = 'loupe.adminKey';

/** A failed call: the HTTP status (0 = network) and the problem+json detail when there is one. */
export class ApiError extends Error {
  constructor(status, message, problem) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
}

export function readKey() {
  return sessionStorage.getItem(KEY);
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach(x => q.append(k, x));
    else q.append(k, v);
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

async function send(method, path, key, body, accept = 'application/json') {
  const headers = {Accept: accept};
  if (key) headers.Authorization = 'Bearer ' + key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit', cache: 'no-store', redirect: 'error', referrerPolicy: 'no-referrer'});
  } catch (e) {
    throw new ApiError(0, 'Loupe cannot be reached (' + e.message + ')');
  }
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      // not JSON
    }
    const detail = problem && (problem.detail || problem.title);
    throw new ApiError(response.status, `${method} ${path.split('?')[0]}: ${response.status}${detail ? ' — ' + detail : ''}`, problem);
  }
  return response;
}

/** GET a JSON resource with the read key. A 401 means the key is gone or wrong: the page asks for another. */
export async function get(path, params) {
  try {
    const response = await send('GET', path + query(params), readKey());
    return await response.json();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) window.dispatchEvent(new CustomEvent('loupe:unauthorized'));
    throw e;
  }
}

/** GET a metric series: GET /v1/metrics/{metric} */
export function metric(name, params) {
  return get('/v1/metrics/' + encodeURIComponent(name), params);
}

/** How far behind the project's data is: GET /v1/freshness */
export function freshness() {
  return get('/v1/freshness');
}

/** Downloads a file the API serves (e.g. a dataset export) with the read key: no key in the URL, so no plain link. */
export async function download(path, filename) {
  const response = await send('GET', path, readKey(), undefined, '*/*');
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Checks a key: its whoami, or an ApiError (401 for an unknown key). */
export async function whoami(key) {
  const response = await send('GET', '/v1/whoami', key);
  return response.json();
}

/** An admin action with the admin key (asked for when absent by askAdminKey, given by main.js). */
export async function adminPost(path, body, askAdminKey) {
  let key = sessionStorage.getItem(ADMIN_KEY);
  if (!key) key = await askAdminKey();
  if (!key) throw new ApiError(0, 'cancelled: no admin key given');
  try {
    const response = await send('POST', path, key, body);
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      sessionStorage.removeItem(ADMIN_KEY);
      throw new ApiError(e.status, 'The admin key was refused (' + e.status + '): ' + e.message, e.problem);
    }
    throw e;
  }
}
