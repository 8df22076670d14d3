// The registers (台账): enterprises, households, buildings and other places,
// village groups — lists with search (Chinese substrings), filters kept in
// the address, "load more", links to each record's page, and for those
// whose role allows it: add, CSV import (with a dry run first) and export
// to Excel (.xlsx) or CSV with the list's filters.

import { field, h } from '../dom.js';
import { API, get, qs } from '../api.js';
import { nameOf, t } from '../i18n.js';
import { fmtDate } from '../format.js';
import { INDUSTRY_SECTIONS, PLACE_KINDS, REGISTER_TABS } from '../enums.js';
import { areas } from '../cache.js';
import { can, pager, ref, table } from '../regs.js';

const PAGE = 50;
const yesNo = (v) => (v ? t('common.yes') : t('common.no'));
const link = (href, text) => h('a', { href }, text || '—');

const REGISTERS = {
	enterprises: {
		path: '/enterprises', paged: true, newLabel: () => t('reg.new_enterprise'), write: 'entWrite', import: 'entImport', exportable: true,
		filters: ['q', 'unit_id', 'place_id', 'leader_id', 'section', 'above_scale', 'key_info', 'paired', 'tag', 'unvisited_since'],
		cols: () => [
			[t('reg.name'), (e) => link(`#/registers/enterprises/${e.id}`, e.name)],
			[t('reg.credit_code'), (e) => h('span.code', e.credit_code)],
			[t('reg.industry'), (e) => (e.industry && e.industry.section ? t('section.' + e.industry.section) : '')],
			[t('reg.flags'), (e) => [e.above_scale ? h('span.mark', t('reg.above_scale')) : null, e.key_info ? h('span.mark', t('reg.key_info')) : null]],
			[t('reg.area'), (e) => [ref(e.unit), ref(e.grid)].filter(Boolean).join(' · ')],
			[t('reg.leader'), (e) => ref(e.leader)],
			[t('reg.last_visit'), (e) => fmtDate(e.last_visit_at)],
		],
	},
	households: {
		path: '/households', paged: true, newLabel: () => t('reg.new_household'), write: 'hhWrite', import: 'hhWrite', exportable: true,
		filters: ['q', 'unit_id', 'place_id', 'tag', 'unvisited_since'],
		cols: () => [
			[t('reg.address'), (x) => link(`#/registers/households/${x.id}`, x.address)],
			[t('reg.area'), (x) => [ref(x.unit), ref(x.group)].filter(Boolean).join(' · ')],
			[t('reg.head'), (x) => x.head_name],
			[t('reg.members'), (x) => x.members],
			[t('reg.phone'), (x) => x.phone],
			[t('reg.last_visit'), (x) => fmtDate(x.last_visit_at)],
		],
	},
	places: {
		path: '/places', paged: false, newLabel: () => t('reg.new_place'), write: 'staff',
		filters: ['q', 'kind', 'unit_id'],
		cols: () => [
			[t('reg.name'), (x) => link(`#/registers/places/${x.id}`, x.name)],
			[t('reg.kind'), (x) => t('placekind.' + x.kind)],
			[t('reg.address'), (x) => x.address],
			[t('reg.area'), (x) => [ref(x.unit), ref(x.grid)].filter(Boolean).join(' · ')],
			[t('reg.enterprises'), (x) => x.enterprises],
			[t('reg.households'), (x) => x.households],
			[t('reg.last_visit'), (x) => fmtDate(x.last_visit_at)],
		],
	},
	'village-groups': {
		path: '/village-groups', paged: true, cursor: 'after', newLabel: () => t('reg.new_village_group'), write: 'hhWrite',
		filters: ['q', 'unit_id'],
		cols: (me) => [
			[t('reg.name'), (x) => (can(me, 'hhWrite') ? link(`#/registers/village-groups/${x.id}/edit`, x.name) : x.name)],
			[t('reg.village'), (x) => ref(x.village)],
			[t('reg.group_leader'), (x) => x.leader_name],
			[t('reg.households'), (x) => x.households],
			[t('reg.population'), (x) => x.population],
			[t('reg.last_visit'), (x) => fmtDate(x.last_visit_at)],
			[t('visit.visits'), (x) => link(`#/visits?target_kind=village&target_id=${x.id}`, t('visit.list_of'))],
		],
	},
};

function option(value, label, selected) {
	return h('option', { value, selected: String(value) === String(selected ?? '') }, label);
}

function triSelect(name, current) {
	return h('select', { name }, option('', t('inbox.any'), current), option('1', t('common.yes'), current), option('0', t('common.no'), current));
}

