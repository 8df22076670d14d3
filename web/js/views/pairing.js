// Pairing (结对): every leader's coverage this quarter (admin, leaders,
// dispatchers), and a leader's (or liaison's) page — their enterprises, when
// each was last visited, the ones not visited this quarter highlighted,
// and the open orders of those enterprises. Reassigning a pairing is on
// the enterprise's page, which keeps the history.

import { field, h } from '../dom.js';
import { get, qs } from '../api.js';
import { t } from '../i18n.js';
import { fmtDate, fmtRate, fmtTime } from '../format.js';
import { stateBadge } from '../orderlist.js';
import { can, info, linkTabs, missing, ref, table } from '../regs.js';

export async function render(ctx) {
	const { params, me } = ctx;
	if (params.leader) return page(ctx, `/pairing/leaders/${params.leader}`);
	if (params.mine || !can(me, 'privileged')) return page(ctx, '/pairing/mine');
	return overview(ctx);
}

function tabs(me, current) {
	if (!can(me, 'privileged')) return null;
	return linkTabs(t('pair.title'), [['#/pairing', t('pair.all'), 'all'], ['#/pairing/mine', t('pair.mine'), 'mine']], current);
}

function sinceForm(ctx, base) {
	const input = h('input', { type: 'date', name: 'since', value: (ctx.query.since || '').slice(0, 10) });
	const form = h('form.inline.since-form', { role: 'search', 'aria-label': t('pair.since') },
		field(t('pair.since'), input), h('button', { type: 'submit' }, t('inbox.apply')), h('small.hint', t('pair.since_hint')));
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		ctx.navigate(`${base}${qs({ since: input.value })}`);
	});
	return form;
}

async function overview(ctx) {
	const { main, me, query } = ctx;
	let r;
	try {
		r = await get(`/pairing/leaders${qs({ since: query.since })}`);
	} catch (e) {
		if (e.status === 401) return;
		missing(main, e);
		return;
	}
	if (!ctx.isCurrent()) return;
	const tbl = table(t('pair.title'), [
		[t('pair.leader'), (x) => [h('a', { href: `#/pairing/leaders/${x.user_id}` }, x.name), x.title ? h('small.sub', x.title) : null]],
		[t('pair.enterprises'), (x) => x.enterprises],
		[t('pair.visited'), (x) => x.visited],
		[t('pair.not_visited'), (x) => (x.not_visited ? h('span.mark.warned', String(x.not_visited)) : '0')],
		[t('camp.coverage'), (x) => fmtRate(x.coverage)],
		[t('pair.open_orders'), (x) => x.open_orders],
	]);
	tbl.add(r.leaders || [], (x) => ({ 'data-id': x.user_id, class: x.not_visited ? 'row-warned' : null }));
	const tot = (r.leaders || []).reduce((a, x) => ({ e: a.e + x.enterprises, v: a.v + x.visited }), { e: 0, v: 0 });
	main.append(h('section.pairing',
		h('h1', t('pair.title')),
		tabs(me, 'all'),
		h('p.hint', t('pair.since_note', { since: fmtDate(r.since) })),
		sinceForm(ctx, '#/pairing'),
		h('div.figures',
			h('div.figure', h('span.value', (r.leaders || []).length), h('span.label', t('pair.leaders'))),
			h('div.figure', h('span.value', tot.e), h('span.label', t('pair.enterprises'))),
			h('div.figure', h('span.value', tot.v), h('span.label', t('pair.visited'))),
			h('div.figure', { class: tot.e - tot.v ? 'bad' : null }, h('span.value', tot.e - tot.v), h('span.label', t('pair.not_visited')))),
		h('div.list', tbl.el)));
}

