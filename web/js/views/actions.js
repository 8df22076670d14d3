// The form of each order action, as the API's bodies want them:
// accept {}, reject {reason}, assign {unit_id}, return {reason, text},
// start {}, request_extension {days, reason}, approve_extension {days},
// deny_extension {reason}, resolve {result}, return_call {channel, contact,
// summary}, rate {rating, comment}, close {}, merge {target_id},
// supervise {text}, note {text, public}; attach uploads photos.

import { field, h } from '../dom.js';
import { errorText, get, post, qs, request } from '../api.js';
import { nameOf, t } from '../i18n.js';
import { RETURN_REASONS } from '../enums.js';
import { bindDraft, clearDraft } from '../draft.js';
import { units } from '../cache.js';

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];

const text = (name, opts = {}) => h('input', { name, maxlength: opts.max || 200, required: opts.required, value: opts.value });
const area = (name, opts = {}) => h('textarea', { name, rows: opts.rows || 4, maxlength: opts.max || 4000, required: opts.required });
const num = (name, opts = {}) => h('input', { name, type: 'number', min: opts.min || 1, max: opts.max || 60, step: 1, required: opts.required, value: opts.value, inputmode: 'numeric' });

function radios(name, legend, options, checked) {
	return h('fieldset.radios', h('legend', legend), options.map(([value, label, hint]) => h('label.radio',
		h('input', { type: 'radio', name, value, checked: value === checked, required: true }),
		h('span', label), hint ? h('small.hint', hint) : null)));
}

async function unitPicker(current) {
	const [depts, comms, vills] = await Promise.all(['department', 'community', 'village'].map((k) => units(k).catch(() => [])));
	const group = (label, list) => (list.length ? h('optgroup', { label }, list.map((u) => h('option', { value: u.id, selected: current && u.id === current }, nameOf(u)))) : null);
	return h('select', { name: 'unit_id', required: true },
		h('option', { value: '' }, t('form.choose')),
		group(t('unitkind.department'), depts), group(t('unitkind.community'), comms), group(t('unitkind.village'), vills));
}

function lastExtensionDays(o) {
	if (o.extension_requested_days) return o.extension_requested_days;
	const evs = (o.timeline || []).filter((e) => e.action === 'request_extension');
	const last = evs[evs.length - 1];
	return last && last.details && last.details.days ? last.details.days : '';
}

// Field list of an action: [[label, control, hint?] | node].
async function fieldsOf(a, o) {
	switch (a) {
	case 'reject':
		return [[t('form.reject_reason'), area('reason', { required: true, max: 1000 })]];
	case 'assign':
		return [[t('form.assign_unit'), await unitPicker(o.dept && o.dept.id), t('form.assign_hint')]];
	case 'return':
		return [radios('reason', t('form.return_reason'), RETURN_REASONS.map((r) => [r, t('reason.' + r), t('reason_hint.' + r)])),
			[t('form.return_text'), area('text', { max: 1000 })]];
	case 'request_extension':
		return [[t('form.ext_days'), num('days', { required: true }), t('form.ext_days_hint')],
			[t('form.ext_reason'), area('reason', { required: true, max: 1000 })]];
	case 'approve_extension':
		return [[t('form.ext_days'), num('days', { required: true, value: lastExtensionDays(o) })]];
	case 'deny_extension':
		return [[t('form.deny_reason'), area('reason', { required: true, max: 1000 })]];
	case 'resolve':
		return [[t('form.result'), area('result', { required: true, rows: 6 }), t('form.result_hint')]];
	case 'return_call':
		return [radios('channel', t('form.call_channel'), [['phone', t('channel.phone')], ['visit', t('channel.visit')]], 'phone'),
			[t('form.call_contact'), text('contact', { required: true, max: 100 }), t('form.call_contact_hint')],
			[t('form.call_summary'), area('summary', { required: true, max: 2000 }), t('form.call_summary_hint')]];
	case 'rate':
		return [radios('rating', t('form.rating'), [['satisfied', t('rating.satisfied')], ['basic', t('rating.basic')],
			['unsatisfied', t('rating.unsatisfied'), t('form.unsatisfied_hint')]]),
		[t('form.comment'), area('comment', { max: 1000 })]];
	case 'merge':
		return [[t('form.merge_target'), text('target', { required: true, max: 40 }), t('form.merge_hint')]];
	case 'supervise':
		return [[t('form.supervise_text'), area('text', { required: true, max: 2000 })]];
	case 'note':
		return [[t('form.note_text'), area('text', { required: true, max: 4000 })],
			radios('visibility', t('form.note_visibility'), [
				['internal', t('form.note_internal'), t('form.note_internal_hint')],
				['public', t('form.note_public'), t('form.note_public_hint')]], 'internal')];
	case 'attach':
		return [[t('form.photos'), h('input', { name: 'files', type: 'file', accept: IMAGE_TYPES.join(','), multiple: true, required: true }), t('form.photos_hint')]];
	default:
		return [];
	}
}

