// One record of the registers: an enterprise (details, masked contact with
// reveal-with-reason, paired leader and liaison with the pairing history
// and, for admin and leaders, a reassignment form; its visits and open
// orders), a household (members masked, reveal, add a resident, visits) or
// a place (details, visits).

import { clear, field, h } from '../dom.js';
import { get, qs, request } from '../api.js';
import { t } from '../i18n.js';
import { fmtDate, fmtTime } from '../format.js';
import { STATES } from '../enums.js';
import { stateBadge } from '../orderlist.js';
import { can, dash, errText, info, missing, pager, ref, revealer, staff, table, userOptions, visitCols } from '../regs.js';

const OPEN_STATES = STATES.filter((s) => !['resolved', 'feedback', 'closed', 'rejected', 'merged'].includes(s));
const yesNo = (v) => (v ? t('common.yes') : t('common.no'));
const KIND_OF = { enterprises: 'enterprise', households: 'household', places: 'place' };

export async function render(ctx) {
	const { main, params } = ctx;
	const { reg, id } = params;
	if (!KIND_OF[reg]) {
		// Village groups have no page of their own: their facts are edited
		// in the form, their visits listed on the visits screen.
		ctx.navigate(`#/registers/${reg}/${id}/edit`);
		return;
	}
	let rec;
	try {
		rec = await get(`/${reg}/${id}`);
	} catch (e) {
		if (e.status === 401) return;
		missing(main, e, ['#/registers?r=' + reg, t('reg.back')]);
		return;
	}
	if (!ctx.isCurrent()) return;
	if (reg === 'enterprises') await enterprise(ctx, rec);
	else if (reg === 'households') household(ctx, rec);
	else place(ctx, rec);
}

function header(reg, title, sub, buttons) {
	return [h('p.crumbs', h('a', { href: `#/registers?r=${reg}` }, t('reg.back'))),
		h('div.head', h('div', h('h1', { tabindex: '-1' }, title), sub ? h('p.sub', sub) : null), h('div.buttons', buttons))];
}

function visitButton(kind, rec, label) {
	return h('a.button.primary', { href: `#/visits/new${qs({ kind, id: rec.id, name: label })}`, 'data-testid': 'record-visit' }, t('visit.record'));
}

// The visits of one target, newest first.
function visitsSection(ctx, kind, id) {
	const list = table(t('visit.visits'), visitCols({ noTarget: true }));
	const p = pager(ctx, (before) => get(`/visits${qs({ target_kind: kind, target_id: id, limit: 20, before })}`),
		(items) => list.add(items, (v) => ({ 'data-id': v.id })), { empty: t('visit.none') });
	p.run();
	return h('section.card', { 'data-testid': 'target-visits' }, h('h2', t('visit.visits')), h('div.list', list.el, p.status, p.more));
}

// The open orders about the enterprise (GET /orders?enterprise=), within
// the person's scope as every list.
async function openOrders(e) {
	const r = await get(`/orders${qs({ enterprise: e.id, state: OPEN_STATES.join(','), limit: 50 })}`);
	return r.items || [];
}

function ordersSection(e) {
	const box = h('div.list');
	const note = h('p.status', { role: 'status' }, t('inbox.loading'));
	openOrders(e).then((items) => {
		const list = table(t('ent.open_orders'), [
			[t('order.code'), (o) => h('a', { href: `#/orders/${o.id}` }, o.code)],
			[t('order.title'), (o) => o.title],
			[t('order.state'), (o) => stateBadge(o.state)],
			[t('order.created'), (o) => fmtTime(o.created_at)],
			[t('order.deadline'), (o) => (o.overdue ? h('span.mark.overdue', t('deadline.overdue')) : fmtDate(o.deadline))],
		]);
		list.add(items, (o) => ({ 'data-id': o.id, class: o.overdue ? 'row-overdue' : null }));
		if (items.length) box.append(list.el);
		note.textContent = items.length ? t('reg.count', { n: items.length }) : t('ent.no_open_orders');
	}).catch((err) => {
		if (err.status !== 401) note.textContent = errText(err);
	});
	return h('section.card', { 'data-testid': 'open-orders' }, h('h2', t('ent.open_orders')), box, note);
}

