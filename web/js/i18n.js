// Strings of the console and the portal: web/i18n/zh-CN.json and en.json.
// Chinese is the default; the choice persists in localStorage. Keys used in
// code are written literally as t with a quoted key (or a quoted prefix
// plus a value of one of the enumerations of enums.js) so that
// tests/e2e/i18n.test.mjs can find them all.

const STORE_KEY = 'sanfu.lang';
export const LANGS = ['zh-CN', 'en'];
let lang = 'zh-CN';
let dict = {};
let fallback = {};
const listeners = new Set();

function stored() {
	try {
		const v = localStorage.getItem(STORE_KEY);
		return LANGS.includes(v) ? v : null;
	} catch {
		return null;
	}
}

async function fetchDict(l) {
	const res = await fetch(`/i18n/${l}.json`, { cache: 'no-cache' });
	if (!res.ok) throw new Error(`cannot load /i18n/${l}.json: ${res.status}`);
	return res.json();
}

// Load the stored (or default) language; call once before rendering.
export async function initI18n() {
	lang = stored() || 'zh-CN';
	dict = await fetchDict(lang);
	fallback = lang === 'zh-CN' ? dict : await fetchDict('zh-CN').catch(() => ({}));
	document.documentElement.lang = lang;
	return lang;
}

export function getLang() {
	return lang;
}

export function isEnglish() {
	return lang === 'en';
}

// Switch language, remember it, and tell the listeners (which re-render).
export async function setLang(l) {
	if (!LANGS.includes(l) || l === lang) return;
	dict = await fetchDict(l);
	if (!Object.keys(fallback).length) fallback = await fetchDict('zh-CN').catch(() => ({}));
	lang = l;
	try {
		localStorage.setItem(STORE_KEY, l);
	} catch {
		/* private mode: the switch lasts for this page only */
	}
	document.documentElement.lang = l;
	for (const fn of listeners) fn(l);
}

export function onLangChange(fn) {
	listeners.add(fn);
	return () => listeners.delete(fn);
}

// The string for key with {name} placeholders filled from vars.
export function t(key, vars) {
	let s = dict[key];
	if (s === undefined) s = fallback[key];
	if (s === undefined) return key;
	if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined ? m : String(vars[k])));
	return s;
}

// Whether a key exists (for optional labels such as server error codes).
export function has(key) {
	return dict[key] !== undefined || fallback[key] !== undefined;
}

// Fill the elements under root that carry a data-i18n attribute (their
// text) or data-i18n-attr (attributes, as "placeholder:some.key,...").
export function applyI18n(root = document) {
	for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
	for (const el of root.querySelectorAll('[data-i18n-attr]')) {
		for (const pair of el.dataset.i18nAttr.split(',')) {
			const [attr, key] = pair.split(':').map((s) => s.trim());
			if (attr && key) el.setAttribute(attr, t(key));
		}
	}
}

// A category's, unit's or label's name in the current language: the
// English field when English is on and it is not empty.
export function nameOf(obj, zhKey = 'name', enKey = 'name_en') {
	if (!obj) return '';
	if (lang === 'en' && obj[enKey]) return obj[enKey];
	return obj[zhKey] || obj[enKey] || '';
}
