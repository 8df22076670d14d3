// The dashboard: headline figures (the orders', and the visits' from
// GET /visits/stats), orders by state and by category, the weekly trend,
// on-time and satisfaction rates, counts per community and department, and
// the overdue list. ECharts is imported here, dynamically,
// so it never weighs on the console's first load.

import { h } from '../dom.js';
import { get } from '../api.js';
import { has, isEnglish, t } from '../i18n.js';
import { fmtDate, fmtRate, fmtTime } from '../format.js';

const ECHARTS = '/vendor/echarts/echarts.esm.min.mjs';
let charts = [];
let resizeBound = false;

function figure(label, value, testid, cls) {
	return h(`div.figure${cls ? '.' + cls : ''}`, { 'data-testid': testid }, h('span.value', value), h('span.label', label));
}

// A data table behind each chart, for keyboards, screen readers and print.
function dataTable(caption, head, rows) {
	return h('details.data', h('summary', t('dash.as_table')),
		h('table', h('caption', caption), h('thead', h('tr', head.map((x) => h('th', { scope: 'col' }, x)))),
			h('tbody', rows.map((r) => h('tr', r.map((c, i) => (i ? h('td', c) : h('th', { scope: 'row' }, c))))))));
}

function chartBox(title, id, table) {
	return h('section.chart-card', h('h2', title), h('div.chart', { id, role: 'img', 'aria-label': title }), table);
}

