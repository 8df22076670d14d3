// The JSON API client of the console and the portal: one fetch wrapper that
// sends the CSRF token on writes, the language for server messages, and
// turns the one error shape {"error":{code,message,field}} into ApiError.
// A 401 on a signed-in call runs the handler set with onUnauthorized (the
// console shows the login form and keeps the page's draft).

import { getLang, has, t } from './i18n.js';

export const API = '/api/v1';
let csrf = null;
let unauthorized = null;

export class ApiError extends Error {
	constructor(status, code, message, field, body) {
		super(message || code || `HTTP ${status}`);
		this.status = status;
		this.code = code || '';
		this.field = field || '';
		this.body = body || null; // the whole answer (an import's report)
	}
}

export function setCsrf(token) {
	csrf = token || null;
}

export function onUnauthorized(fn) {
	unauthorized = fn;
}

// request('GET', '/orders?x=1') -> parsed JSON. opts: {body (object, sent as
// JSON), raw (Blob/File sent as is), type (its Content-Type), auth: false
// (a 401 is an answer, not an expired session: login, public pages)}.
export async function request(method, path, opts = {}) {
	const headers = { Accept: 'application/json', 'Accept-Language': getLang() === 'en' ? 'en' : 'zh-CN' };
	let body;
	if (opts.raw) {
		body = opts.raw;
		headers['Content-Type'] = opts.type || opts.raw.type || 'application/octet-stream';
	} else if (opts.body !== undefined) {
		body = JSON.stringify(opts.body);
		headers['Content-Type'] = 'application/json';
	}
	if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
	let res;
	try {
		res = await fetch(path.startsWith('/') && !path.startsWith(API) ? API + path : path, {
			method, headers, body, credentials: 'same-origin',
		});
	} catch (e) {
		throw new ApiError(0, 'network', t('err.network'));
	}
	const text = await res.text();
	let json = null;
	if (text && (res.headers.get('content-type') || '').includes('json')) {
		try {
			json = JSON.parse(text);
		} catch {
			json = null;
		}
	}
	if (!res.ok) {
		const e = (json && json.error) || {};
		const err = new ApiError(res.status, e.code || `http_${res.status}`, e.message, e.field, json);
		if (res.status === 401 && opts.auth !== false && unauthorized) unauthorized(err);
		throw err;
	}
	return json;
}

export const get = (p, o) => request('GET', p, o);
export const post = (p, body, o = {}) => request('POST', p, { ...o, body });

// A query string from an object, leaving out empty values.
export function qs(params) {
	const u = new URLSearchParams();
	for (const [k, v] of Object.entries(params || {})) {
		if (v === undefined || v === null || v === '' || v === false) continue;
		u.set(k, v === true ? '1' : String(v));
	}
	const s = u.toString();
	return s ? `?${s}` : '';
}

// A message for people: the translation of the error code when there is
// one, else the server's own message, with the field named.
export function errorText(err) {
	if (!(err instanceof ApiError)) return String((err && err.message) || err);
	let msg = has(`err.${err.code}`) ? t(`err.${err.code}`) : err.message;
	if (err.field && has(`field.${err.field}`)) msg += ` (${t(`field.${err.field}`)})`;
	else if (err.field && err.code !== 'csrf') msg += ` (${err.field})`;
	return msg;
}
