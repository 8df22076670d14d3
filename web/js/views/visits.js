// Visits (走访): the list with filters (target kind, campaign, place, my
// own, dates), and one visit's page — its checklists by work line, the
// hazards found with their deadlines, the work orders its problems became,
// and a form to raise one more problem from it.

import { clear, field, h } from '../dom.js';
import { get, post, qs } from '../api.js';
import { nameOf, t } from '../i18n.js';
import { TARGET_KINDS } from '../enums.js';
import { fmtTime } from '../format.js';
import { areas, categories } from '../cache.js';
import { stateBadge } from '../orderlist.js';
import { errText, hazardMark, info, linkTabs, missing, pager, ref, table, targetLink, visitCols } from '../regs.js';

const FILTERS = ['target_kind', 'target_id', 'campaign_id', 'unit_id', 'mine', 'since', 'until'];

export function visitTabs(current) {
	return linkTabs(t('nav.visits'), [
		['#/visits', t('visit.tab_list'), 'visits'],
		['#/campaigns', t('visit.tab_campaigns'), 'campaigns'],
		['#/visits/new', t('visit.record'), 'new'],
	], current);
}

export async function render(ctx) {
	if (ctx.route === 'visit') return one(ctx);
	return list(ctx);
}

function option(value, label, selected) {
	return h('option', { value, selected: String(value) === String(selected ?? '') }, label);
}

async function list(ctx) {
	const { main, query, navigate, me } = ctx;
	const [areaList, camps] = await Promise.all([
		areas().catch(() => []),
		get('/campaigns').then((r) => r.items || []).catch(() => []),
	]);
	if (!ctx.isCurrent()) return;
	const params = {};
	for (const k of FILTERS) if (query[k]) params[k] = query[k];
	const form = h('form.filters', { 'aria-label': t('inbox.filters') },
		field(t('visit.target_kind'), h('select', { name: 'target_kind' }, option('', t('inbox.any'), query.target_kind),
			TARGET_KINDS.map((k) => option(k, t('target.' + k), query.target_kind)))),
		field(t('visit.campaign'), h('select', { name: 'campaign_id' }, option('', t('inbox.any'), query.campaign_id),
			camps.map((c) => option(c.id, c.name, query.campaign_id)))),
		field(t('reg.area_filter'), h('select', { name: 'unit_id' }, option('', t('inbox.any'), query.unit_id),
			areaList.map((u) => option(u.id, nameOf(u), query.unit_id)))),
		field(t('inbox.from'), h('input', { name: 'since', type: 'date', value: query.since || '' })),
		field(t('inbox.to'), h('input', { name: 'until', type: 'date', value: query.until || '' })),
		h('fieldset.checks', h('legend', t('inbox.marks')),
			h('label.check', h('input', { type: 'checkbox', name: 'mine', checked: query.mine === '1' }), t('visit.only_mine'))),
		query.target_id ? h('input', { type: 'hidden', name: 'target_id', value: query.target_id }) : null,
		h('div.buttons', h('button.primary', { type: 'submit' }, t('inbox.apply')),
			h('button', { type: 'button', onclick: () => navigate('#/visits') }, t('inbox.reset'))));
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const q = {};
		for (const el of form.elements) {
			if (!el.name) continue;
			if (el.type === 'checkbox') {
				if (el.checked) q[el.name] = '1';
			} else if (el.value) q[el.name] = el.value;
		}
		navigate(`#/visits${qs(q)}`);
	});
	const api = { ...params, mine: undefined, visitor_id: params.mine ? me.id : undefined };
	const tbl = table(t('visit.visits'), visitCols());
	const p = pager(ctx, (before) => get(`/visits${qs({ ...api, limit: 50, before })}`), (items) => tbl.add(items, (v) => ({ 'data-id': v.id })), { empty: t('visit.none') });
	main.append(h('section.visits',
		h('div.head', h('h1', t('visit.title')), h('a.button.primary', { href: '#/visits/new', 'data-testid': 'new-visit' }, t('visit.record'))),
		visitTabs('visits'),
		h('details.filters-box', { open: Object.keys(params).length ? true : null }, h('summary', t('inbox.filters')), form),
		h('div.list', tbl.el, p.status, p.more)));
	await p.run();
}

function answerText(item, v) {
	if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no');
	if (v === null || v === undefined || v === '') return '—';
	return String(v);
}

