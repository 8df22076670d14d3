// One order: requester (masked by the server), category, place, photos,
// deadline, the full timeline, and exactly the actions the API lists in
// `actions` for this person now, each with its form (views/actions.js).
// An open form is remembered in the hash (?act=resolve) and its text in
// sessionStorage, so an expired session loses nothing.

import { clear, field, h } from '../dom.js';
import { API, errorText, get, post } from '../api.js';
import { has, nameOf, t } from '../i18n.js';
import { RATINGS, RETURN_REASONS } from '../enums.js';
import { fmtTime } from '../format.js';
import { flagsOf, stateBadge } from '../orderlist.js';
import { actionForm } from './actions.js';

const REVEAL_ROLES = ['admin', 'leader', 'dispatcher'];

function row(label, value, attrs) {
	if (value === null || value === undefined || value === '') return null;
	return [h('dt', label), h('dd', attrs || {}, value)];
}

// Event detail keys not worth a line: labels the page makes itself.
const HIDDEN_DETAILS = ['reason_label', 'rating_label', 'public'];

function detailValue(k, v, order) {
	if (v === null || v === undefined) return '';
	// The create event names the category by code: show the order's name for it.
	if (k === 'category' && order && order.category && v === order.category.code)
		return nameOf(order.category) || String(v);
	if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no');
	if (k === 'attachment' && typeof v === 'object') return `${v.mime || ''} · ${Math.round((v.size || 0) / 1024)} KB`;
	if (typeof v === 'object') return v.name || v.code || JSON.stringify(v);
	if (k === 'requester_kind' && has('kind.' + v)) return t('kind.' + v);
	if (k === 'reason' && RETURN_REASONS.includes(v)) return t('reason.' + v);
	if (k === 'rating' && RATINGS.includes(v)) return t('rating.' + v);
	if (k === 'channel' && has('channel.' + v)) return t('channel.' + v);
	if ((k === 'from_state' || k === 'to_state' || k === 'state') && has('state.' + v)) return t('state.' + v);
	if (/(_at|deadline)$/.test(k)) return fmtTime(v);
	return String(v);
}

export function timeline(events, order) {
	const list = h('ol.timeline', { 'aria-label': t('order.timeline') });
	for (const ev of [...(events || [])].sort((a, b) => (a.seq || 0) - (b.seq || 0))) {
		const details = Object.entries(ev.details || {}).filter(([k, v]) => v !== null && v !== '' && v !== undefined && !HIDDEN_DETAILS.includes(k) && !(k === 'transfer' && !v));
		const label = has('action.' + ev.action) ? t('action.' + ev.action) : (ev.action_label || ev.action);
		list.append(h(`li.event${ev.public ? '.public' : '.internal'}`, { 'data-action': ev.action },
			h('div.ev-head',
				h('strong.ev-action', label),
				ev.from_state && ev.to_state && ev.from_state !== ev.to_state
					? h('span.ev-states', `${t('state.' + ev.from_state)} → ${t('state.' + ev.to_state)}`) : null,
				h(`span.vis${ev.public ? '.pub' : '.int'}`, ev.public ? t('order.visible_public') : t('order.visible_internal')),
			),
			h('div.ev-meta',
				h('time', { datetime: ev.at }, fmtTime(ev.at)),
				ev.actor ? ` · ${ev.actor.name || ''}${ev.actor.role && has('role.' + ev.actor.role) ? ` (${t('role.' + ev.actor.role)})` : ''}` : ''),
			details.length ? h('dl.ev-details', details.map(([k, v]) => [
				h('dt', has('detail.' + k) ? t('detail.' + k) : k), h('dd', detailValue(k, v, order))])) : null,
		));
	}
	return list;
}

