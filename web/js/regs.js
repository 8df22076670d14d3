// Shared pieces of the registers, visits, hazards, campaigns and pairing
// screens: who may do what (the same role sets as the API's route table),
// links to targets, a hazard's deadline mark (with the working days left
// the server counts), reveal-with-reason, "load more" lists, and error
// text that keeps the server's detail. Loaded only with those screens.

import { clear, field, h } from './dom.js';
import { ApiError, errorText, get, post } from './api.js';
import { has, t } from './i18n.js';
import { fmtDate, fmtTime } from './format.js';

// Role sets, as the API's route table has them (docs/registers.md).
export const ROLES = {
	privileged: ['admin', 'leader', 'dispatcher'],
	entWrite: ['admin', 'leader', 'dispatcher', 'dept'],
	entImport: ['admin', 'leader', 'dispatcher'],
	hhWrite: ['admin', 'dispatcher', 'community', 'grid'],
	pairSet: ['admin', 'leader'],
	campaignWrite: ['admin', 'leader', 'dispatcher'],
	hazardVerify: ['admin', 'leader', 'dispatcher', 'dept'],
	users: ['admin', 'leader', 'dispatcher'],
};
export const can = (me, set) => Boolean(me && ROLES[set].includes(me.role));

export const ref = (x) => (x && x.name) || '';
export const dash = (v) => (v === null || v === undefined || v === '' ? '—' : String(v));
export const masked = (v) => typeof v === 'string' && v.includes('*');

// Where a visit's target lives in the console.
export function targetHref(kind, id) {
	if (kind === 'household') return `#/registers/households/${id}`;
	if (kind === 'enterprise') return `#/registers/enterprises/${id}`;
	if (kind === 'place') return `#/registers/places/${id}`;
	return `#/visits?target_kind=${kind}&target_id=${id}`;
}

export function targetLink(target) {
	if (!target) return '—';
	return h('a', { href: targetHref(target.kind, target.id) }, target.name || `#${target.id}`);
}

// An error for people: the translated code (the registers' own wording
// first), with the server's own words beside it so the value at fault is
// named, or the field's label when only the server's words are known.
export function errText(e) {
	if (!(e instanceof ApiError)) return errorText(e);
	let key = null;
	if (has('rerr.' + e.code)) key = 'rerr.';
	else if (has('err.' + e.code)) key = 'err.';
	if (!key) return `${e.message}${e.field && has('rfield.' + e.field) ? `（${t('rfield.' + e.field)}）` : ''}`;
	const text = key === 'rerr.' ? t('rerr.' + e.code) : t('err.' + e.code);
	return e.message && e.message !== e.code && e.code !== 'network' ? `${text}（${e.message}）` : text;
}

// A definition list of [label, value] rows, leaving out empty values.
export function info(rows, attrs) {
	return h('dl.info', attrs || {}, rows.filter(Boolean).map(([k, v, a]) => (v === null || v === undefined || v === ''
		? null : [h('dt', k), h('dd', a || {}, v)])));
}

// The "not found or not yours" panel (the API answers 404 out of scope).
export function missing(main, e, back) {
	const denied = e.status === 404 || e.status === 403;
	main.append(h('section.panel.denied', { 'data-testid': 'not-found' },
		h('h1', denied ? t('reg.not_found_title') : t('reg.load_failed')),
		h('p', { role: 'alert' }, denied ? t('reg.not_found') : errText(e)),
		back ? h('p', h('a', { href: back[0] }, back[1])) : null));
}

// A table with a caption; cols are [labelKey-translated, fn(item) -> node|string].
export function table(caption, cols, cls = 'orders') {
	const tbody = h('tbody');
	const el = h(`table.${cls}`, h('caption.sr-only', caption),
		h('thead', h('tr', cols.map(([label]) => h('th', { scope: 'col' }, label)))), tbody);
	const add = (items, rowAttrs) => {
		const frag = document.createDocumentFragment();
		for (const it of items) {
			frag.appendChild(h('tr', rowAttrs ? rowAttrs(it) : {}, cols.map(([label, fn]) => {
				const v = fn(it);
				return h('td', { 'data-label': label || null }, v === null || v === undefined || v === '' ? '—' : v);
			})));
		}
		tbody.appendChild(frag);
	};
	return { el, tbody, add };
}

// A list paged with "load more": load(cursor) -> {items, next}; show(items).
export function pager(ctx, load, show, opts = {}) {
	const status = h('p.status', { role: 'status', 'aria-live': 'polite' });
	const more = h('button.more', { type: 'button', hidden: true }, t('inbox.more'));
	let shown = 0;
	let total = null;
	async function run(cursor) {
		more.hidden = true;
		status.textContent = t('inbox.loading');
		status.classList.remove('error');
		try {
			const r = await load(cursor);
			if (!ctx.isCurrent()) return;
			const items = r.items || [];
			show(items);
			shown += items.length;
			if (r.total !== undefined && r.total !== null) total = r.total;
			else if (!r.next && total === null) total = shown;
			status.textContent = shown ? (total !== null ? t('reg.count', { n: total }) : t('reg.shown', { n: shown })) : (opts.empty || t('reg.empty'));
			if (r.next) {
				more.hidden = false;
				more.onclick = () => run(r.next);
			}
		} catch (e) {
			if (e.status === 401) return;
			status.textContent = errText(e);
			status.classList.add('error');
		}
	}
	return { status, more, run };
}

