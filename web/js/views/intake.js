// Recording a problem raised by phone, at the window or on a visit: find a
// returning requester by phone (earlier orders shown, masked), pick the
// category, attach photos, and see the deadline the order will get before
// saving. What is typed is kept as a draft until it is saved.

import { clear, field, h } from '../dom.js';
import { errorText, get, post, qs } from '../api.js';
import { nameOf, t } from '../i18n.js';
import { REQUESTER_KINDS } from '../enums.js';
import { fmtTime, nowIso } from '../format.js';
import { bindDraft, clearDraft } from '../draft.js';
import { areas, categories, units } from '../cache.js';
import { orderRows, orderTable } from '../orderlist.js';
import { uploadPhotos } from './actions.js';

const DRAFT = 'intake';

export async function render(ctx) {
	const { main, me, navigate, toast } = ctx;
	const [cats, areaList, depts] = await Promise.all([
		categories(), areas().catch(() => []), units('department').catch(() => []),
	]);
	const defaultChannel = me.role === 'grid' || me.role === 'community' ? 'visit' : 'phone';
	const radios = (name, legend, options, checked) => h('fieldset.radios.inline', h('legend', legend),
		options.map(([v, label]) => h('label.radio', h('input', { type: 'radio', name, value: v, checked: v === checked }), h('span', label))));

	const phone = h('input', { name: 'phone', type: 'tel', inputmode: 'tel', maxlength: 30, autocomplete: 'off' });
	const findBtn = h('button', { type: 'button' }, t('intake.find'));
	const history = h('div.history', { 'aria-live': 'polite' });
	const grouped = new Map();
	for (const c of cats) {
		const g = c.group || c.grp || '';
		if (!grouped.has(g)) grouped.set(g, []);
		grouped.get(g).push(c);
	}
	const catSel = h('select', { name: 'category', required: true },
		h('option', { value: '' }, t('form.choose')),
		[...grouped].map(([g, list]) => {
			const opts = list.map((c) => h('option', { value: c.code }, nameOf(c)));
			return g ? h('optgroup', { label: g }, opts) : opts;
		}));
	const deadlineBox = h('p.deadline-preview', { 'aria-live': 'polite', 'data-testid': 'deadline-preview' });
	const kindBox = radios('kind', t('intake.requester_kind'), REQUESTER_KINDS.map((k) => [k, t('kind.' + k)]), 'person');
	const org = h('input', { name: 'org', maxlength: 200 });
	const orgField = field(t('intake.org'), org);
	const files = h('input', { name: 'photos', type: 'file', multiple: true, accept: 'image/jpeg,image/png,image/webp,image/gif' });
	const msg = h('p.error', { role: 'alert' });
	const save = h('button.primary', { type: 'submit' }, t('intake.save'));
	const autoRoute = h('input', { type: 'checkbox', name: 'auto_route', checked: true });
	const tracking = h('input', { type: 'checkbox', name: 'tracking', checked: true });

	const form = h('form.intake', { novalidate: true, 'aria-labelledby': 'intake-h' },
		h('fieldset', h('legend', t('intake.how')),
			radios('channel', t('order.channel'), [['phone', t('channel.phone')], ['visit', t('channel.visit')], ['window', t('channel.window')]], defaultChannel)),
		h('fieldset', h('legend', t('intake.who')),
			kindBox,
			h('div.row', field(t('intake.phone'), phone, t('intake.phone_hint')), findBtn),
			history,
			field(t('intake.name'), h('input', { name: 'name', maxlength: 64, autocomplete: 'off' })),
			orgField),
		h('fieldset', h('legend', t('intake.what')),
			field(t('order.category'), catSel),
			deadlineBox,
			field(t('order.title'), h('input', { name: 'title', required: true, maxlength: 100 }), t('intake.title_hint')),
			field(t('order.description'), h('textarea', { name: 'description', required: true, rows: 5, maxlength: 4000 }))),
		h('fieldset', h('legend', t('intake.where')),
			field(t('order.address'), h('input', { name: 'address', maxlength: 200 })),
			h('div.row',
				field(t('intake.lat'), h('input', { name: 'lat', type: 'number', step: 'any', min: -90, max: 90, inputmode: 'decimal' })),
				field(t('intake.lng'), h('input', { name: 'lng', type: 'number', step: 'any', min: -180, max: 180, inputmode: 'decimal' })),
				navigator.geolocation ? h('button', { type: 'button', onclick: locate }, t('intake.locate')) : null),
			field(t('order.area'), h('select', { name: 'area_unit_id' }, h('option', { value: '' }, t('form.choose')),
				areaList.map((u) => h('option', { value: u.id, selected: me.unit && me.unit.id === u.id }, nameOf(u)))))),
		h('fieldset', h('legend', t('intake.routing')),
			field(t('intake.dept'), h('select', { name: 'dept_unit_id' }, h('option', { value: '' }, t('intake.dept_default')),
				depts.map((u) => h('option', { value: u.id }, nameOf(u))))),
			h('label.check', autoRoute, t('intake.auto_route')),
			h('label.check', tracking, t('intake.tracking'), h('small.hint', t('intake.tracking_hint')))),
		h('fieldset', h('legend', t('form.photos')), field(t('form.photos'), files, t('form.photos_hint'))),
		msg,
		h('div.buttons', save, h('button', { type: 'button', onclick: discard }, t('intake.discard'))),
	);

	main.append(h('section.intake-page',
		h('h1#intake-h', t('intake.title')),
		h('p.hint', t('intake.intro')),
		form));

	const restored = bindDraft(form, DRAFT);
	if (restored) toast(t('intake.draft_restored'));
	const syncKind = () => {
		const k = form.elements.kind.value;
		orgField.hidden = k !== 'enterprise';
	};
	kindBox.addEventListener('change', syncKind);
	syncKind();

	async function preview() {
		const c = cats.find((x) => x.code === catSel.value);
		clear(deadlineBox);
		if (!c) return;
		const ch = form.elements.channel.value;
		// A dispatcher's phone or window order is accepted at once: the
		// handling limit runs; otherwise the acceptance limit.
		const accepted = autoRoute.checked && ['phone', 'window', 'visit'].includes(ch) && ['dispatcher', 'admin'].includes(me.role);
		const days = accepted ? (c.handle_days ?? c.accept_days) : (c.accept_days ?? c.handle_days);
		if (!days) return;
		try {
			const r = await get(`/calendar/deadline${qs({ start: nowIso(), days })}`);
			const d = r.deadline || r.due || r.at;
			deadlineBox.append(t(accepted ? 'intake.deadline_handle' : 'intake.deadline_accept', { days, at: fmtTime(d) }),
				c.dept_name || (c.dept && c.dept.name) ? h('span.sub', ` ${t('intake.goes_to', { dept: c.dept_name || c.dept.name })}`) : null);
		} catch (e) {
			if (e.status !== 401) deadlineBox.textContent = errorText(e);
		}
	}
	catSel.addEventListener('change', preview);
	form.addEventListener('change', (ev) => {
		if (ev.target.name === 'channel' || ev.target.name === 'auto_route') preview();
	});
	if (catSel.value) preview();

	async function find() {
		const p = phone.value.trim();
		clear(history);
		if (!p) {
			phone.focus();
			return;
		}
		try {
			const r = await get(`/orders${qs({ phone: p, limit: 10, sort: '-created', state: '' })}`);
			const items = r.items || [];
			if (!items.length) {
				history.append(h('p.muted', t('intake.no_history')));
				return;
			}
			const first = items[0].requester || {};
			const { table, tbody } = orderTable(t('intake.history'));
			tbody.append(orderRows(items));
			history.append(h('p', { 'data-testid': 'returning' }, t('intake.returning', { n: items.length, name: first.name || '—', phone: first.phone || '' })), table);
			const nameEl = form.elements.name;
			if (!nameEl.value && first.name && !/\*/.test(first.name)) nameEl.value = first.name;
		} catch (e) {
			if (e.status !== 401) history.append(h('p.error', errorText(e)));
		}
	}
	findBtn.addEventListener('click', find);
	phone.addEventListener('keydown', (ev) => {
		if (ev.key === 'Enter') {
			ev.preventDefault();
			find();
		}
	});

	function locate() {
		navigator.geolocation.getCurrentPosition((pos) => {
			form.elements.lat.value = pos.coords.latitude.toFixed(6);
			form.elements.lng.value = pos.coords.longitude.toFixed(6);
			form.dispatchEvent(new Event('input'));
		}, () => toast(t('intake.locate_failed'), 'error'), { timeout: 10000 });
	}

	// The caller's tracking code and secret, shown once: read them out or
	// send them, so the caller can follow and rate the order on the portal.
	function showTracking(o, secret) {
		const link = new URL(`/portal/t/${encodeURIComponent(o.tracking_code)}#s=${encodeURIComponent(secret)}`, location.href).href;
		clear(main).append(h('section.panel.saved', { 'data-testid': 'intake-saved' },
			h('h1', { tabindex: '-1' }, t('intake.saved', { code: o.code })),
			h('p', t('intake.tell_caller')),
			h('dl.info',
				h('dt', t('portal.tracking_code')), h('dd', h('strong.code', { 'data-testid': 'tracking-code' }, o.tracking_code)),
				h('dt', t('portal.secret')), h('dd', h('code', { 'data-testid': 'secret' }, secret)),
				h('dt', t('portal.link')), h('dd', h('a', { href: link, 'data-testid': 'track-link', target: '_blank', rel: 'noopener' }, link))),
			h('p.buttons', h('a.button.primary', { href: `#/orders/${o.id}`, 'data-testid': 'open-order' }, t('intake.open_order')),
				h('button', { type: 'button', onclick: () => navigate('#/new') }, t('intake.another')))));
		main.querySelector('h1').focus();
	}

	function discard() {
		clearDraft(DRAFT);
		form.reset();
		clear(history);
		clear(deadlineBox);
		syncKind();
	}

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		msg.textContent = '';
		const el = form.elements;
		for (const name of ['category', 'title', 'description']) {
			if (!String(el[name].value).trim()) {
				msg.textContent = t('form.required');
				el[name].setAttribute('aria-invalid', 'true');
				el[name].focus();
				return;
			}
		}
		const kind = el.kind.value || 'person';
		const body = {
			title: el.title.value.trim(),
			description: el.description.value.trim(),
			category: el.category.value,
			channel: el.channel.value || defaultChannel,
			requester: { kind },
			address: el.address.value.trim(),
			auto_route: autoRoute.checked,
		};
		if (kind !== 'anonymous') {
			if (el.name.value.trim()) body.requester.name = el.name.value.trim();
			if (phone.value.trim()) body.requester.phone = phone.value.trim();
			if (kind === 'enterprise' && org.value.trim()) body.requester.org = org.value.trim();
		}
		if (el.lat.value && el.lng.value) {
			body.lat = Number(el.lat.value);
			body.lng = Number(el.lng.value);
		}
		if (el.area_unit_id.value) body.area_unit_id = Number(el.area_unit_id.value);
		if (el.dept_unit_id.value) body.dept_unit_id = Number(el.dept_unit_id.value);
		if (tracking.checked && kind !== 'anonymous') body.tracking = true;
		save.disabled = true;
		try {
			let o;
			try {
				o = await post('/orders', body);
			} catch (e) {
				// A server without tracking codes for staff-recorded orders.
				if (!(e.status === 400 && e.field === 'tracking')) throw e;
				delete body.tracking;
				o = await post('/orders', body);
				toast(t('intake.tracking_unavailable'), 'error');
			}
			clearDraft(DRAFT);
			let note = '';
			if (files.files.length) {
				try {
					await uploadPhotos(o.id, files.files);
				} catch (e) {
					note = ` ${t('intake.photo_failed')}: ${errorText(e)}`;
				}
			}
			toast(t('intake.saved', { code: o.code }) + note, note ? 'error' : 'info');
			const secret = o.tracking_secret || o.secret;
			if (o.tracking_code && secret) showTracking(o, secret);
			else navigate(`#/orders/${o.id}`);
		} catch (e) {
			if (e.status === 401) return;
			msg.textContent = errorText(e);
			const map = { category: 'category', title: 'title', description: 'description', address: 'address', phone: 'phone', 'requester.phone': 'phone', name: 'name' };
			const target = e.field && el[map[e.field] || e.field];
			if (target && target.focus) {
				target.setAttribute('aria-invalid', 'true');
				target.focus();
			}
		} finally {
			save.disabled = false;
		}
	});
}
