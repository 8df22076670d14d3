// Visit campaigns (走访活动: 组级整治, 村级消薄, 三服务·入企 …): the list with
// their coverage, a campaign's page (its members, and each target visited
// or not yet, paged), and for admin, leaders and dispatchers the form that
// starts one (with its members picked from the staff list, GET /users) and
// the one that adds targets.

import { clear, field, h } from '../dom.js';
import { get, post, qs } from '../api.js';
import { nameOf, t } from '../i18n.js';
import { TARGET_KINDS } from '../enums.js';
import { fmtDate, fmtRate, fmtTime } from '../format.js';
import { areas, units } from '../cache.js';
import { bindDraft, clearDraft } from '../draft.js';
import { can, errText, info, linkTabs, missing, pager, ref, staff, table, targetHref } from '../regs.js';
import { visitTabs } from './visits.js';

const THEMES = ['组级整治', '村级消薄', '民情大排摸', '三服务·入企', '隐患大排查'];

export async function render(ctx) {
	if (ctx.route === 'campaign') return one(ctx);
	if (ctx.route === 'campaignform') return create(ctx);
	return list(ctx);
}

function bar(visited, targets) {
	const rate = targets ? visited / targets : 0;
	return h('span.cover', { title: fmtRate(rate) },
		h('span.cover-bar', { 'aria-hidden': 'true' }, h('span', { style: `width:${Math.round(rate * 100)}%` })),
		h('span.cover-text', t('camp.cover', { visited, targets, rate: fmtRate(rate) })));
}

async function list(ctx) {
	const { main, me, query, navigate } = ctx;
	const tbl = table(t('camp.title'), [
		[t('camp.name'), (c) => h('a', { href: `#/campaigns/${c.id}` }, c.name)],
		[t('camp.theme'), (c) => c.theme],
		[t('camp.kind'), (c) => t('target.' + c.target_kind)],
		[t('camp.period'), (c) => `${fmtDate(c.starts_at)} – ${fmtDate(c.ends_at)}`],
		[t('camp.coverage'), (c) => bar(c.visited, c.targets)],
		[t('camp.members'), (c) => c.members],
	]);
	const active = query.active === '1';
	const p = pager(ctx, () => get(`/campaigns${qs({ active: active ? 1 : null })}`), (items) => tbl.add(items, (c) => ({ 'data-id': c.id })), { empty: t('camp.none') });
	main.append(h('section.campaigns',
		h('div.head', h('h1', t('camp.title')),
			can(me, 'campaignWrite') ? h('a.button.primary', { href: '#/campaigns/new', 'data-testid': 'new-campaign' }, t('camp.new')) : null),
		visitTabs('campaigns'),
		h('p', h('label.check', h('input', {
			type: 'checkbox', checked: active, onchange: (ev) => navigate(`#/campaigns${ev.target.checked ? '?active=1' : ''}`),
		}), t('camp.only_active'))),
		h('div.list', tbl.el, p.status, p.more)));
	await p.run();
}

