// The public portal (no login): report a problem, track it with the code
// and secret link it gets, rate it once resolved, and see the published
// figures. /portal/t/CODE#s=SECRET opens a tracking page; the secret stays
// in the fragment so it never reaches a server log as part of a path.

import { $, clear, field, h } from './dom.js';
import { applyI18n, getLang, initI18n, nameOf, onLangChange, setLang, t, has } from './i18n.js';
import { ApiError, errorText, get, post, qs, request } from './api.js';
import { fmtRate, fmtTime } from './format.js';
import { publicCategories } from './cache.js';

const MINE = 'sanfu.portal.mine';
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];
const main = () => $('#main');
let seq = 0;

function mine() {
	try {
		return JSON.parse(localStorage.getItem(MINE) || '[]');
	} catch {
		return [];
	}
}

function remember(code, secret, title) {
	const list = mine().filter((x) => x.code !== code);
	list.unshift({ code, secret, title, at: new Date().toISOString() });
	try {
		localStorage.setItem(MINE, JSON.stringify(list.slice(0, 20)));
	} catch {
		/* storage off: the person keeps the link themselves */
	}
}

const trackHref = (code, secret) => `/portal/t/${encodeURIComponent(code)}#s=${encodeURIComponent(secret)}`;

function route() {
	const path = location.pathname;
	const m = /^\/portal\/t\/([^/]+)$/.exec(path);
	if (m) {
		const frag = new URLSearchParams(location.hash.replace(/^#/, ''));
		const q = new URLSearchParams(location.search);
		return { name: 'track', code: decodeURIComponent(m[1]), secret: frag.get('s') || q.get('secret') || '' };
	}
	const hash = location.hash.replace(/^#/, '') || '/';
	if (hash.startsWith('/track')) {
		const q = new URLSearchParams(hash.split('?')[1] || '');
		return { name: 'track', code: q.get('code') || '', secret: q.get('s') || '' };
	}
	if (hash.startsWith('/stats')) return { name: 'stats' };
	return { name: 'submit' };
}

async function show() {
	const r = route();
	const my = ++seq;
	for (const a of document.querySelectorAll('#nav a')) a.setAttribute('aria-current', a.dataset.nav === r.name ? 'page' : 'false');
	const m = clear(main());
	try {
		if (r.name === 'track') await trackView(m, r.code, r.secret, my);
		else if (r.name === 'stats') await statsView(m, my);
		else await submitView(m);
	} catch (e) {
		if (my === seq) m.append(h('p.error', { role: 'alert' }, errorText(e)));
	}
	const h1 = m.querySelector('h1');
	document.title = `${h1 ? h1.textContent + ' · ' : ''}${t('portal.title')}`;
}

async function submitView(m) {
	const cats = await publicCategories();
	const cat = h('select', { name: 'category', required: true }, h('option', { value: '' }, t('form.choose')),
		cats.map((c) => h('option', { value: c.code }, nameOf(c))));
	const desc = h('textarea', { name: 'description', required: true, rows: 6, maxlength: 2000 });
	const addr = h('input', { name: 'address', required: true, maxlength: 200 });
	const phone = h('input', { name: 'phone', type: 'tel', inputmode: 'tel', maxlength: 30, autocomplete: 'tel' });
	const photo = h('input', { name: 'photo', type: 'file', accept: IMAGE_TYPES.join(',') });
	const msg = h('p.error', { role: 'alert' });
	const btn = h('button.primary', { type: 'submit' }, t('portal.submit'));
	const catHint = h('small.hint', { id: 'cat-desc' });
	cat.setAttribute('aria-describedby', 'cat-desc');
	cat.addEventListener('change', () => {
		const c = cats.find((x) => x.code === cat.value);
		catHint.textContent = c && c.description ? c.description : '';
	});
	const form = h('form.portal-form', { novalidate: true },
		h('div.field', h('label', { for: 'p-cat' }, t('portal.category')), cat, catHint),
		field(t('portal.description'), desc, t('portal.description_hint')),
		field(t('portal.address'), addr, t('portal.address_hint')),
		field(t('portal.phone'), phone, t('portal.phone_hint')),
		field(t('portal.photo'), photo, t('portal.photo_hint')),
		msg, btn);
	cat.id = 'p-cat';
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		msg.textContent = '';
		for (const el of [cat, desc, addr]) {
			if (!el.value.trim()) {
				msg.textContent = t('form.required');
				el.setAttribute('aria-invalid', 'true');
				el.focus();
				return;
			}
		}
		const f = photo.files[0];
		if (f && !IMAGE_TYPES.includes(f.type)) {
			msg.textContent = t('form.photo_type', { name: f.name });
			photo.focus();
			return;
		}
		const body = { category: cat.value, description: desc.value.trim(), address: addr.value.trim() };
		if (phone.value.trim()) body.phone = phone.value.trim();
		btn.disabled = true;
		try {
			const r = await post('/public/orders', body, { auth: false });
			remember(r.tracking_code, r.secret, body.description.slice(0, 40));
			let photoMsg = null;
			if (f) {
				try {
					await request('POST', `/public/orders/${encodeURIComponent(r.tracking_code)}/photo${qs({ secret: r.secret })}`, { raw: f, type: f.type, auth: false });
				} catch (e) {
					photoMsg = `${t('portal.photo_failed')} ${errorText(e)}`;
				}
			}
			submitted(m, r, photoMsg);
		} catch (e) {
			msg.textContent = e instanceof ApiError && e.status === 429 ? t('portal.rate_limited') : errorText(e);
			if (e.field) {
				const el = form.querySelector(`[name="${e.field}"]`);
				if (el) el.focus();
			}
		} finally {
			btn.disabled = false;
		}
	});
	m.append(h('section.panel',
		h('h1', t('portal.submit_title')),
		h('p', t('portal.submit_intro')),
		form));
}

function submitted(m, r, photoMsg) {
	const link = new URL(trackHref(r.tracking_code, r.secret), location.href).href;
	clear(m).append(h('section.panel.done', { 'data-testid': 'submitted' },
		h('h1', { tabindex: '-1' }, t('portal.thanks')),
		h('p', t('portal.keep_code')),
		h('dl.info',
			h('dt', t('portal.tracking_code')), h('dd', h('strong.code', { 'data-testid': 'tracking-code' }, r.tracking_code)),
			h('dt', t('portal.secret')), h('dd', h('code', { 'data-testid': 'secret' }, r.secret)),
			h('dt', t('portal.link')), h('dd', h('a', { href: trackHref(r.tracking_code, r.secret), 'data-testid': 'track-link' }, link))),
		photoMsg ? h('p.error', { role: 'alert' }, photoMsg) : null,
		h('p', h('button', { type: 'button', onclick: () => navigator.clipboard && navigator.clipboard.writeText(link) }, t('portal.copy_link'))),
		h('p.hint', t('portal.secret_warning'))));
	m.querySelector('h1').focus();
}

async function trackView(m, code, secret, my) {
	if (!code || !secret) {
		const c = h('input', { name: 'code', required: true, maxlength: 20, value: code, autocapitalize: 'characters' });
		const s = h('input', { name: 'secret', required: true, maxlength: 64, value: secret });
		const form = h('form.portal-form', field(t('portal.tracking_code'), c), field(t('portal.secret'), s),
			h('button.primary', { type: 'submit' }, t('portal.track')));
		form.addEventListener('submit', (ev) => {
			ev.preventDefault();
			if (c.value.trim() && s.value.trim()) location.href = trackHref(c.value.trim(), s.value.trim());
		});
		const list = mine();
		m.append(h('section.panel', h('h1', t('portal.track_title')), form,
			list.length ? h('section.mine', h('h2', t('portal.mine')), h('ul', list.map((x) => h('li',
				h('a', { href: trackHref(x.code, x.secret) }, x.code), ' ', h('span.muted', x.title || ''))))) : null));
		return;
	}
	let o;
	try {
		o = await get(`/public/orders/${encodeURIComponent(code)}${qs({ secret })}`, { auth: false });
	} catch (e) {
		if (my !== seq) return;
		m.append(h('section.panel', h('h1', t('portal.track_title')),
			h('p.error', { role: 'alert', 'data-testid': 'track-error' }, e.status === 404 ? t('portal.not_found') : errorText(e)),
			h('p', h('a', { href: '/portal/#/track' }, t('portal.try_again')))));
		return;
	}
	if (my !== seq) return;
	const stateText = has('state.' + o.state) ? t('state.' + o.state) : o.state_label;
	const call = o.return_call;
	m.append(h('article.panel.track', { 'data-state': o.state },
		h('h1', t('portal.track_title')),
		h('dl.info',
			h('dt', t('portal.tracking_code')), h('dd', h('strong.code', o.tracking_code || code)),
			h('dt', t('order.state')), h('dd', h(`span.badge.state-${o.state}`, { 'data-testid': 'public-state' }, stateText)),
			h('dt', t('order.category')), h('dd', nameOf(o.category)),
			h('dt', t('portal.submitted_at')), h('dd', fmtTime(o.created_at)),
			o.rating && o.rating !== 'none' ? [h('dt', t('order.rating')), h('dd', { 'data-testid': 'public-rating' }, t('rating.' + o.rating))] : null),
		o.public_note ? h('section', h('h2', t('order.public_note')), h('p.pre', o.public_note)) : null,
		o.result ? h('section', h('h2', t('order.result')), h('p.pre', { 'data-testid': 'public-result' }, o.result)) : null,
		call ? h('section', h('h2', t('portal.return_call')),
			h('p', { 'data-testid': 'public-call' }, `${fmtTime(call.at)} · ${t('channel.' + call.channel)}${call.summary ? ' · ' + call.summary : ''}`)) : null,
		o.can_rate ? rateForm(code, secret, o) : null,
		o.can_add_photo ? photoForm(code, secret) : null,
		h('section', h('h2', t('order.timeline')),
			h('ol.timeline', (o.timeline || []).map((ev) => h('li.event.public',
				h('div.ev-head', h('strong', has('action.' + ev.action) ? t('action.' + ev.action) : ev.action_label || ev.action),
					ev.to_state && ev.from_state !== ev.to_state ? h('span.ev-states', t('state.' + ev.to_state)) : null),
				h('div.ev-meta', h('time', { datetime: ev.at }, fmtTime(ev.at))),
				ev.rating ? h('p', t('rating.' + ev.rating)) : null,
				ev.text ? h('p.pre', ev.text) : null)))),
	));
}

function rateForm(code, secret, o) {
	const msg = h('p.error', { role: 'alert' });
	const comment = h('textarea', { name: 'comment', rows: 3, maxlength: 500 });
	const form = h('form.portal-form.rate', { 'data-testid': 'rate-form' },
		h('fieldset.radios', h('legend', t('portal.rate_question')),
			['satisfied', 'basic', 'unsatisfied'].map((r) => h('label.radio',
				h('input', { type: 'radio', name: 'rating', value: r, required: true }), h('span', t('rating.' + r))))),
		h('p.hint', t('portal.rate_hint')),
		field(t('form.comment'), comment),
		msg,
		h('button.primary', { type: 'submit' }, t('portal.rate')));
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const r = form.querySelector('input[name=rating]:checked');
		if (!r) {
			msg.textContent = t('form.required');
			form.querySelector('input[name=rating]').focus();
			return;
		}
		try {
			const body = { secret, rating: r.value };
			if (comment.value.trim()) body.comment = comment.value.trim();
			await post(`/public/orders/${encodeURIComponent(code)}/rate`, body, { auth: false });
			show();
		} catch (e) {
			msg.textContent = errorText(e);
		}
	});
	return h('section', h('h2', t('portal.rate_title')), form);
}