// A reveal-with-reason button for a masked value (admin, leader and
// dispatcher): the reason goes to the audit log with the reveal.
export function revealer(me, path, fieldName, box) {
	if (!can(me, 'privileged') || !masked(box.textContent)) return null;
	const btn = h('button.link', { type: 'button', 'data-reveal': fieldName }, t('order.reveal'));
	btn.addEventListener('click', () => {
		const reason = h('input', { name: 'reason', required: true, maxlength: 200 });
		const msg = h('span.error', { role: 'alert' });
		const f = h('form.inline.reveal', field(t('order.reveal_reason'), reason, t('order.reveal_hint')),
			h('button', { type: 'submit' }, t('order.reveal')), msg);
		f.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			if (!reason.value.trim()) {
				msg.textContent = t('form.required');
				reason.focus();
				return;
			}
			try {
				const r = await post(path, { reason: reason.value.trim(), field: fieldName });
				box.textContent = r.value;
				box.dataset.revealed = '1';
				f.remove();
			} catch (e) {
				msg.textContent = errText(e);
			}
		});
		btn.replaceWith(f);
		reason.focus();
	});
	return btn;
}

// The mark of a hazard's deadline: overdue, nearly due, the working days
// left (workdays_left: the server counts them on the official calendar, as
// for orders), or its state once rectified.
export function hazardMark(hz) {
	const el = h('span.mark', { 'data-mark': 'pending' }, hz.deadline ? fmtDate(hz.deadline) : '—');
	if (hz.state !== 'open') {
		el.dataset.mark = hz.state;
		el.textContent = t('hazstate.' + hz.state);
		return el;
	}
	const left = hz.workdays_left;
	if (left === null || left === undefined) return el;
	if (hz.overdue || left < 0) {
		el.className = 'mark overdue';
		el.dataset.mark = 'overdue';
		el.textContent = left < 0 ? t('haz.overdue_by', { n: -left }) : t('deadline.overdue');
	} else {
		el.className = left <= 1 ? 'mark warned' : 'mark';
		el.dataset.mark = left <= 1 ? 'warned' : 'left';
		el.textContent = t('deadline.left', { n: left });
	}
	el.dataset.left = String(left);
	return el;
}

// Local "2026-11-29T20:00" (datetime-local) <-> ISO 8601 in +08:00.
export function localToIso(v) {
	if (!v) return '';
	const s = v.length === 16 ? `${v}:00` : v;
	return `${s}+08:00`;
}

export function nowLocal() {
	const s = new Date(Date.now() + 8 * 3600 * 1000);
	return s.toISOString().slice(0, 16);
}

// Tabs as links; items [[hash, label, key]], current key.
export function linkTabs(label, items, current) {
	return h('nav.tabs', { 'aria-label': label }, items.map(([href, text, key]) => h('a', {
		href, 'data-tab': key, 'aria-current': key === current ? 'page' : null,
	}, text)));
}

// The staff a picker may offer (admin, leaders and dispatchers read
// /users; others get an empty list and the picker is not shown).
let usersMemo = null;
export function staff(me) {
	if (!can(me, 'users')) return Promise.resolve([]);
	if (!usersMemo) usersMemo = get('/users?limit=200').then((r) => (r.items || []).filter((u) => !u.disabled)).catch(() => {
		usersMemo = null;
		return [];
	});
	return usersMemo;
}

export function userOptions(list, selected, roles) {
	const chosen = roles ? list.filter((u) => roles.includes(u.role)) : list;
	return chosen.map((u) => h('option', { value: u.id, selected: String(u.id) === String(selected ?? '') },
		`${u.name}${u.title ? ` · ${u.title}` : ''}`));
}

// Replace el's content with a status message.
export function say(el, text, kind) {
	clear(el).append(text);
	el.classList.toggle('error', kind === 'error');
}

// The columns of a list of visits (the visits screen, a record's page).
export function visitCols(opts = {}) {
	const cols = [
		[t('visit.when'), (v) => h('a', { href: `#/visits/${v.id}` }, fmtTime(v.visited_at))],
		[t('visit.method'), (v) => t('method.' + v.method)],
	];
	if (!opts.noTarget) cols.push([t('visit.target'), (v) => [h('small.sub', t('target.' + v.target.kind)), targetLink(v.target)]]);
	cols.push([t('visit.visitor'), (v) => ref(v.visitor)],
		[t('visit.campaign'), (v) => (v.campaign ? h('a', { href: `#/campaigns/${v.campaign.id}` }, v.campaign.name) : '')],
		[t('visit.hazards'), (v) => v.hazards || ''],
		[t('visit.orders'), (v) => v.orders || '']);
	return cols;
}