async function pairingSection(ctx, e) {
	const { me } = ctx;
	const sec = h('section.card', { 'data-testid': 'pairing' }, h('h2', t('ent.pairing')));
	let hist;
	try {
		hist = await get(`/enterprises/${e.id}/pairings`);
	} catch (err) {
		if (err.status === 401) throw err;
		sec.append(h('p.error', errText(err)));
		return sec;
	}
	const draw = (p) => {
		clear(sec).append(h('h2', t('ent.pairing')),
			info([[t('reg.leader'), p.leader ? h('a', { href: `#/pairing/leaders/${p.leader.id}`, 'data-testid': 'pair-leader' }, p.leader.name) : t('ent.unpaired')],
				[t('reg.liaison'), h('span', { 'data-testid': 'pair-liaison' }, ref(p.liaison) || '—')]]));
		const list = table(t('ent.history'), [
			[t('reg.leader'), (x) => ref(x.leader) || '—'],
			[t('reg.liaison'), (x) => ref(x.liaison) || '—'],
			[t('ent.from'), (x) => fmtDate(x.started_at)],
			[t('ent.to'), (x) => (x.current ? h('strong', t('ent.current')) : fmtDate(x.ended_at))],
			[t('ent.by'), (x) => ref(x.assigned_by)],
			[t('ent.reason'), (x) => x.reason],
		]);
		list.add(p.history || [], (x) => ({ 'data-current': x.current ? '1' : null }));
		sec.append(h('h3', t('ent.history')), h('div.list', { 'data-testid': 'pair-history' }, list.el));
		if (can(me, 'pairSet')) sec.append(reassignForm(ctx, e, p, draw));
	};
	draw(hist);
	return sec;
}

function reassignForm(ctx, e, p, draw) {
	const { me, toast } = ctx;
	const leader = h('select', { name: 'leader_user_id' }, h('option', { value: '0' }, t('ent.none')));
	const liaison = h('select', { name: 'liaison_user_id' }, h('option', { value: '0' }, t('ent.none')));
	const reason = h('input', { name: 'reason', maxlength: 200, required: true });
	const msg = h('p.error', { role: 'alert' });
	staff(me).then((users) => {
		leader.append(...userOptions(users, p.leader && p.leader.id, ['leader']));
		liaison.append(...userOptions(users.filter((u) => u.role !== 'leader'), p.liaison && p.liaison.id));
		if (p.leader) leader.value = String(p.leader.id);
		if (p.liaison) liaison.value = String(p.liaison.id);
	});
	const form = h('form.pair-form', { 'data-testid': 'reassign', novalidate: true },
		h('h3', t('ent.reassign')), h('p.hint', t('ent.reassign_hint')),
		h('div.row', field(t('reg.leader'), leader), field(t('reg.liaison'), liaison)),
		field(t('ent.reason'), reason), msg,
		h('div.buttons', h('button.primary', { type: 'submit' }, t('ent.reassign_save'))));
	const details = h('details.reassign-box', h('summary', t('ent.reassign')), form);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		msg.textContent = '';
		if (!reason.value.trim()) {
			msg.textContent = t('form.required');
			reason.setAttribute('aria-invalid', 'true');
			reason.focus();
			return;
		}
		try {
			const r = await request('PUT', `/enterprises/${e.id}/pairing`, { body: {
				leader_user_id: Number(leader.value), liaison_user_id: Number(liaison.value), reason: reason.value.trim() } });
			toast(t('ent.reassigned'));
			draw(r);
		} catch (err) {
			if (err.status !== 401) msg.textContent = errText(err);
		}
	});
	return details;
}