function photoForm(code, secret) {
	const input = h('input', { type: 'file', name: 'photo', accept: IMAGE_TYPES.join(','), required: true });
	const msg = h('p', { role: 'status' });
	const form = h('form.portal-form', field(t('portal.photo'), input, t('portal.photo_hint')), msg,
		h('button', { type: 'submit' }, t('portal.add_photo')));
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const f = input.files[0];
		if (!f) return;
		if (!IMAGE_TYPES.includes(f.type)) {
			msg.textContent = t('form.photo_type', { name: f.name });
			return;
		}
		try {
			await request('POST', `/public/orders/${encodeURIComponent(code)}/photo${qs({ secret })}`, { raw: f, type: f.type, auth: false });
			msg.textContent = t('portal.photo_done');
			input.value = '';
		} catch (e) {
			msg.textContent = errorText(e);
		}
	});
	return h('details.add-photo', h('summary', t('portal.add_photo')), form);
}

function bars(caption, rows, head) {
	const max = Math.max(1, ...rows.map((r) => r[1]));
	return h('table.bars', h('caption', caption),
		h('thead', h('tr', head.map((x) => h('th', { scope: 'col' }, x)))),
		h('tbody', rows.map((r) => h('tr', h('th', { scope: 'row' }, r[0]),
			r.slice(1).map((v, i) => h('td', h('span.bar', { class: i ? 'alt' : null, style: `--w:${Math.round((100 * (v || 0)) / max)}%` }), h('span.num', v ?? 0)))))));
}