export async function render(ctx) {
	const { main } = ctx;
	for (const c of charts) c.dispose();
	charts = [];
	// The visits' headline figures (GET /visits/stats), next to the orders'.
	const [s, vs] = await Promise.all([get('/stats/overview'), get('/visits/stats').catch((e) => {
		if (e.status === 401) throw e;
		return null;
	})]);
	if (!ctx.isCurrent()) return;
	const stateName = (x) => (has('state.' + x.state) ? t('state.' + x.state) : x.label || x.state);
	const catName = (x) => (isEnglish() && x.name_en ? x.name_en : x.name || x.code);
	const tot = s.totals || {};
	const extra = [];
	// Figures from other registers (visits) appear when the server has them.
	if (!vs && s.households_visited !== undefined) extra.push(figure(t('dash.households_visited'), s.households_visited, 'fig-visited'));
	if (!vs && s.visits !== undefined && typeof s.visits === 'number') extra.push(figure(t('dash.visits'), s.visits, 'fig-visits'));
	const visitFigures = vs ? h('section.visit-figures', { 'aria-labelledby': 'dash-visits-h' },
		h('h2#dash-visits-h', h('a', { href: '#/visits' }, t('dash.visits_title'))),
		h('div.figures',
			figure(t('dash.households_visited'), vs.households_visited ?? 0, 'fig-visited'),
			figure(t('dash.enterprises_visited'), vs.enterprises_visited ?? 0, 'fig-ent-visited'),
			figure(t('dash.villages_visited'), vs.villages_visited ?? 0, 'fig-vg-visited'),
			figure(t('dash.visits'), vs.visits ?? 0, 'fig-visits'),
			figure(t('dash.problems_raised'), vs.problems_raised ?? 0, 'fig-problems-raised'),
			figure(t('dash.problems_solved'), vs.problems_solved ?? 0, 'fig-problems-solved'),
			figure(t('dash.hazards_found'), vs.hazards_found ?? 0, 'fig-hazards'),
			figure(t('dash.hazards_fixed'), vs.hazards_fixed ?? 0, 'fig-hazards-fixed'),
			figure(t('dash.hazards_overdue'), vs.hazards_overdue ?? 0, 'fig-hazards-overdue', vs.hazards_overdue ? 'bad' : null))) : null;

	const byState = s.by_state || [];
	const byCat = s.by_category || [];
	const weekly = s.weekly || [];
	const byArea = s.by_area || [];
	const byDept = s.by_dept || [];
	const overdue = s.overdue || [];

	main.append(h('section.dashboard',
		h('h1', t('dash.title')),
		h('div.figures',
			figure(t('dash.received'), tot.received ?? '—', 'fig-received'),
			figure(t('dash.solved'), tot.solved ?? '—', 'fig-solved'),
			figure(t('dash.open'), tot.open ?? '—', 'fig-open'),
			figure(t('dash.on_time'), fmtRate(s.on_time_rate), 'fig-on-time'),
			figure(t('dash.accept_on_time'), fmtRate(s.accept_on_time_rate), 'fig-accept-on-time'),
			figure(t('dash.satisfaction'), fmtRate(s.satisfaction_rate), 'fig-satisfaction', null),
			figure(t('dash.overdue_open'), s.overdue_open ?? 0, 'fig-overdue', s.overdue_open ? 'bad' : null),
			figure(t('dash.problem_open'), s.problem_open ?? 0, 'fig-problem', s.problem_open ? 'bad' : null),
			extra),
		s.rated !== undefined ? h('p.muted', t('dash.rated', { n: s.rated })) : null,
		visitFigures,
		h('div.charts',
			chartBox(t('dash.by_state'), 'c-state', dataTable(t('dash.by_state'), [t('order.state'), t('dash.count')], byState.filter((x) => x.count > 0).map((x) => [stateName(x), x.count]))),
			chartBox(t('dash.by_category'), 'c-cat', dataTable(t('dash.by_category'), [t('order.category'), t('dash.count')], byCat.map((x) => [catName(x), x.count]))),
			chartBox(t('dash.weekly'), 'c-week', dataTable(t('dash.weekly'), [t('dash.week'), t('dash.created'), t('dash.closed')], weekly.map((x) => [fmtDate(x.week_start), x.created, x.closed]))),
			chartBox(t('dash.by_area'), 'c-area', dataTable(t('dash.by_area'), [t('order.area'), t('dash.count')], byArea.map((x) => [x.name, x.count]))),
			chartBox(t('dash.by_dept'), 'c-dept', dataTable(t('dash.by_dept'), [t('order.dept'), t('dash.count'), t('dash.open'), t('dash.overdue')], byDept.map((x) => [x.name, x.count, x.open, x.overdue])))),
		h('section.overdue-list', h('h2', t('dash.overdue_list')),
			overdue.length ? h('table.orders', h('thead', h('tr', [t('order.code'), t('order.title'), t('order.dept'), t('order.deadline'), t('dash.days_overdue')].map((x) => h('th', { scope: 'col' }, x)))),
				h('tbody', overdue.map((o) => h('tr.row-overdue',
					h('td', h('a', { href: `#/orders/${o.id}` }, o.code)), h('td', o.title),
					h('td', (o.dept && o.dept.name) || o.dept || '—'), h('td', fmtTime(o.deadline)), h('td', o.days_overdue)))))
				: h('p.muted', t('dash.no_overdue'))),
	));

	let echarts;
	try {
		echarts = await import(ECHARTS);
	} catch (e) {
		main.querySelector('.charts').prepend(h('p.error', t('dash.charts_missing')));
		return;
	}
	if (!ctx.isCurrent()) return;
	const mk = (id, option) => {
		const el = main.querySelector('#' + id);
		if (!el) return;
		// Long category lists get room for one readable bar each.
		const rows = option.yAxis && option.yAxis.data ? option.yAxis.data.length : 0;
		if (rows > 12) el.style.height = `${rows * 20 + 60}px`;
		const c = echarts.init(el, null, { renderer: 'canvas' });
		c.setOption({ animation: false, tooltip: {}, grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true }, ...option });
		charts.push(c);
	};
	mk('c-state', { tooltip: { trigger: 'item' }, series: [{ type: 'pie', radius: ['35%', '70%'], data: byState.filter((x) => x.count > 0).map((x) => ({ name: stateName(x), value: x.count })) }] });
	mk('c-cat', { xAxis: { type: 'value' }, yAxis: { type: 'category', inverse: true, data: byCat.map(catName) }, series: [{ type: 'bar', data: byCat.map((x) => x.count) }] });
	mk('c-week', {
		tooltip: { trigger: 'axis' }, legend: { top: 0, data: [t('dash.created'), t('dash.closed')] }, grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
		xAxis: { type: 'category', data: weekly.map((x) => fmtDate(x.week_start).slice(5)) }, yAxis: { type: 'value' },
		series: [{ name: t('dash.created'), type: 'line', data: weekly.map((x) => x.created) }, { name: t('dash.closed'), type: 'line', data: weekly.map((x) => x.closed) }],
	});
	mk('c-area', { xAxis: { type: 'value' }, yAxis: { type: 'category', inverse: true, data: byArea.map((x) => x.name) }, series: [{ type: 'bar', data: byArea.map((x) => x.count) }] });
	mk('c-dept', {
		tooltip: { trigger: 'axis' }, legend: { top: 0, data: [t('dash.open'), t('dash.overdue')] }, grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
		xAxis: { type: 'value' }, yAxis: { type: 'category', inverse: true, data: byDept.map((x) => x.name) },
		series: [{ name: t('dash.open'), type: 'bar', stack: 'a', data: byDept.map((x) => Math.max(0, (x.open || 0) - (x.overdue || 0))) },
			{ name: t('dash.overdue'), type: 'bar', stack: 'a', data: byDept.map((x) => x.overdue || 0), itemStyle: { color: '#c0392b' } }],
	});
	if (!resizeBound) {
		resizeBound = true;
		window.addEventListener('resize', () => {
			charts = charts.filter((c) => {
				if (c.getDom().isConnected) return c.resize(), true;
				c.dispose();
				return false;
			});
		});
	}
	main.dataset.charts = String(charts.length);
}
