// Hazards (隐患) found on visits: the list by state with their deadlines and
// the working days left, and one hazard's page with its photo, the
// rectification (整改, any staff in scope) and the verification (验收, by
// admin, leader, dispatcher or a 科室 — never the person who rectified it:
// the API's refusal is shown as it comes).

import { clear, field, h } from '../dom.js';
import { API, get, post, qs, request } from '../api.js';
import { nameOf, t } from '../i18n.js';
import { HAZARD_SEVERITIES } from '../enums.js';
import { fmtDate, fmtTime } from '../format.js';
import { areas } from '../cache.js';
import { can, errText, hazardMark, info, linkTabs, missing, pager, ref, table, targetLink } from '../regs.js';

const TABS = [['open', { state: 'open' }], ['overdue', { state: 'open', overdue: 1 }], ['rectified', { state: 'rectified' }],
	['verified', { state: 'verified' }], ['all', {}]];
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];

export async function render(ctx) {
	if (ctx.route === 'hazard') return one(ctx);
	return list(ctx);
}

function option(value, label, selected) {
	return h('option', { value, selected: String(value) === String(selected ?? '') }, label);
}

function tabLabel(k) {
	switch (k) {
	case 'open': return t('haz.tab_open');
	case 'overdue': return t('haz.tab_overdue');
	case 'rectified': return t('haz.tab_rectified');
	case 'verified': return t('haz.tab_verified');
	default: return t('haz.tab_all');
	}
}

async function list(ctx) {
	const { main, query, navigate } = ctx;
	const tab = TABS.find(([k]) => k === query.tab) ? query.tab : 'open';
	const areaList = await areas().catch(() => []);
	if (!ctx.isCurrent()) return;
	const hashFor = (q) => `#/hazards${qs(q)}`;
	const form = h('form.filters.inline-filters', { 'aria-label': t('inbox.filters') },
		field(t('haz.severity'), h('select', { name: 'severity' }, option('', t('inbox.any'), query.severity),
			HAZARD_SEVERITIES.map((s) => option(s, t('severity.' + s), query.severity)))),
		field(t('reg.area_filter'), h('select', { name: 'unit_id' }, option('', t('inbox.any'), query.unit_id),
			areaList.map((u) => option(u.id, nameOf(u), query.unit_id)))),
		h('div.buttons', h('button.primary', { type: 'submit' }, t('inbox.apply'))));
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		navigate(hashFor({ tab, severity: form.elements.severity.value, unit_id: form.elements.unit_id.value }));
	});
	const tbl = table(t('haz.title'), [
		[t('haz.type'), (x) => h('a', { href: `#/hazards/${x.id}` }, t('haztype.' + x.type))],
		[t('haz.severity'), (x) => h(`span.sev.sev-${x.severity}`, t('severity.' + x.severity))],
		[t('haz.description'), (x) => x.description],
		[t('visit.target'), (x) => targetLink(x.target)],
		[t('reg.area'), (x) => ref(x.unit)],
		[t('haz.found'), (x) => fmtDate(x.found_at)],
		[t('haz.deadline'), (x) => [fmtDate(x.deadline), ' ', x.state === 'open' ? hazardMark(x) : h('span.mark', t('hazstate.' + x.state))]],
	]);
	const filter = TABS.find(([k]) => k === tab)[1];
	const p = pager(ctx, (before) => get(`/hazards${qs({ ...filter, severity: query.severity, unit_id: query.unit_id, limit: 50, before })}`),
		(items) => tbl.add(items, (x) => ({ 'data-id': x.id, 'data-state': x.state, class: x.overdue ? 'row-overdue' : null })), { empty: t('haz.none') });
	main.append(h('section.hazards',
		h('h1', t('haz.title')),
		linkTabs(t('haz.title'), TABS.map(([k]) => [hashFor({ tab: k, severity: query.severity, unit_id: query.unit_id }), tabLabel(k), k]), tab),
		form,
		h('div.list', tbl.el, p.status, p.more)));
	await p.run();
}

async function one(ctx) {
	const { main, params } = ctx;
	let hz;
	try {
		hz = await get(`/hazards/${params.id}`);
	} catch (e) {
		if (e.status === 401) return;
		missing(main, e, ['#/hazards', t('haz.back')]);
		return;
	}
	if (!ctx.isCurrent()) return;
	draw(hz);

	function draw(x) {
		hz = x;
		clear(main);
		const photo = hz.has_photo ? h('figure.hazard-photo', h('img', {
			src: `${API}/hazards/${hz.id}/photo?v=${Date.now()}`, alt: t('haz.photo_alt', { type: t('haztype.' + hz.type) }), loading: 'lazy',
		})) : h('p.muted', t('haz.no_photo'));
		main.append(h('article.hazard', { 'data-id': hz.id, 'data-state': hz.state },
			h('p.crumbs', h('a', { href: '#/hazards' }, t('haz.back'))),
			h('div.head', h('h1', { tabindex: '-1' }, `${t('haztype.' + hz.type)} · ${hz.description}`),
				h('span.badge', { 'data-testid': 'hazard-state' }, t('hazstate.' + hz.state))),
			h('div.cols',
				h('div.main-col',
					h('section.card', h('h2', t('haz.photo')), photo, photoForm(hz, draw)),
					actions(ctx, hz, draw)),
				h('aside.side', h('h2', t('order.details')), info([
					[t('haz.type'), t('haztype.' + hz.type)],
					[t('haz.severity'), h(`span.sev.sev-${hz.severity}`, t('severity.' + hz.severity))],
					[t('visit.target'), targetLink(hz.target)],
					[t('reg.area'), ref(hz.unit)],
					[t('haz.found'), `${fmtTime(hz.found_at)} · ${ref(hz.found_by)}`],
					[t('haz.visit'), hz.visit_id ? h('a', { href: `#/visits/${hz.visit_id}` }, t('haz.visit_link')) : null],
					[t('haz.days'), t('haz.days_n', { n: hz.days })],
					[t('haz.deadline'), [fmtTime(hz.deadline), ' ', hazardMark(hz)]],
					[t('haz.rectified'), hz.rectified_at ? `${fmtTime(hz.rectified_at)} · ${ref(hz.rectified_by)}` : null],
					[t('haz.rectify_note'), hz.rectify_note ? h('span.pre', hz.rectify_note) : null],
					[t('haz.verified'), hz.verified_at ? `${fmtTime(hz.verified_at)} · ${ref(hz.verified_by)}` : null],
					[t('haz.verify_note'), hz.verify_note ? h('span.pre', hz.verify_note) : null],
					[t('haz.order'), hz.order_id ? h('a', { href: `#/orders/${hz.order_id}` }, t('haz.order_link')) : null],
				])))));
	}
}