async function one(ctx) {
	const { main, me, params, query, navigate } = ctx;
	let c;
	let templates;
	try {
		[c, templates] = await Promise.all([get(`/campaigns/${params.id}`), get('/checklists?all=1').then((r) => r.items || []).catch(() => [])]);
	} catch (e) {
		if (e.status === 401) return;
		missing(main, e, ['#/campaigns', t('camp.back')]);
		return;
	}
	if (!ctx.isCurrent()) return;
	const scope = c.in_scope || { targets: c.targets, visited: c.visited, not_visited: c.targets - c.visited };
	const which = ['1', '0'].includes(query.visited) ? query.visited : '';
	const cov = table(t('camp.targets'), [
		[t('visit.target'), (x) => h('a', { href: targetHref(c.target_kind, x.target_id) }, x.name)],
		[t('reg.area'), (x) => ref(x.unit)],
		[t('camp.assignee'), (x) => [ref(x.assignee), x.team ? h('small.sub', x.team) : null]],
		[t('camp.visited'), (x) => (x.visited ? h('span.mark.ok', t('camp.yes_visited')) : h('span.mark.warned', t('camp.not_visited')))],
		[t('reg.last_visit'), (x) => fmtTime(x.last_visit_at)],
		[t('camp.visits'), (x) => x.visits],
		['', (x) => (x.visited ? '' : h('a.button.small', { href: `#/visits/new${qs({ kind: c.target_kind, id: x.target_id, name: x.name, campaign: c.id })}` }, t('visit.record')))],
	]);
	const p = pager(ctx, (after) => get(`/campaigns/${c.id}/coverage${qs({ visited: which, after, limit: 50 })}`).then((r) => ({ items: r.items, next: r.next, total: which === '1' ? r.visited : which === '0' ? r.not_visited : r.targets })),
		(items) => cov.add(items, (x) => ({ 'data-id': x.target_id, 'data-visited': x.visited ? '1' : '0', class: x.visited ? null : 'row-warned' })), { empty: t('camp.no_targets') });
	const members = table(t('camp.member_list'), [
		[t('camp.member'), (m) => m.name],
		[t('camp.team'), (m) => m.team],
		[t('camp.visits'), (m) => m.visits],
	]);
	members.add(c.member_list || []);
	const tplNames = (c.templates || []).map((code) => (templates.find((x) => x.code === code) || { name: code }).name);
	main.append(h('article.campaign', { 'data-id': c.id },
		h('p.crumbs', h('a', { href: '#/campaigns' }, t('camp.back'))),
		h('div.head', h('h1', { tabindex: '-1' }, c.name), c.theme ? h('span.badge', c.theme) : null),
		h('div.figures',
			h('div.figure', { 'data-testid': 'camp-targets' }, h('span.value', scope.targets), h('span.label', t('camp.targets'))),
			h('div.figure', { 'data-testid': 'camp-visited' }, h('span.value', scope.visited), h('span.label', t('camp.yes_visited'))),
			h('div.figure', { 'data-testid': 'camp-not-visited' }, h('span.value', scope.not_visited), h('span.label', t('camp.not_visited'))),
			h('div.figure', h('span.value', fmtRate(scope.targets ? scope.visited / scope.targets : 0)), h('span.label', t('camp.coverage')))),
		h('div.cols',
			h('div.main-col',
				h('section.card', h('h2', t('camp.targets')),
					linkTabs(t('camp.targets'), [['', t('camp.all')], ['0', t('camp.not_visited')], ['1', t('camp.yes_visited')]].map(([v, label]) => [
						`#/campaigns/${c.id}${qs({ visited: v })}`, label, v]), which),
					h('div.list', cov.el, p.status, p.more)),
				can(me, 'campaignWrite') ? targetsForm(ctx, c, () => navigate(`#/campaigns/${c.id}`)) : null),
			h('aside.side', h('h2', t('order.details')), info([
				[t('camp.theme'), c.theme],
				[t('camp.kind'), t('target.' + c.target_kind)],
				[t('camp.period'), `${fmtDate(c.starts_at)} – ${fmtDate(c.ends_at)}`],
				[t('camp.templates'), tplNames.join('、')],
				[t('camp.unit'), ref(c.unit)],
				[t('camp.created_by'), ref(c.created_by)],
				[t('reg.notes'), c.notes],
			]), h('h2', t('camp.member_list')), (c.member_list || []).length ? h('div.list', members.el) : h('p.muted', t('camp.no_members'))))));
	await p.run();
}

async function unitChoices() {
	const [sub, list] = await Promise.all([units('subdistrict').catch(() => []), areas().catch(() => [])]);
	return [...sub, ...list];
}

function targetsForm(ctx, c, after) {
	const msg = h('p.error', { role: 'alert' });
	const unit = h('select', { name: 'target_unit_id', required: true }, h('option', { value: '' }, t('form.choose')));
	unitChoices().then((us) => unit.append(...us.map((u) => h('option', { value: u.id }, nameOf(u)))));
	const team = h('input', { name: 'team', maxlength: 40 });
	const form = h('form', { novalidate: true },
		h('div.row', field(t('camp.target_unit'), unit, t('camp.target_unit_hint')), field(t('camp.team'), team)),
		msg, h('div.buttons', h('button.primary', { type: 'submit' }, t('camp.add_targets'))));
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		msg.textContent = '';
		if (!unit.value) {
			msg.textContent = t('form.required');
			unit.focus();
			return;
		}
		try {
			await post(`/campaigns/${c.id}/targets`, { target_unit_id: Number(unit.value), ...(team.value.trim() ? { team: team.value.trim() } : {}) });
			ctx.toast(t('camp.targets_added'));
			after();
		} catch (e) {
			if (e.status !== 401) msg.textContent = errText(e);
		}
	});
	return h('details.card', h('summary', t('camp.add_targets')), form);
}