async function one(ctx) {
	const { main, params } = ctx;
	let v;
	let templates;
	try {
		[v, templates] = await Promise.all([
			get(`/visits/${params.id}`),
			get('/checklists?all=1').then((r) => r.items || []).catch(() => []),
		]);
	} catch (e) {
		if (e.status === 401) return;
		missing(main, e, ['#/visits', t('visit.back')]);
		return;
	}
	if (!ctx.isCurrent()) return;
	draw(v);

	function draw(visit) {
		v = visit;
		clear(main);
		const checks = (v.checks || []).map((c) => {
			const tp = templates.find((x) => x.code === c.template);
			const items = tp ? tp.items : Object.keys(c.answers || {}).map((k) => ({ key: k, label: k }));
			return h('section.checklist-view', { 'data-template': c.template }, h('h3', c.name || (tp && tp.name) || c.template),
				h('dl.info', items.filter((it) => c.answers && it.key in c.answers).map((it) => [h('dt', it.label), h('dd', answerText(it, c.answers[it.key]))])));
		});
		const hz = table(t('visit.hazards'), [
			[t('haz.type'), (x) => h('a', { href: `#/hazards/${x.id}` }, t('haztype.' + x.type))],
			[t('haz.severity'), (x) => h(`span.sev.sev-${x.severity}`, t('severity.' + x.severity))],
			[t('haz.description'), (x) => x.description],
			[t('haz.state'), (x) => t('hazstate.' + x.state)],
			[t('haz.deadline'), (x) => hazardMark(x)],
			[t('haz.order'), (x) => (x.order_id ? h('a', { href: `#/orders/${x.order_id}` }, t('haz.order_link')) : '')],
		]);
		hz.add(v.hazard_list || [], (x) => ({ 'data-id': x.id }));
		const orders = table(t('visit.orders'), [
			[t('order.code'), (o) => h('a', { href: `#/orders/${o.id}`, 'data-testid': 'visit-order' }, o.code)],
			[t('order.title'), (o) => o.title],
			[t('order.state'), (o) => stateBadge(o.state)],
			[t('order.created'), (o) => fmtTime(o.created_at)],
		]);
		orders.add(v.order_list || [], (o) => ({ 'data-id': o.id }));
		main.append(h('article.visit', { 'data-id': v.id },
			h('p.crumbs', h('a', { href: '#/visits' }, t('visit.back'))),
			h('div.head', h('h1', { tabindex: '-1' }, t('visit.heading', { target: v.target.name })),
				h('a.button', { href: `#/visits/new${qs({ kind: v.target.kind, id: v.target.id, name: v.target.name })}` }, t('visit.again'))),
			h('div.cols',
				h('div.main-col',
					h('section.card', h('h2', t('visit.s_checks')), checks.length ? checks : h('p.muted', t('visit.no_checks'))),
					h('section.card', h('h2', t('visit.hazards')), (v.hazard_list || []).length ? h('div.list', hz.el) : h('p.muted', t('visit.no_hazards'))),
					h('section.card', { 'data-testid': 'visit-orders' }, h('h2', t('visit.orders')),
						(v.order_list || []).length ? h('div.list', orders.el) : h('p.muted', t('visit.no_orders')),
						problemForm(ctx, v, draw))),
				h('aside.side', h('h2', t('order.details')), info([
					[t('visit.target'), [t('target.' + v.target.kind), ' · ', targetLink(v.target)]],
					[t('visit.method'), t('method.' + v.method)],
					[t('visit.when'), fmtTime(v.visited_at)],
					[t('visit.visitor'), ref(v.visitor)],
					[t('visit.companions'), v.companions],
					[t('visit.campaign'), v.campaign ? h('a', { href: `#/campaigns/${v.campaign.id}` }, v.campaign.name) : null],
					[t('reg.area'), ref(v.unit)],
					[t('visit.notes'), v.notes ? h('span.pre', v.notes) : null],
					[t('visit.recorded'), fmtTime(v.created_at)],
				])))));
	}
}

// Raise one more problem from a visit: it becomes a linked work order.
function problemForm(ctx, v, draw) {
	const msg = h('p.error', { role: 'alert' });
	const cat = h('select', { name: 'category', required: true }, h('option', { value: '' }, t('form.choose')));
	categories().then((cs) => cat.append(...cs.map((c) => h('option', { value: c.code }, nameOf(c))))).catch(() => {});
	const hazSel = (v.hazard_list || []).length ? h('select', { name: 'hazard' }, h('option', { value: '' }, t('visit.no_hazard')),
		v.hazard_list.map((x, i) => h('option', { value: i }, `${t('visit.hazard_n', { n: i + 1 })} · ${t('haztype.' + x.type)}`))) : null;
	const form = h('form.problem-form', { novalidate: true, 'data-testid': 'more-problem' },
		field(t('order.title'), h('input', { name: 'title', maxlength: 100, required: true })),
		field(t('order.category'), cat),
		field(t('order.description'), h('textarea', { name: 'description', rows: 3, maxlength: 4000, required: true })),
		hazSel ? field(t('visit.problem_hazard'), hazSel) : null,
		msg, h('div.buttons', h('button.primary', { type: 'submit' }, t('visit.raise'))));
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const el = form.elements;
		msg.textContent = '';
		for (const k of ['title', 'category', 'description']) {
			if (!el[k].value.trim()) {
				msg.textContent = t('form.required');
				el[k].focus();
				return;
			}
		}
		const body = { title: el.title.value.trim(), category: el.category.value, description: el.description.value.trim() };
		if (hazSel && hazSel.value !== '') body.hazard = Number(hazSel.value);
		try {
			const r = await post(`/visits/${v.id}/problems`, body);
			ctx.toast(t('visit.raised'));
			draw(r);
		} catch (e) {
			if (e.status !== 401) msg.textContent = errText(e);
		}
	});
	return h('details.more-problem', h('summary', t('visit.raise_more')), form);
}