async function page(ctx, path) {
	const { main, me, query, params } = ctx;
	let r;
	try {
		r = await get(`${path}${qs({ since: query.since })}`);
	} catch (e) {
		if (e.status === 401) return;
		missing(main, e, ['#/pairing', t('pair.title')]);
		return;
	}
	if (!ctx.isCurrent()) return;
	const asLiaison = r.as === 'liaison';
	const ents = table(t('pair.enterprises'), [
		[t('reg.name'), (e) => h('a', { href: `#/registers/enterprises/${e.id}` }, e.name)],
		[t('reg.area'), (e) => ref(e.unit)],
		[asLiaison ? t('reg.leader') : t('reg.liaison'), (e) => ref(asLiaison ? e.leader : e.liaison)],
		[t('reg.last_visit'), (e) => fmtTime(e.last_visit_at) || t('pair.never')],
		[t('pair.this_quarter'), (e) => (e.visited_this_quarter ? h('span.mark.ok', t('pair.visited')) : h('span.mark.warned', t('pair.not_visited')))],
		[t('pair.open_orders'), (e) => (e.open_orders ? h('strong', String(e.open_orders)) : '0')],
		['', (e) => h('a.button.small', { href: `#/visits/new${qs({ kind: 'enterprise', id: e.id, name: e.name })}` }, t('visit.record'))],
	]);
	const list = [...(r.enterprises || [])].sort((a, b) => Number(a.visited_this_quarter) - Number(b.visited_this_quarter));
	ents.add(list, (e) => ({ 'data-id': e.id, 'data-visited': e.visited_this_quarter ? '1' : '0', class: e.visited_this_quarter ? null : 'row-warned' }));
	const orders = table(t('pair.open_orders'), [
		[t('order.code'), (o) => h('a', { href: `#/orders/${o.id}` }, o.code)],
		[t('order.title'), (o) => o.title],
		[t('pair.enterprise'), (o) => (o.enterprise ? h('a', { href: `#/registers/enterprises/${o.enterprise.id}` }, o.enterprise.name) : '')],
		[t('order.state'), (o) => stateBadge(o.state)],
		[t('order.deadline'), (o) => (o.overdue ? h('span.mark.overdue', t('deadline.overdue')) : fmtDate(o.deadline))],
	]);
	orders.add(r.open_orders || [], (o) => ({ 'data-id': o.id, class: o.overdue ? 'row-overdue' : null }));
	const sum = r.summary || {};
	const base = params.leader ? `#/pairing/leaders/${params.leader}` : '#/pairing/mine';
	main.append(h('section.pairing-page', { 'data-as': r.as },
		h('p.crumbs', can(me, 'privileged') ? h('a', { href: '#/pairing' }, t('pair.back')) : null),
		h('h1', t('pair.page_title', { name: r.user ? r.user.name : '' })),
		params.leader ? null : tabs(me, 'mine'),
		info([[t('pair.role'), asLiaison ? t('pair.as_liaison') : t('pair.as_leader')], [t('pair.post'), r.user && r.user.title]]),
		h('p.hint', t('pair.since_note', { since: fmtDate(r.since) })),
		sinceForm(ctx, base),
		h('div.figures',
			h('div.figure', { 'data-testid': 'pair-enterprises' }, h('span.value', sum.enterprises ?? list.length), h('span.label', t('pair.enterprises'))),
			h('div.figure', { 'data-testid': 'pair-visited' }, h('span.value', sum.visited ?? 0), h('span.label', t('pair.visited'))),
			h('div.figure', { 'data-testid': 'pair-not-visited', class: sum.not_visited ? 'bad' : null }, h('span.value', sum.not_visited ?? 0), h('span.label', t('pair.not_visited'))),
			h('div.figure', h('span.value', (r.open_orders || []).length), h('span.label', t('pair.open_orders')))),
		h('section.card', h('h2', t('pair.enterprises')), list.length ? h('div.list', ents.el) : h('p.muted', t('pair.no_enterprises'))),
		h('section.card', h('h2', t('pair.open_orders')), (r.open_orders || []).length ? h('div.list', orders.el) : h('p.muted', t('ent.no_open_orders')))));
}
