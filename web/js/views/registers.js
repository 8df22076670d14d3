// The registers (台账): enterprises, households, buildings and other places,
// village groups — read-only lists with search, as the registers API
// offers them. Editing, imports and visits come with their screens.

import { clear, field, h } from '../dom.js';
import { errorText, get, qs } from '../api.js';
import { t } from '../i18n.js';
import { fmtDate } from '../format.js';
import { REGISTER_TABS } from '../enums.js';

const ref = (x) => (x && x.name) || '';
const REGISTERS = {
	enterprises: {
		path: '/enterprises', paged: true,
		cols: [['reg.name', (e) => e.name], ['reg.credit_code', (e) => e.credit_code], ['reg.industry', (e) => e.industry && e.industry.section_name],
			['reg.area', (e) => [ref(e.unit), ref(e.grid)].filter(Boolean).join(' · ')], ['reg.place', (e) => ref(e.place)],
			['reg.leader', (e) => ref(e.leader)], ['reg.last_visit', (e) => fmtDate(e.last_visit_at)]],
	},
	households: {
		path: '/households', paged: true,
		cols: [['reg.address', (x) => x.address], ['reg.area', (x) => [ref(x.unit), ref(x.group)].filter(Boolean).join(' · ')],
			['reg.head', (x) => x.head_name], ['reg.members', (x) => x.members], ['reg.last_visit', (x) => fmtDate(x.last_visit_at)]],
	},
	places: {
		path: '/places', paged: false,
		cols: [['reg.name', (x) => x.name], ['reg.address', (x) => x.address], ['reg.area', (x) => [ref(x.unit), ref(x.grid)].filter(Boolean).join(' · ')],
			['reg.enterprises', (x) => x.enterprises], ['reg.households', (x) => x.households], ['reg.last_visit', (x) => fmtDate(x.last_visit_at)]],
	},
	'village-groups': {
		path: '/village-groups', paged: false,
		cols: [['reg.name', (x) => x.name], ['reg.village', (x) => ref(x.village)], ['reg.group_leader', (x) => x.leader_name],
			['reg.households', (x) => x.households], ['reg.population', (x) => x.population], ['reg.last_visit', (x) => fmtDate(x.last_visit_at)]],
	},
};

export async function render(ctx) {
	const { main, query, navigate } = ctx;
	const name = REGISTERS[query.r] ? query.r : 'enterprises';
	const reg = REGISTERS[name];
	const q = h('input', { name: 'q', type: 'search', value: query.q || '', maxlength: 100 });
	const form = h('form.quicksearch', { role: 'search' }, field(t('inbox.search'), q), h('button', { type: 'submit' }, t('inbox.go')));
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		navigate(`#/registers${qs({ r: name, q: q.value.trim() })}`);
	});
	const tbody = h('tbody');
	const status = h('p.status', { role: 'status', 'aria-live': 'polite' });
	const more = h('button.more', { type: 'button', hidden: true }, t('inbox.more'));
	main.append(h('section.registers',
		h('h1', t('reg.title')),
		h('nav.tabs', { 'aria-label': t('reg.title') }, REGISTER_TABS.map((r) => h('a', {
			href: `#/registers?r=${r}`, 'aria-current': r === name ? 'page' : null, 'data-register': r,
		}, t('reg.tab.' + r)))),
		form,
		h('div.list', h('table.orders', h('caption.sr-only', t('reg.tab.' + name)),
			h('thead', h('tr', reg.cols.map(([k]) => h('th', { scope: 'col' }, t(k))))), tbody), status, more)));
	let shown = 0;
	async function load(before) {
		more.hidden = true;
		status.textContent = t('inbox.loading');
		try {
			const r = await get(`${reg.path}${qs({ q: query.q, limit: 50, before })}`);
			if (!ctx.isCurrent()) return;
			const items = (r && r.items) || [];
			for (const it of items) {
				tbody.append(h('tr', reg.cols.map(([k, fn], i) => {
					const v = fn(it);
					return h(i ? 'td' : 'th', { scope: i ? null : 'row', 'data-label': t(k) }, v === null || v === undefined || v === '' ? '—' : String(v));
				})));
			}
			shown += items.length;
			status.textContent = shown ? t('reg.count', { n: r.total ?? shown }) : t('reg.empty');
			if (reg.paged && items.length === 50) {
				more.hidden = false;
				more.onclick = () => load(items[items.length - 1].id);
			}
		} catch (e) {
			if (e.status === 401) return;
			clear(status).append(errorText(e));
			status.classList.add('error');
		}
	}
	await load();
}