async function enterprise(ctx, e) {
	const { main, me } = ctx;
	const phone = h('span', { 'data-testid': 'contact-phone' }, dash(e.contact && e.contact.phone));
	const ind = e.industry || {};
	main.append(h('article.record', { 'data-id': e.id, 'data-kind': 'enterprise' },
		header('enterprises', e.name, e.credit_code, [
			visitButton('enterprise', e, e.name),
			can(me, 'entWrite') ? h('a.button', { href: `#/registers/enterprises/${e.id}/edit`, 'data-testid': 'edit' }, t('reg.edit')) : null]),
		h('div.cols',
			h('div.main-col',
				await pairingSection(ctx, e),
				ordersSection(e),
				visitsSection(ctx, 'enterprise', e.id)),
			h('aside.side', h('h2', t('order.details')), info([
				[t('reg.credit_code'), e.credit_code],
				[t('reg.industry'), ind.section ? `${ind.section} ${t('section.' + ind.section)}${ind.division ? ` (${ind.division})` : ''}` : null],
				[t('reg.above_scale'), yesNo(e.above_scale)],
				[t('reg.key_info'), yesNo(e.key_info)],
				[t('reg.address'), e.address],
				[t('reg.area'), [ref(e.unit), ref(e.grid)].filter(Boolean).join(' · ')],
				[t('reg.place'), e.place ? h('a', { href: `#/registers/places/${e.place.id}` }, e.place.name) : null],
				[t('reg.contact'), e.contact && e.contact.name ? h('span', { 'data-testid': 'contact-name' }, e.contact.name) : null],
				[t('reg.phone'), [phone, ' ', revealer(me, `/enterprises/${e.id}/reveal`, 'contact_phone', phone)]],
				[t('reg.tags'), (e.tags || []).length ? e.tags.map((x) => h('span.mark', x)) : null],
				[t('reg.last_visit'), fmtTime(e.last_visit_at)],
				[t('reg.updated'), fmtTime(e.updated_at)],
			]))),
	));
}

function residentForm(ctx, hh, after) {
	const msg = h('p.error', { role: 'alert' });
	const form = h('form.resident-form', { novalidate: true, 'data-testid': 'resident-form' },
		h('div.row',
			field(t('res.name'), h('input', { name: 'name', maxlength: 30, required: true })),
			field(t('res.relation'), h('input', { name: 'relation', maxlength: 20 }))),
		h('div.row',
			field(t('reg.phone'), h('input', { name: 'phone', type: 'tel', inputmode: 'tel', maxlength: 40 })),
			field(t('reg.id_no'), h('input', { name: 'id_no', maxlength: 40 }))),
		field(t('reg.notes'), h('input', { name: 'notes', maxlength: 400 })), msg,
		h('div.buttons', h('button.primary', { type: 'submit' }, t('res.add'))));
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const el = form.elements;
		msg.textContent = '';
		if (!el.name.value.trim()) {
			msg.textContent = t('form.required');
			el.name.focus();
			return;
		}
		const body = { name: el.name.value.trim() };
		for (const k of ['relation', 'phone', 'id_no', 'notes']) if (el[k].value.trim()) body[k] = el[k].value.trim();
		try {
			const r = await request('POST', `/households/${hh.id}/residents`, { body });
			ctx.toast(t('res.added'));
			after(r);
		} catch (err) {
			if (err.status === 401) return;
			msg.textContent = errText(err);
			if (err.field && el[err.field]) el[err.field].focus();
		}
	});
	return h('details.add-resident', h('summary', t('res.add')), form);
}