async function filterFields(name, query, me) {
	const reg = REGISTERS[name];
	const out = [];
	const has = (k) => reg.filters.includes(k) && k !== 'q';
	if (has('unit_id')) {
		const list = name === 'village-groups'
			? (await areas().catch(() => [])).filter((u) => u.kind === 'village' || !u.kind)
			: await areas().catch(() => []);
		out.push(field(t('reg.area_filter'), h('select', { name: 'unit_id' }, option('', t('inbox.any'), query.unit_id),
			list.map((u) => option(u.id, nameOf(u), query.unit_id)))));
	}
	if (has('leader_id') && can(me, 'privileged')) {
		const leaders = await get('/pairing/leaders').then((r) => r.leaders || []).catch(() => []);
		out.push(field(t('reg.leader'), h('select', { name: 'leader_id' }, option('', t('inbox.any'), query.leader_id),
			leaders.map((l) => option(l.user_id, l.name, query.leader_id)))));
	}
	if (has('kind')) out.push(field(t('reg.kind'), h('select', { name: 'kind' }, option('', t('inbox.any'), query.kind), PLACE_KINDS.map((k) => option(k, t('placekind.' + k), query.kind)))));
	if (has('section')) out.push(field(t('reg.industry'), h('select', { name: 'section' }, option('', t('inbox.any'), query.section), INDUSTRY_SECTIONS.map((s) => option(s, `${s} ${t('section.' + s)}`, query.section)))));
	if (has('above_scale')) out.push(field(t('reg.above_scale'), triSelect('above_scale', query.above_scale)));
	if (has('key_info')) out.push(field(t('reg.key_info'), triSelect('key_info', query.key_info)));
	if (has('paired')) out.push(field(t('reg.paired'), triSelect('paired', query.paired)));
	if (has('place_id')) {
		const places = await get('/places?limit=200').then((r) => r.items || []).catch(() => []);
		out.push(field(t('reg.place'), h('select', { name: 'place_id' }, option('', t('inbox.any'), query.place_id), places.map((p) => option(p.id, p.name, query.place_id)))));
	}
	if (has('tag')) out.push(field(t('reg.tag'), h('input', { name: 'tag', value: query.tag || '', maxlength: 20 })));
	if (has('unvisited_since')) out.push(field(t('reg.unvisited_since'), h('input', { name: 'unvisited_since', type: 'date', value: query.unvisited_since || '' }), t('reg.unvisited_hint')));
	return out;
}

export async function render(ctx) {
	const { main, query, navigate, me } = ctx;
	const name = REGISTERS[query.r] ? query.r : 'enterprises';
	const reg = REGISTERS[name];
	const params = {};
	for (const k of reg.filters) if (query[k]) params[k] = query[k];
	const hashFor = (q) => `#/registers${qs({ r: name, ...q })}`;

	const q = h('input', { name: 'q', type: 'search', value: query.q || '', maxlength: 100, placeholder: t('reg.search_hint'), 'data-testid': 'reg-search' });
	const form = h('form.quicksearch', { role: 'search' }, field(t('inbox.search'), q), h('button', { type: 'submit' }, t('inbox.go')));
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		navigate(hashFor({ ...params, q: q.value.trim() }));
	});
	const fields = await filterFields(name, query, me);
	if (!ctx.isCurrent()) return;
	const filters = fields.length ? h('form.filters', { 'aria-label': t('inbox.filters') }, fields,
		h('div.buttons', h('button.primary', { type: 'submit' }, t('inbox.apply')),
			h('button', { type: 'button', onclick: () => navigate(hashFor({})) }, t('inbox.reset')))) : null;
	if (filters) {
		filters.addEventListener('submit', (ev) => {
			ev.preventDefault();
			const nq = { q: q.value.trim() };
			for (const el of filters.elements) if (el.name && el.value) nq[el.name] = el.value.trim();
			navigate(hashFor(nq));
		});
	}

	const tools = h('div.reg-tools.buttons',
		(reg.write === 'staff' || can(me, reg.write)) ? h('a.button.primary', { href: `#/registers/${name}/new`, 'data-testid': 'reg-new' }, reg.newLabel()) : null,
		reg.import && can(me, reg.import) ? h('a.button', { href: `#/registers/import?r=${name}`, 'data-testid': 'reg-import' }, t('reg.import')) : null,
		reg.exportable ? h('a.button', { href: `${API}${reg.path}/export${qs({ ...params, format: 'xlsx' })}`, download: '', 'data-testid': 'export-xlsx' }, t('reg.export_xlsx')) : null,
		reg.exportable ? h('a.button', { href: `${API}${reg.path}/export${qs({ ...params, format: 'csv' })}`, download: '', 'data-testid': 'export-csv' }, t('reg.export_csv')) : null);

	const list = table(t('reg.tab.' + name), reg.cols(me));
	const cursor = reg.cursor || 'before';
	const p = pager(ctx, (next) => get(`${reg.path}${qs({ ...params, limit: reg.paged ? PAGE : 200, [cursor]: next, count: reg.paged && !next ? 1 : null })}`),
		(items) => list.add(items, (it) => ({ 'data-id': it.id })));

	main.append(h('section.registers', { 'data-reg': name, 'data-q': query.q || '' },
		h('div.head', h('h1', t('reg.title')), tools),
		h('nav.tabs', { 'aria-label': t('reg.title') }, REGISTER_TABS.map((r) => h('a', {
			href: `#/registers?r=${r}`, 'aria-current': r === name ? 'page' : null, 'data-register': r,
		}, t('reg.tab.' + r)))),
		form,
		filters ? h('details.filters-box', { open: Object.keys(params).some((k) => k !== 'q') ? true : null }, h('summary', t('inbox.filters')), filters) : null,
		h('div.list', list.el, p.status, p.more)));
	await p.run();
}