export async function render(ctx) {
	const { main, params, query, me, toast } = ctx;
	const id = params.id;
	let o;
	try {
		o = await get(`/orders/${id}`);
	} catch (e) {
		if (e.status === 401) return;
		const denied = e.status === 404 || e.status === 403;
		main.append(h('section.panel.denied', { 'data-testid': 'order-denied' },
			h('h1', denied ? t('order.not_found_title') : t('order.load_failed')),
			h('p', { role: 'alert' }, denied ? t('order.not_found', { id }) : errorText(e)),
			h('p', h('a', { href: '#/inbox' }, t('nav.back_inbox')))));
		return;
	}
	if (!ctx.isCurrent()) return;
	draw(o, query.act);

	function draw(order, openAct) {
		o = order;
		clear(main);
		const req = o.requester || {};
		const phoneBox = h('span', { 'data-testid': 'requester-phone' }, req.phone || '—');
		const reveal = req.phone && /\*/.test(req.phone) && REVEAL_ROLES.includes(me.role)
			? h('button.link', { type: 'button', onclick: () => askReveal(phoneBox, reveal) }, t('order.reveal')) : null;
		const info = h('dl.info',
			row(t('order.category'), nameOf(o.category)),
			row(t('order.channel'), t('channel.' + o.channel)),
			row(t('order.tracking_code'), o.tracking_code),
			row(t('order.requester'), [
				h('span', { 'data-testid': 'requester-name' }, req.name || t('kind.' + (req.kind || 'anonymous'))),
				req.org ? ` · ${req.org}` : '', ' · ', phoneBox, ' ', reveal]),
			row(t('order.address'), [o.address || '—', o.lat !== null && o.lat !== undefined && o.lng !== null && o.lng !== undefined
				? h('small.sub', `${Number(o.lat).toFixed(5)}, ${Number(o.lng).toFixed(5)}`) : null]),
			row(t('order.area'), o.area && o.area.name),
			row(t('order.dept'), o.dept && o.dept.name),
			row(t('order.created'), fmtTime(o.created_at)),
			row(t('order.updated'), fmtTime(o.updated_at)),
			row(t('order.deadline'), o.deadline ? [fmtTime(o.deadline), ' ', flagsOf(o)] : flagsOf(o).length ? flagsOf(o) : null),
			row(t('order.rating'), o.rating && o.rating !== 'none' ? t('rating.' + o.rating) : null),
			row(t('order.merged_into'), o.merged_into ? h('a', { href: `#/orders/${o.merged_into.id || o.merged_into}` }, o.merged_into.code || `#${o.merged_into}`) : null),
		);
		if (o.visit_id) visitLinks(o, info);
		const photos = (o.attachments || []).length ? h('section.photos',
			h('h2', t('order.photos')),
			h('ul.photo-list', o.attachments.map((a, i) => {
				const src = `${API}/orders/${o.id}/attachments/${a.id}`;
				return h('li', h('a', { href: src, target: '_blank', rel: 'noopener' },
					h('img', { src, alt: t('order.photo_n', { n: i + 1 }), loading: 'lazy', width: 160, height: 120 })));
			}))) : null;
		const formBox = h('div.action-form-box');
		const actions = o.actions || [];
		const bar = h('div.actions-bar', { role: 'toolbar', 'aria-label': t('order.actions') },
			actions.length ? actions.map((a) => h('button', {
				type: 'button', 'data-action': a, 'aria-expanded': 'false', 'aria-controls': 'action-form',
				class: ['resolve', 'assign', 'accept', 'return_call'].includes(a) ? 'primary' : null,
				onclick: () => openForm(a),
			}, t('action.' + a))) : h('span.muted', t('order.no_actions')),
			h('button.link.print', { type: 'button', onclick: () => window.print() }, t('order.print')),
		);

		function openForm(a) {
			for (const b of bar.querySelectorAll('button[data-action]')) b.setAttribute('aria-expanded', String(b.dataset.action === a));
			history.replaceState(null, '', `#/orders/${o.id}?act=${a}`);
			clear(formBox).append(actionForm(a, o, {
				me,
				done: (updated, msg) => {
					history.replaceState(null, '', `#/orders/${o.id}`);
					toast(msg || t('order.done', { action: t('action.' + a), code: o.code }));
					draw(updated || o);
					const h1 = main.querySelector('h1');
					if (h1) h1.focus();
				},
				cancel: () => {
					history.replaceState(null, '', `#/orders/${o.id}`);
					clear(formBox);
					for (const b of bar.querySelectorAll('button[data-action]')) b.setAttribute('aria-expanded', 'false');
					const b = bar.querySelector(`button[data-action="${a}"]`);
					if (b) b.focus();
				},
			}));
		}

		main.append(h('article.order', { 'data-state': o.state, 'data-id': o.id },
			h('p.crumbs', h('a', { href: '#/inbox' }, t('nav.back_inbox'))),
			h('div.head',
				h('h1', { tabindex: '-1' }, h('span.code', o.code), ' ', o.title),
				stateBadge(o.state, o.state_label)),
			h('div.cols',
				h('div.main-col',
					h('section.desc', h('h2', t('order.description')), h('p.pre', o.description || '')),
					o.result ? h('section.result', h('h2', t('order.result')), h('p.pre', { 'data-testid': 'result' }, o.result)) : null,
					o.public_note ? h('section.public-note', h('h2', t('order.public_note')), h('p.pre', o.public_note)) : null,
					photos,
					h('section.act', h('h2', t('order.actions')), bar, formBox),
					h('section.history', h('h2', t('order.timeline')), timeline(o.timeline, o)),
				),
				h('aside.side', h('h2.sr-only', t('order.details')), info),
			),
		));
		formBox.id = 'action-form';
		if (openAct && actions.includes(openAct)) openForm(openAct);
	}

	// An order raised on a visit links back to it and to the hazard it is
	// about (the order's visit_id and hazard_id). The link is named by the
	// visit's target and time, which only the visit has (GET /visits?order_id=).
	function visitLinks(order, dl) {
		const a = h('a', { href: `#/visits/${order.visit_id}`, 'data-testid': 'order-visit' }, t('haz.visit_link'));
		dl.append(h('dt', t('order.visit')), h('dd', a));
		if (order.hazard_id) {
			dl.append(h('dt', t('haz.title')), h('dd', h('a', { href: `#/hazards/${order.hazard_id}`, 'data-testid': 'order-hazard' },
				t('visit.hazard_n', { n: order.hazard_id }))));
		}
		get(`/visits?order_id=${order.id}&limit=1`).then((r) => {
			const v = r && r.items && r.items[0];
			if (v && v.id === order.visit_id) a.textContent = t('order.visit_link', { target: (v.target && v.target.name) || '', at: fmtTime(v.visited_at) });
		}).catch(() => {});
	}

	function askReveal(box, btn) {
		const reason = h('input', { name: 'reason', required: true, maxlength: 200 });
		const msg = h('span.error', { role: 'alert' });
		const f = h('form.inline', field(t('order.reveal_reason'), reason, t('order.reveal_hint')),
			h('button', { type: 'submit' }, t('order.reveal')), msg);
		f.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			if (!reason.value.trim()) {
				msg.textContent = t('form.required');
				return;
			}
			try {
				const r = await post(`/orders/${o.id}/reveal`, { reason: reason.value.trim() });
				box.textContent = r.phone;
				f.remove();
			} catch (e) {
				msg.textContent = errorText(e);
			}
		});
		btn.replaceWith(f);
		reason.focus();
	}
}