async function bodyOf(a, v, o) {
	switch (a) {
	case 'reject': case 'deny_extension': return { reason: v.reason.trim() };
	case 'assign': return { unit_id: Number(v.unit_id) };
	case 'return': return v.text && v.text.trim() ? { reason: v.reason, text: v.text.trim() } : { reason: v.reason };
	case 'request_extension': return { days: Number(v.days), reason: v.reason.trim() };
	case 'approve_extension': return { days: Number(v.days) };
	case 'resolve': return { result: v.result.trim() };
	case 'return_call': return { channel: v.channel, contact: v.contact.trim(), summary: v.summary.trim() };
	case 'rate': return v.comment && v.comment.trim() ? { rating: v.rating, comment: v.comment.trim() } : { rating: v.rating };
	case 'merge': {
		const s = v.target.trim();
		if (/^\d+$/.test(s)) return { target_id: Number(s) };
		const r = await get(`/orders${qs({ q: s, limit: 10 })}`);
		const hit = (r.items || []).find((x) => x.code === s && x.id !== o.id);
		if (!hit) throw new Error(t('form.merge_unknown', { code: s }));
		return { target_id: hit.id };
	}
	case 'supervise': return { text: v.text.trim() };
	case 'note': return { text: v.text.trim(), public: v.visibility === 'public' };
	default: return {};
	}
}

// Upload image files to an order one by one; resolves to how many went up.
export async function uploadPhotos(orderId, files) {
	let n = 0;
	for (const f of files) {
		if (!IMAGE_TYPES.includes(f.type)) throw new Error(t('form.photo_type', { name: f.name }));
		await request('POST', `/orders/${orderId}/attachments`, { raw: f, type: f.type });
		n++;
	}
	return n;
}

// The form element for action a on order o; cb.done(updatedOrder) after
// success, cb.cancel() on cancel.
export function actionForm(a, o, cb) {
	const msg = h('p.error', { role: 'alert' });
	const submit = h('button.primary', { type: 'submit' }, t('form.confirm', { action: t('action.' + a) }));
	const form = h('form.action-form', { 'data-action': a, novalidate: true, 'aria-labelledby': `af-${a}` },
		h('h3', { id: `af-${a}` }, t('action.' + a)),
		h('p.hint', t('form.help.' + a)));
	const fieldsBox = h('div.fields');
	form.append(fieldsBox, msg, h('div.buttons', submit, h('button', { type: 'button', onclick: cb.cancel }, t('form.cancel'))));
	const draftKey = `order.${o.id}.${a}`;
	fieldsOf(a, o).then((fs) => {
		for (const f of fs) fieldsBox.append(Array.isArray(f) ? field(f[0], f[1], f[2]) : f);
		bindDraft(form, draftKey);
		const first = form.querySelector('input, select, textarea') || submit;
		first.focus();
	}).catch((e) => {
		msg.textContent = errorText(e);
	});
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		msg.textContent = '';
		const bad = [...form.elements].find((el) => el.required && (el.type === 'radio'
			? !form.querySelector(`input[name="${el.name}"]:checked`)
			: el.type === 'file' ? !el.files.length : !String(el.value).trim()));
		if (bad) {
			msg.textContent = t('form.required');
			bad.setAttribute('aria-invalid', 'true');
			bad.focus();
			return;
		}
		const v = {};
		for (const el of form.elements) {
			if (!el.name) continue;
			if (el.type === 'radio') {
				if (el.checked) v[el.name] = el.value;
			} else if (el.type !== 'file') v[el.name] = el.value;
		}
		submit.disabled = true;
		try {
			let updated;
			if (a === 'attach') {
				const n = await uploadPhotos(o.id, form.querySelector('input[type=file]').files);
				updated = await get(`/orders/${o.id}`);
				clearDraft(draftKey);
				cb.done(updated, t('form.photos_done', { n }));
				return;
			}
			updated = await post(`/orders/${o.id}/actions/${a}`, await bodyOf(a, v, o));
			clearDraft(draftKey);
			cb.done(updated);
		} catch (e) {
			if (e.status === 401) return;
			msg.textContent = errorText(e);
			if (e.field) {
				const el = form.querySelector(`[name="${e.field === 'target_id' ? 'target' : e.field}"]`);
				if (el) {
					el.setAttribute('aria-invalid', 'true');
					el.focus();
				}
			}
		} finally {
			submit.disabled = false;
		}
	});
	return form;
}