function household(ctx, hh) {
	const { main, me } = ctx;
	const phone = h('span', { 'data-testid': 'hh-phone' }, dash(hh.phone));
	const idNo = h('span', { 'data-testid': 'hh-id-no' }, dash(hh.id_no));
	const resBox = h('div');
	const drawResidents = (rec) => {
		const list = table(t('res.title'), [
			[t('res.name'), (r) => h('span', { 'data-testid': 'res-name' }, r.name)],
			[t('res.relation'), (r) => r.relation],
			[t('reg.phone'), (r) => {
				const b = h('span', dash(r.phone));
				return [b, ' ', revealer(me, `/residents/${r.id}/reveal`, 'phone', b)];
			}],
			[t('reg.id_no'), (r) => {
				const b = h('span', dash(r.id_no));
				return [b, ' ', revealer(me, `/residents/${r.id}/reveal`, 'id_no', b)];
			}],
			[t('reg.notes'), (r) => r.notes],
		]);
		list.add(rec.residents || [], (r) => ({ 'data-id': r.id }));
		clear(resBox).append((rec.residents || []).length ? h('div.list', list.el) : h('p.muted', t('res.none')));
	};
	drawResidents(hh);
	main.append(h('article.record', { 'data-id': hh.id, 'data-kind': 'household' },
		header('households', hh.address, [ref(hh.unit), ref(hh.group)].filter(Boolean).join(' · '), [
			visitButton('household', hh, hh.address),
			can(me, 'hhWrite') ? h('a.button', { href: `#/registers/households/${hh.id}/edit`, 'data-testid': 'edit' }, t('reg.edit')) : null]),
		h('div.cols',
			h('div.main-col',
				h('section.card', { 'data-testid': 'residents' }, h('h2', t('res.title')), resBox,
					can(me, 'hhWrite') ? residentForm(ctx, hh, drawResidents) : null),
				visitsSection(ctx, 'household', hh.id)),
			h('aside.side', h('h2', t('order.details')), info([
				[t('reg.address'), hh.address],
				[t('reg.area'), [ref(hh.unit), ref(hh.group)].filter(Boolean).join(' · ')],
				[t('reg.place'), hh.place ? h('a', { href: `#/registers/places/${hh.place.id}` }, hh.place.name) : null],
				[t('reg.head'), h('span', { 'data-testid': 'hh-head' }, dash(hh.head_name))],
				[t('reg.members'), hh.members],
				[t('reg.phone'), [phone, ' ', revealer(me, `/households/${hh.id}/reveal`, 'phone', phone)]],
				[t('reg.id_no'), [idNo, ' ', revealer(me, `/households/${hh.id}/reveal`, 'id_no', idNo)]],
				[t('reg.tags'), (hh.tags || []).length ? hh.tags.map((x) => h('span.mark', x)) : null],
				[t('reg.notes'), hh.notes],
				[t('reg.last_visit'), fmtTime(hh.last_visit_at)],
			]))),
	));
}

function place(ctx, p) {
	const { main } = ctx;
	main.append(h('article.record', { 'data-id': p.id, 'data-kind': 'place' },
		header('places', p.name, t('placekind.' + p.kind), [
			visitButton('place', p, p.name),
			h('a.button', { href: `#/registers/places/${p.id}/edit`, 'data-testid': 'edit' }, t('reg.edit'))]),
		h('div.cols',
			h('div.main-col',
				h('section.card', h('h2', t('reg.in_place')), h('p',
					h('a', { href: `#/registers?r=enterprises&place_id=${p.id}` }, t('reg.enterprises_n', { n: p.enterprises })), ' · ',
					h('a', { href: `#/registers?r=households&place_id=${p.id}` }, t('reg.households_n', { n: p.households })))),
				visitsSection(ctx, 'place', p.id)),
			h('aside.side', h('h2', t('order.details')), info([
				[t('reg.kind'), t('placekind.' + p.kind)],
				[t('reg.address'), p.address],
				[t('reg.area'), [ref(p.unit), ref(p.grid)].filter(Boolean).join(' · ')],
				[t('place.operator'), p.operator],
				[t('place.floors'), p.floors || null],
				[t('place.area_m2'), p.area_m2 || null],
				[t('reg.notes'), p.notes],
				[t('reg.last_visit'), fmtTime(p.last_visit_at)],
			]))),
	));
}
