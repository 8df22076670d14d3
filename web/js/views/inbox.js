// The inbox: the person's orders by state bucket, with overdue and nearly
// overdue marks and working days left; filters, search (Chinese
// substrings go to ?q=), sort, "load more" paging and quick actions. The
// filters live in the URL hash so a reload or a shared link keeps them.

import { clear, field, h } from '../dom.js';
import { errorText, get, post, qs } from '../api.js';
import { nameOf, t } from '../i18n.js';
import { BUCKETS, QUICK_ACTIONS, SORTS } from '../enums.js';
import { areas, categories, units } from '../cache.js';
import { orderRows, orderTable } from '../orderlist.js';

const PAGE = 50;
const FILTERS = ['q', 'category', 'area', 'unit', 'overdue', 'warned', 'problem', 'supervised', 'from', 'to', 'sort'];

function option(value, label, selected) {
	return h('option', { value, selected: String(value) === String(selected ?? '') }, label);
}

export async function render(ctx) {
	const { main, query, navigate, toast } = ctx;
	const bucket = BUCKETS[query.bucket] ? query.bucket : 'open';
	const hashFor = (q) => `#/inbox${qs(q)}`;

	const tabs = h('nav.tabs', { 'aria-label': t('inbox.buckets') },
		Object.keys(BUCKETS).map((b) => h('a', {
			href: hashFor({ ...query, bucket: b }), 'data-bucket': b,
			'aria-current': b === bucket ? 'page' : null,
		}, t('bucket.' + b))));

	const [cats, areaList, depts] = await Promise.all([
		categories().catch(() => []), areas().catch(() => []), units('department').catch(() => []),
	]);

	const f = {
		q: h('input', { name: 'q', type: 'search', value: query.q || '', maxlength: 100, placeholder: t('inbox.search_hint') }),
		category: h('select', { name: 'category' }, option('', t('inbox.any')), cats.map((c) => option(c.code, nameOf(c), query.category))),
		area: h('select', { name: 'area' }, option('', t('inbox.any')), areaList.map((u) => option(u.id, nameOf(u), query.area))),
		unit: h('select', { name: 'unit' }, option('', t('inbox.any')), depts.map((u) => option(u.id, nameOf(u), query.unit))),
		from: h('input', { name: 'from', type: 'date', value: query.from || '' }),
		to: h('input', { name: 'to', type: 'date', value: query.to || '' }),
		sort: h('select', { name: 'sort' }, SORTS.map((s) => option(s, t('sort.' + s), query.sort || '-created'))),
	};
	const check = (name, key) => h('label.check', h('input', { type: 'checkbox', name, checked: query[name] === '1' }), t(key));
	const form = h('form.filters', { role: 'search', 'aria-label': t('inbox.filters') },
		field(t('inbox.search'), f.q),
		field(t('order.category'), f.category),
		field(t('order.area'), f.area),
		field(t('order.dept'), f.unit),
		field(t('inbox.from'), f.from),
		field(t('inbox.to'), f.to),
		field(t('inbox.sort'), f.sort),
		h('fieldset.checks', h('legend', t('inbox.marks')),
			check('overdue', 'inbox.only_overdue'), check('warned', 'inbox.only_warned'),
			check('problem', 'inbox.only_problem'), check('supervised', 'inbox.only_supervised')),
		h('div.buttons',
			h('button.primary', { type: 'submit' }, t('inbox.apply')),
			h('button', { type: 'button', onclick: () => navigate(hashFor({ bucket })) }, t('inbox.reset'))),
	);
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const q = { bucket };
		for (const el of form.elements) {
			if (!el.name) continue;
			if (el.type === 'checkbox') {
				if (el.checked) q[el.name] = '1';
			} else if (el.value && !(el.name === 'sort' && el.value === '-created')) q[el.name] = el.value.trim();
		}
		navigate(hashFor(q));
	});

	const { table, tbody } = orderTable(t('inbox.title'));
	const status = h('p.status', { role: 'status', 'aria-live': 'polite' });
	const more = h('button.more', { type: 'button', hidden: true }, t('inbox.more'));
	const listBox = h('div.list', table, status, more);

	main.append(h('section.inbox',
		h('div.head', h('h1', t('inbox.title')), h('a.button.primary', { href: '#/new' }, t('nav.new'))),
		tabs,
		h('details.filters-box', { open: FILTERS.some((k) => query[k] && k !== 'q') ? true : null },
			h('summary', t('inbox.filters')), form),
		h('form.quicksearch', { role: 'search', onsubmit: (ev) => { ev.preventDefault(); form.requestSubmit(); } },
			field(t('inbox.search'), h('input', {
				type: 'search', name: 'q2', value: query.q || '', maxlength: 100, 'data-testid': 'search',
				placeholder: t('inbox.search_hint'), oninput: (ev) => { f.q.value = ev.target.value; },
			})),
			h('button', { type: 'submit' }, t('inbox.go'))),
		listBox,
	));

	const params = { limit: PAGE };
	const states = BUCKETS[bucket];
	if (states.length) params.state = states.join(',');
	for (const k of FILTERS) if (query[k]) params[k] = query[k];

	let total = 0;
	const quick = (o, cell) => {
		const b = h('button.small', {
			type: 'button', 'aria-haspopup': 'true', 'aria-label': t('inbox.quick_for', { code: o.code }),
		}, t('order.quick'));
		b.addEventListener('click', () => openQuick(o, cell, b));
		cell.append(b);
	};
	async function openQuick(o, cell, b) {
		b.disabled = true;
		try {
			const d = await get(`/orders/${o.id}`);
			const acts = (d.actions || []).filter((a) => QUICK_ACTIONS.includes(a));
			clear(cell);
			const menu = h('div.quick', { role: 'group', 'aria-label': t('inbox.quick_for', { code: o.code }) },
				acts.map((a) => h('button.small', {
					type: 'button', 'data-action': a,
					onclick: async (ev) => {
						ev.target.disabled = true;
						try {
							const r = await post(`/orders/${o.id}/actions/${a}`, {});
							toast(t('order.done', { action: t('action.' + a), code: o.code }));
							const tr = cell.closest('tr');
							const fresh = orderRows([r], quick).firstChild;
							tr.replaceWith(fresh);
						} catch (e) {
							toast(errorText(e), 'error');
							ev.target.disabled = false;
						}
					},
				}, t('action.' + a))),
				h('a.button.small', { href: `#/orders/${o.id}` }, t('inbox.open')),
			);
			cell.append(menu);
			const first = menu.querySelector('button, a');
			if (first) first.focus();
		} catch (e) {
			toast(errorText(e), 'error');
			b.disabled = false;
		}
	}

	async function load(cursor) {
		more.hidden = true;
		status.textContent = t('inbox.loading');
		try {
			const r = await get(`/orders${qs({ ...params, cursor })}`);
			if (!ctx.isCurrent()) return;
			const items = r.items || [];
			total += items.length;
			tbody.append(orderRows(items, quick));
			status.textContent = total ? t('inbox.count', { n: total }) : t('inbox.empty');
			more.hidden = !r.next_cursor;
			more.onclick = () => load(r.next_cursor);
		} catch (e) {
			if (e.status === 401) return;
			status.textContent = errorText(e);
			status.classList.add('error');
		}
	}
	await load();
}
