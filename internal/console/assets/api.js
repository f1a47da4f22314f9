// The gateway's public API, as the console calls it: the same routes and
// headers as any client. URLs are relative to the console's own, so the
// console also works behind a path prefix (an API Gateway stage).
import * as session from './session.js';

export const root = new URL('../', document.baseURI);

// ApiError is a non-2xx answer: status, the API's error text, its
// validation issues (400) and, on 429, how long to wait.
export class ApiError extends Error {
  constructor(status, message, { issues = [], retryAfter = 0, requestId = '' } = {}) {
    super(message);
    this.status = status;
    this.issues = issues;
    this.retryAfter = retryAfter;
    this.requestId = requestId;
  }
}

// enc escapes one path segment (instance names, ids).
export const enc = (s) => encodeURIComponent(s);

function headers(auth, key) {
  const out = { Accept: 'application/json' };
  const s = key ? { kind: auth, key } : session.current();
  if (s && auth !== 'none') out[s.kind === 'operator' ? 'x-admin-key' : 'apikey'] = s.key;
  return out;
}

// call sends one request; body, when given, is sent as JSON. It resolves
// with the decoded answer (null for an empty one) and rejects with an
// ApiError for any status but 2xx. auth 'none' sends no key; key, when
// given, is used instead of the session's (to try a key before keeping it).
export async function call(method, path, { body, query, auth = 'session', key, signal } = {}) {
  const url = new URL(path, root);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  }
  const init = { method, headers: headers(auth, key), signal, cache: 'no-store', credentials: 'omit' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'The gateway cannot be reached. Is it running?');
  }
  const text = await res.text();
  let data = null;
  if (text && (res.headers.get('Content-Type') || '').includes('json')) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const message = (data && typeof data.error === 'string' && data.error) || `HTTP ${res.status}`;
    throw new ApiError(res.status, message, {
      issues: (data && Array.isArray(data.issues)) ? data.issues : [],
      retryAfter: Number(res.headers.get('Retry-After')) || 0,
      requestId: res.headers.get('x-request-id') || '',
    });
  }
  return data;
}

// Image types shown inline; anything else is offered as a download only,
// typed as an opaque file so that no browser renders it under the
// console's origin.
const inlineImages = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

// media fetches a received file with the key (media.url needs the apikey
// header, which an <img src> cannot send) from this console's own origin,
// and returns an object URL for it. The URL is built here from the
// instance and message id rather than taken from media.url, so the key is
// never sent anywhere but to this gateway.
export async function media(instanceName, messageId, mimetype) {
  const url = new URL(`instance/${enc(instanceName)}/media/${enc(messageId)}`, root);
  let res;
  try {
    res = await fetch(url, { headers: headers('session'), cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new ApiError(0, 'The file cannot be fetched from here');
  }
  if (!res.ok) throw new ApiError(res.status, res.status === 404 ? 'No longer kept' : `HTTP ${res.status}`);
  const blob = await res.blob();
  const inline = inlineImages.has(String(mimetype).toLowerCase());
  const typed = new Blob([blob], { type: inline ? String(mimetype).toLowerCase() : 'application/octet-stream' });
  return { url: URL.createObjectURL(typed), inline };
}

// describe turns an error into one line for a person.
export function describe(err) {
  if (!(err instanceof ApiError)) return String(err && err.message || err);
  const where = err.issues.map((i) => {
    const path = Array.isArray(i.path) && i.path.length ? i.path.join('.') + ': ' : '';
    return path + i.message;
  });
  let line = where.length ? `${err.message}: ${where.join('; ')}` : err.message;
  if (err.status === 429 && err.retryAfter) line += ` (try again in ${err.retryAfter} s)`;
  if (err.status >= 500 && err.requestId) line += ` (request id ${err.requestId})`;
  return line;
}