function photoForm(hz, draw) {
	const input = h('input', { type: 'file', name: 'photo', accept: IMAGE_TYPES.join(',') });
	const msg = h('p.error', { role: 'alert' });
	const form = h('form.inline', { novalidate: true }, field(hz.has_photo ? t('haz.photo_replace') : t('haz.photo_add'), input),
		h('button', { type: 'submit' }, t('haz.upload')), msg);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const f = input.files[0];
		msg.textContent = '';
		if (!f || !IMAGE_TYPES.includes(f.type)) {
			msg.textContent = f ? t('form.photo_type', { name: f.name }) : t('form.required');
			input.focus();
			return;
		}
		try {
			await request('POST', `/hazards/${hz.id}/photo`, { raw: f, type: f.type });
			draw(await get(`/hazards/${hz.id}`));
		} catch (e) {
			if (e.status !== 401) msg.textContent = errText(e);
		}
	});
	return form;
}

// Rectify (open) and verify (rectified) forms, as the person's role allows.
function actions(ctx, hz, draw) {
	const { me, toast } = ctx;
	const sec = h('section.card.act', { 'data-testid': 'hazard-actions' }, h('h2', t('order.actions')));
	const msg = h('p.error', { role: 'alert', 'data-testid': 'hazard-error' });
	const run = async (path, body, done) => {
		msg.textContent = '';
		try {
			const r = await post(`/hazards/${hz.id}/${path}`, body);
			toast(done);
			draw(r && r.id ? r : await get(`/hazards/${hz.id}`));
		} catch (e) {
			if (e.status === 401) return;
			msg.textContent = e.code === 'same_person' ? t('err.same_person') : errText(e);
			msg.dataset.code = e.code || '';
		}
	};
	if (hz.state === 'open') {
		const note = h('textarea', { name: 'note', rows: 3, maxlength: 1000, required: true });
		const f = h('form.action-form', { novalidate: true, 'data-action': 'rectify' }, h('h3', t('haz.rectify')), h('p.hint', t('haz.rectify_hint')),
			field(t('haz.rectify_note'), note), h('div.buttons', h('button.primary', { type: 'submit' }, t('haz.rectify'))));
		f.addEventListener('submit', (ev) => {
			ev.preventDefault();
			if (!note.value.trim()) {
				msg.textContent = t('form.required');
				note.focus();
				return;
			}
			run('rectify', { note: note.value.trim() }, t('haz.rectified_done'));
		});
		sec.append(f);
	} else if (hz.state === 'rectified' && can(me, 'hazardVerify')) {
		const note = h('textarea', { name: 'note', rows: 3, maxlength: 1000 });
		const f = h('form.action-form', { novalidate: true, 'data-action': 'verify' }, h('h3', t('haz.verify')), h('p.hint', t('haz.verify_hint')),
			hz.rectified_by && hz.rectified_by.id === me.id ? h('p.notice', { 'data-testid': 'same-person-note' }, t('haz.you_rectified')) : null,
			h('fieldset.radios', h('legend', t('haz.verify_result')),
				h('label.radio', h('input', { type: 'radio', name: 'ok', value: '1', checked: true }), h('span', t('haz.verify_ok'))),
				h('label.radio', h('input', { type: 'radio', name: 'ok', value: '0' }), h('span', t('haz.verify_fail')))),
			field(t('haz.verify_note'), note, t('haz.verify_note_hint')),
			h('div.buttons', h('button.primary', { type: 'submit' }, t('haz.verify'))));
		f.addEventListener('submit', (ev) => {
			ev.preventDefault();
			const ok = f.elements.ok.value === '1';
			if (!ok && !note.value.trim()) {
				msg.textContent = t('form.required');
				note.focus();
				return;
			}
			const body = { ok };
			if (note.value.trim()) body.note = note.value.trim();
			run('verify', body, ok ? t('haz.verified_done') : t('haz.refused_done'));
		});
		sec.append(f);
	} else if (hz.state === 'rectified') {
		sec.append(h('p.muted', t('haz.waiting_verify')));
	} else {
		sec.append(h('p.muted', t('haz.closed')));
	}
	sec.append(msg);
	return sec;
}
