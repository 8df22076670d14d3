// Add and change records of the registers, as far as the API allows:
// enterprises (POST, PATCH with version), households (POST, PATCH), places
// (POST, PATCH) and village groups (POST; PATCH of their facts). A change
// sends only the fields that changed; phones and ID numbers are shown
// masked and sent only when typed anew. What is typed is kept as a draft.

import { field, h } from '../dom.js';
import { get, qs, request } from '../api.js';
import { nameOf, t } from '../i18n.js';
import { INDUSTRY_SECTIONS, PLACE_KINDS } from '../enums.js';
import { bindDraft, clearDraft } from '../draft.js';
import { areas, units } from '../cache.js';
import { can, errText, missing, ref, staff, userOptions } from '../regs.js';

const areaOpts = async () => (await areas().catch(() => [])).map((u) => [u.id, nameOf(u)]);
const gridOpts = async () => {
	const [g, w] = await Promise.all([units('grid').catch(() => []), units('workstation').catch(() => [])]);
	return [...g, ...w].map((u) => [u.id, nameOf(u)]);
};
const placeOpts = async () => ((await get('/places?limit=200').catch(() => ({ items: [] }))).items || []).map((p) => [p.id, p.name]);
// Every village group, page by page (200 a page; 200+ in Cangqian).
const groupOpts = async () => {
	const all = [];
	let after = null;
	for (let i = 0; i < 20; i++) {
		const r = await get(`/village-groups${qs({ limit: 200, after })}`).catch(() => ({ items: [] }));
		all.push(...(r.items || []));
		if (!r.next) break;
		after = r.next;
	}
	return all.map((g) => [g.id, `${ref(g.village)} · ${g.name}`]);
};
const villageOpts = async () => (await units('village').catch(() => [])).map((u) => [u.id, nameOf(u)]);
const tagsOf = (v) => String(v || '').split(/[,，、;；\s]+/).map((s) => s.trim()).filter(Boolean);