async function create(ctx) {
	const { main, me, navigate, toast } = ctx;
	if (!can(me, 'campaignWrite')) {
		main.append(h('section.panel', h('h1', t('camp.new')), h('p', { role: 'alert' }, t('err.role_not_allowed'))));
		return;
	}
	const [templates, unitList, users] = await Promise.all([
		get('/checklists').then((r) => r.items || []).catch(() => []), unitChoices(), staff(me)]);
	if (!ctx.isCurrent()) return;
	const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
	const kind = h('select', { name: 'target_kind', required: true }, TARGET_KINDS.map((k) => h('option', { value: k }, t('target.' + k))));
	const tplBox = h('fieldset.checks', h('legend', t('camp.templates')));
	const drawTemplates = () => {
		const keep = new Set([...tplBox.querySelectorAll('input:checked')].map((x) => x.value));
		clear(tplBox).append(h('legend', t('camp.templates')),
			...templates.filter((tp) => !tp.target_kinds || !tp.target_kinds.length || tp.target_kinds.includes(kind.value))
				.map((tp) => h('label.check', h('input', { type: 'checkbox', name: `tpl.${tp.code}`, value: tp.code, checked: keep.has(tp.code) }), tp.name)));
	};
	kind.addEventListener('change', drawTemplates);
	drawTemplates();
	const memberBox = users.length ? h('fieldset.checks.members', h('legend', t('camp.members_pick')),
		users.filter((u) => ['leader', 'dept', 'community', 'grid', 'dispatcher'].includes(u.role)).map((u) => h('label.check',
			h('input', { type: 'checkbox', name: `member.${u.id}`, value: u.id }), `${u.name} · ${t('role.' + u.role)}`))) : h('p.muted', t('camp.members_later'));
	const msg = h('p.error', { role: 'alert' });
	const form = h('form.camp-form', { novalidate: true, 'aria-labelledby': 'camp-h' },
		field(t('camp.name') + ' *', h('input', { name: 'name', maxlength: 100, required: true })),
		field(t('camp.theme') + ' *', h('input', { name: 'theme', maxlength: 40, required: true, list: 'camp-themes' }), t('camp.theme_hint')),
		h('datalist#camp-themes', THEMES.map((x) => h('option', { value: x }))),
		field(t('camp.kind') + ' *', kind),
		h('div.row', field(t('camp.starts') + ' *', h('input', { name: 'starts_on', type: 'date', required: true, value: today })),
			field(t('camp.ends') + ' *', h('input', { name: 'ends_on', type: 'date', required: true }))),
		tplBox,
		field(t('camp.target_unit'), h('select', { name: 'target_unit_id' }, h('option', { value: '' }, t('camp.targets_later')),
			unitList.map((u) => h('option', { value: u.id }, nameOf(u)))), t('camp.target_unit_hint')),
		memberBox,
		field(t('camp.team'), h('input', { name: 'team', maxlength: 40 })),
		field(t('reg.notes'), h('textarea', { name: 'notes', rows: 3, maxlength: 400 })),
		msg, h('div.buttons', h('button.primary', { type: 'submit' }, t('camp.create')), h('a.button', { href: '#/campaigns' }, t('form.cancel'))));
	main.append(h('section.camp-page', h('p.crumbs', h('a', { href: '#/campaigns' }, t('camp.back'))), h('h1#camp-h', t('camp.new')), form));
	bindDraft(form, 'campaign');
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const el = form.elements;
		msg.textContent = '';
		for (const k of ['name', 'theme', 'starts_on', 'ends_on']) {
			if (!el[k].value.trim()) {
				msg.textContent = t('form.required');
				el[k].setAttribute('aria-invalid', 'true');
				el[k].focus();
				return;
			}
		}
		const body = {
			name: el.name.value.trim(), theme: el.theme.value.trim(), target_kind: kind.value,
			starts_on: el.starts_on.value, ends_on: el.ends_on.value,
			templates: [...tplBox.querySelectorAll('input:checked')].map((x) => x.value),
			member_ids: [...form.querySelectorAll('.members input:checked')].map((x) => Number(x.value)),
		};
		if (el.target_unit_id.value) body.target_unit_id = Number(el.target_unit_id.value);
		if (el.team.value.trim()) body.team = el.team.value.trim();
		if (el.notes.value.trim()) body.notes = el.notes.value.trim();
		try {
			const r = await post('/campaigns', body);
			clearDraft('campaign');
			toast(t('camp.created'));
			navigate(`#/campaigns/${r.id}`);
		} catch (e) {
			if (e.status === 401) return;
			msg.textContent = errText(e);
			const target = e.field && el[e.field];
			if (target && target.focus) target.focus();
		}
	});
}