async function statsView(m, my) {
	const s = await get('/public/stats?months=12', { auth: false });
	if (my !== seq) return;
	const tot = s.totals || s;
	const months = s.by_month || s.monthly || [];
	const cats = s.by_category || [];
	m.append(h('section.panel.stats',
		h('h1', t('portal.stats_title')),
		h('p.muted', t('portal.stats_intro', { months: s.months || 12 })),
		h('div.figures',
			h('div.figure', { 'data-testid': 'pub-received' }, h('span.value', tot.received ?? '—'), h('span.label', t('dash.received'))),
			h('div.figure', { 'data-testid': 'pub-solved' }, h('span.value', tot.solved ?? '—'), h('span.label', t('dash.solved'))),
			h('div.figure', h('span.value', fmtRate(s.on_time_rate ?? tot.on_time_rate)), h('span.label', t('dash.on_time'))),
			h('div.figure', h('span.value', fmtRate(s.satisfaction_rate ?? tot.satisfaction_rate)), h('span.label', t('dash.satisfaction')))),
		months.length ? bars(t('portal.by_month'), months.map((x) => [x.month || x.month_start || '', x.received ?? x.created ?? 0, x.solved ?? x.closed ?? 0]),
			[t('portal.month'), t('dash.received'), t('dash.solved')]) : null,
		cats.length ? bars(t('dash.by_category'), cats.map((x) => [nameOf(x) || x.code, x.count ?? x.received ?? 0]), [t('order.category'), t('dash.count')]) : null,
	));
}

async function start() {
	await initI18n();
	applyI18n();
	$('#lang').addEventListener('click', () => setLang(getLang() === 'en' ? 'zh-CN' : 'en'));
	onLangChange(() => {
		applyI18n();
		show();
	});
	window.addEventListener('hashchange', show);
	await show();
	document.body.classList.add('ready');
}

start();