// Field specs: name, label, type (text, tel, number, select, check, tags,
// area), max, min, required, options (async), secret (masked value shown
// as a placeholder), from (record -> value), create / edit only.
const SPECS = {
	enterprises: {
		label: () => [t('reg.new_enterprise'), t('reg.edit_enterprise')],
		fields: (me) => [
			{ name: 'credit_code', label: t('reg.credit_code'), max: 40, required: true, hint: t('ent.credit_hint') },
			{ name: 'name', label: t('reg.name'), max: 100, required: true },
			{ name: 'industry_section', label: t('reg.section'), type: 'select', options: async () => INDUSTRY_SECTIONS.map((s) => [s, `${s} ${t('section.' + s)}`]), from: (r) => r.industry && r.industry.section },
			{ name: 'industry_division', label: t('reg.division'), max: 3, hint: t('ent.division_hint'), from: (r) => r.industry && r.industry.division },
			{ name: 'above_scale', label: t('reg.above_scale'), type: 'check' },
			{ name: 'key_info', label: t('reg.key_info'), type: 'check' },
			{ name: 'address', label: t('reg.address'), max: 200 },
			{ name: 'unit_id', label: t('reg.community'), type: 'select', options: areaOpts, from: (r) => r.unit && r.unit.id },
			{ name: 'grid_unit_id', label: t('reg.grid'), type: 'select', options: gridOpts, from: (r) => r.grid && r.grid.id },
			{ name: 'place_id', label: t('reg.place'), type: 'select', options: placeOpts, from: (r) => r.place && r.place.id },
			{ name: 'contact_name', label: t('reg.contact'), max: 30, from: (r) => r.contact && r.contact.name },
			{ name: 'contact_phone', label: t('reg.phone'), type: 'tel', max: 40, secret: (r) => r.contact && r.contact.phone },
			{ name: 'tags', label: t('reg.tags'), type: 'tags', hint: t('reg.tags_hint') },
			can(me, 'pairSet') ? { name: 'leader_user_id', label: t('reg.leader'), type: 'user', roles: ['leader'], create: true } : null,
			can(me, 'pairSet') ? { name: 'liaison_user_id', label: t('reg.liaison'), type: 'user', create: true } : null,
		],
		versioned: true,
	},
	households: {
		label: () => [t('reg.new_household'), t('reg.edit_household')],
		fields: () => [
			{ name: 'address', label: t('reg.address'), max: 200, required: true, hint: t('hh.address_hint') },
			{ name: 'unit_id', label: t('reg.community'), type: 'select', options: areaOpts, from: (r) => r.unit && r.unit.id, mine: true },
			{ name: 'group_unit_id', label: t('reg.group'), type: 'select', options: groupOpts, from: (r) => r.group && r.group.id, hint: t('hh.group_hint') },
			{ name: 'place_id', label: t('reg.place'), type: 'select', options: placeOpts, from: (r) => r.place && r.place.id },
			{ name: 'head_name', label: t('reg.head'), max: 30 },
			{ name: 'members', label: t('reg.members'), type: 'number', min: 0, max: 99 },
			{ name: 'phone', label: t('reg.phone'), type: 'tel', max: 40, secret: (r) => r.phone },
			{ name: 'id_no', label: t('reg.id_no'), max: 40, secret: (r) => r.id_no },
			{ name: 'tags', label: t('reg.tags'), type: 'tags', hint: t('reg.tags_hint') },
			{ name: 'notes', label: t('reg.notes'), type: 'area', max: 400 },
		],
	},
	places: {
		label: () => [t('reg.new_place'), t('reg.edit_place')],
		fields: () => [
			{ name: 'kind', label: t('reg.kind'), type: 'select', required: true, options: async () => PLACE_KINDS.map((k) => [k, t('placekind.' + k)]) },
			{ name: 'name', label: t('reg.name'), max: 100, required: true },
			{ name: 'address', label: t('reg.address'), max: 200 },
			{ name: 'unit_id', label: t('reg.community'), type: 'select', options: areaOpts, from: (r) => r.unit && r.unit.id },
			{ name: 'grid_unit_id', label: t('reg.grid'), type: 'select', options: gridOpts, from: (r) => r.grid && r.grid.id },
			{ name: 'operator', label: t('place.operator'), max: 100 },
			{ name: 'floors', label: t('place.floors'), type: 'number', min: 0, max: 200 },
			{ name: 'area_m2', label: t('place.area_m2'), type: 'number', min: 0, max: 100000000 },
			{ name: 'notes', label: t('reg.notes'), type: 'area', max: 400 },
		],
	},
	'village-groups': {
		label: () => [t('reg.new_village_group'), t('reg.edit_village_group')],
		fields: () => [
			{ name: 'village_unit_id', label: t('reg.village'), type: 'select', required: true, create: true, options: villageOpts },
			{ name: 'name', label: t('reg.name'), max: 40, required: true, create: true },
			{ name: 'code', label: t('vg.code'), max: 40, create: true, hint: t('vg.code_hint') },
			{ name: 'leader_name', label: t('reg.group_leader'), max: 30 },
			{ name: 'households', label: t('reg.households'), type: 'number', min: 0, max: 100000 },
			{ name: 'population', label: t('reg.population'), type: 'number', min: 0, max: 1000000 },
			{ name: 'notes', label: t('reg.notes'), type: 'area', max: 400 },
		],
	},
};

function valueOf(spec, rec) {
	if (!rec) return spec.type === 'check' ? false : '';
	if (spec.secret) return '';
	const v = spec.from ? spec.from(rec) : rec[spec.name];
	if (spec.type === 'check') return Boolean(v);
	if (spec.type === 'tags') return (rec.tags || []).join('，');
	return v === null || v === undefined ? '' : String(v);
}

async function control(spec, rec, me, users) {
	const v = valueOf(spec, rec);
	const common = { name: spec.name, required: spec.required && !rec ? true : null };
	switch (spec.type) {
	case 'select': {
		const opts = await spec.options();
		let sel = v;
		if (!rec && spec.mine && me.unit && opts.some(([id]) => id === me.unit.id)) sel = String(me.unit.id);
		return h('select', common, h('option', { value: '' }, t('form.choose')),
			opts.map(([id, label]) => h('option', { value: id, selected: String(id) === String(sel) }, label)));
	}
	case 'user':
		return h('select', common, h('option', { value: '' }, t('ent.none')), userOptions(users, '', spec.roles));
	case 'check':
		return h('input', { ...common, type: 'checkbox', checked: v });
	case 'number':
		return h('input', { ...common, type: 'number', inputmode: 'numeric', min: spec.min, max: spec.max, step: 1, value: v });
	case 'area':
		return h('textarea', { ...common, rows: 3, maxlength: spec.max }, v);
	default: {
		const secret = rec && spec.secret ? spec.secret(rec) : '';
		return h('input', {
			...common, type: spec.type === 'tel' ? 'tel' : 'text', inputmode: spec.type === 'tel' ? 'tel' : null,
			maxlength: spec.max || 200, value: v, autocomplete: 'off',
			placeholder: secret ? t('reg.keep_value', { v: secret }) : null,
		});
	}
	}
}

function read(spec, el) {
	if (spec.type === 'check') return el.checked;
	const s = String(el.value || '').trim();
	if (spec.type === 'tags') return tagsOf(s);
	if (spec.type === 'number' || spec.type === 'select' || spec.type === 'user') {
		if (s === '') return null;
		return /^-?\d+$/.test(s) ? Number(s) : s;
	}
	return s;
}

export async function render(ctx) {
	const { main, params, me, navigate, toast } = ctx;
	const { reg, id } = params;
	const def = SPECS[reg];
	const writable = { enterprises: 'entWrite', households: 'hhWrite', 'village-groups': 'hhWrite' }[reg];
	let rec = null;
	if (id) {
		try {
			rec = await get(`/${reg}/${id}`);
		} catch (e) {
			if (e.status === 401) return;
			missing(main, e, [`#/registers?r=${reg}`, t('reg.back')]);
			return;
		}
	}
	if (!ctx.isCurrent()) return;
	const [newTitle, editTitle] = def.label();
	const title = rec ? `${editTitle} · ${rec.name || rec.address}` : newTitle;
	if (writable && !can(me, writable)) {
		main.append(h('section.panel', h('h1', title), h('p', { role: 'alert' }, t('err.role_not_allowed'))));
		return;
	}
	const users = await staff(me);
	const specs = def.fields(me).filter((s) => s && (rec ? !s.create : true));
	const msg = h('p.error', { role: 'alert' });
	const save = h('button.primary', { type: 'submit' }, rec ? t('reg.save') : t('reg.create'));
	const fields = [];
	for (const s of specs) {
		const c = await control(s, rec, me, users);
		fields.push(s.type === 'check' ? h('label.check', c, s.label) : field(s.label + (s.required ? ' *' : ''), c, s.hint));
	}
	if (!ctx.isCurrent()) return;
	const form = h('form.reg-form', { novalidate: true, 'data-register': reg, 'aria-labelledby': 'regform-h' },
		h('div.form-grid', fields), msg,
		h('div.buttons', save, h('a.button', { href: rec && reg !== 'village-groups' ? `#/registers/${reg}/${rec.id}` : `#/registers?r=${reg}` }, t('form.cancel'))));
	main.append(h('section.reg-form-page',
		h('p.crumbs', h('a', { href: `#/registers?r=${reg}` }, t('reg.back'))),
		h('h1#regform-h', { tabindex: '-1' }, title),
		h('p.hint', t('reg.form_hint')),
		form));
	const draftKey = `reg.${reg}.${id || 'new'}`;
	if (bindDraft(form, draftKey)) toast(t('intake.draft_restored'));
	const initial = {};
	for (const s of specs) initial[s.name] = read(s, { value: valueOf(s, rec), checked: valueOf(s, rec) });

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		msg.textContent = '';
		const el = form.elements;
		for (const s of specs) el[s.name].removeAttribute('aria-invalid');
		const missingField = specs.find((s) => s.required && !rec && !String(el[s.name].value || '').trim());
		if (missingField) {
			msg.textContent = t('form.required');
			el[missingField.name].setAttribute('aria-invalid', 'true');
			el[missingField.name].focus();
			return;
		}
		const body = {};
		for (const s of specs) {
			const v = read(s, el[s.name]);
			if (rec) {
				if (JSON.stringify(v) === JSON.stringify(initial[s.name])) continue;
				if (s.secret && v === '') continue;
				body[s.name] = v === null ? 0 : v;
			} else if (v !== null && v !== '' && !(Array.isArray(v) && !v.length) && !(s.type === 'check' && !v)) body[s.name] = v;
		}
		if (rec && !Object.keys(body).length) {
			msg.textContent = t('reg.nothing_changed');
			return;
		}
		if (rec && def.versioned) body.version = rec.version;
		save.disabled = true;
		try {
			const r = await request(rec ? 'PATCH' : 'POST', rec ? `/${reg}/${rec.id}` : `/${reg}`, { body });
			clearDraft(draftKey);
			toast(rec ? t('reg.saved') : t('reg.created'));
			navigate(reg === 'village-groups' ? `#/registers?r=${reg}` : `#/registers/${reg}/${(r && r.id) || (rec && rec.id)}`);
		} catch (e) {
			if (e.status === 401) return;
			msg.textContent = errText(e);
			const name = e.field && String(e.field).replace(/^.*\./, '');
			const target = name && el[name];
			if (target && target.focus) {
				target.setAttribute('aria-invalid', 'true');
				target.focus();
			}
		} finally {
			save.disabled = false;
		}
	});
	const first = form.querySelector('input, select, textarea');
	if (first) first.focus();
}
