// Recording a visit (记录走访), made for a grid worker's phone on the street:
// one column, large touch targets. The target is picked by search; how
// (入户, 夜访, 入企, 电话, 现场, 座谈) and when; one checklist per work line
// from the templates (多线融合); hazards found, each with its type,
// severity, photo and the rectification deadline it will get; problems
// raised, each becoming a work order in the same step (their codes and
// links are shown after saving). Everything typed is kept as a draft in
// sessionStorage (photos excepted) until the visit is saved.

import { clear, field, h } from '../dom.js';
import { get, post, qs, request } from '../api.js';
import { nameOf, t } from '../i18n.js';
import { HAZARD_SEVERITIES, HAZARD_TYPES, TARGET_KINDS, VISIT_METHODS } from '../enums.js';
import { fmtDate } from '../format.js';
import { clearDraft, loadDraft, saveDraft } from '../draft.js';
import { categories } from '../cache.js';
import { errText, localToIso, nowLocal, ref, targetHref } from '../regs.js';

const DRAFT = 'visit';
const DEFAULT_DAYS = { minor: 20, general: 10, major: 3 };
const DEFAULT_METHOD = { household: 'home', enterprise: 'enterprise', place: 'site', village: 'meeting' };
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const SEARCH = {
	household: (q) => `/households${qs({ q, limit: 10 })}`,
	enterprise: (q) => `/enterprises${qs({ q, limit: 10 })}`,
	place: (q) => `/places${qs({ q, limit: 10 })}`,
	village: (q) => `/village-groups${qs({ q })}`,
};
const describe = {
	household: (x) => [x.address, [ref(x.unit), ref(x.group), x.head_name].filter(Boolean).join(' · ')],
	enterprise: (x) => [x.name, [x.credit_code, ref(x.unit)].filter(Boolean).join(' · ')],
	place: (x) => [x.name, [t('placekind.' + x.kind), x.address].filter(Boolean).join(' · ')],
	village: (x) => [x.name, ref(x.village)],
};

function fresh(kind) {
	return {
		kind, target: null, method: DEFAULT_METHOD[kind], visited_at: nowLocal(), companions: '', campaign_id: '',
		notes: '', checks: {}, hazards: [], problems: [],
	};
}

function tiles(name, legend, options, checked, onPick) {
	return h('fieldset.tiles', h('legend', legend), h('div.tile-grid', options.map(([v, label]) => h('label.tile',
		h('input', { type: 'radio', name, value: v, checked: v === checked, onchange: () => onPick(v) }),
		h('span', label)))));
}

export async function render(ctx) {
	const { main, me, query, toast } = ctx;
	const [templates, cats, campaigns] = await Promise.all([
		get('/checklists').then((r) => r.items || []).catch(() => []),
		categories().catch(() => []),
		get('/campaigns?active=1').then((r) => r.items || []).catch(() => []),
	]);
	if (!ctx.isCurrent()) return;

	// The draft, or a fresh visit; a target given in the address wins.
	let s = loadDraft(DRAFT);
	const restored = Boolean(s);
	const qKind = TARGET_KINDS.includes(query.kind) ? query.kind : null;
	if (!s) s = fresh(qKind || (['community', 'grid'].includes(me.role) ? 'household' : 'enterprise'));
	if (qKind && /^\d+$/.test(query.id || '') && !(s.target && s.kind === qKind && s.target.id === Number(query.id))) {
		s = fresh(qKind);
		s.target = { id: Number(query.id), name: query.name || `#${query.id}`, sub: '' };
	}
	if (qKind && query.campaign) {
		s.campaign_id = query.campaign;
		const c = campaigns.find((x) => String(x.id) === String(query.campaign));
		for (const code of (c && c.templates) || []) s.checks[code] = { ...(s.checks[code] || { answers: {} }), on: true };
	}
	const keep = () => saveDraft(DRAFT, s);
	const photos = new Map(); // hazard index -> File (never in the draft)

	const msg = h('p.error', { role: 'alert', 'data-testid': 'visit-error' });
	const save = h('button.primary.big', { type: 'submit', 'data-testid': 'visit-save' }, t('visit.save'));
	const targetBox = h('div.target-box');
	const checksBox = h('div.checks-box');
	const hazardsBox = h('div.hazards-box');
	const problemsBox = h('div.problems-box');
	const campaignBox = h('div');

	// ---- target ----
	function drawTarget() {
		clear(targetBox);
		targetBox.append(tiles('target_kind', t('visit.target_kind'), TARGET_KINDS.map((k) => [k, t('target.' + k)]), s.kind, (k) => {
			if (k === s.kind) return;
			s.kind = k;
			s.target = null;
			s.method = DEFAULT_METHOD[k];
			s.checks = {};
			s.campaign_id = '';
			keep();
			drawAll();
		}));
		if (s.target) {
			targetBox.append(h('div.chosen', { 'data-testid': 'visit-target' },
				h('span.label', t('visit.target')),
				h('strong', s.target.name), s.target.sub ? h('small.sub', s.target.sub) : null,
				h('button', {
					type: 'button', onclick: () => {
						s.target = null;
						keep();
						drawTarget();
						const q = targetBox.querySelector('input[type=search]');
						if (q) q.focus();
					},
				}, t('visit.change_target'))));
			return;
		}
		const q = h('input', { type: 'search', name: 'target_q', maxlength: 100, placeholder: t('visit.search_hint'), autocomplete: 'off', enterkeyhint: 'search' });
		const results = h('ul.pick-list', { 'aria-live': 'polite', 'data-testid': 'target-results' });
		const find = async () => {
			clear(results).append(h('li.muted', t('inbox.loading')));
			try {
				const r = await get(SEARCH[s.kind](q.value.trim()));
				const items = (r.items || []).slice(0, 20);
				clear(results);
				if (!items.length) results.append(h('li.muted', t('visit.no_targets')));
				for (const x of items) {
					const [name, sub] = describe[s.kind](x);
					results.append(h('li', h('button.pick', {
						type: 'button', 'data-id': x.id,
						onclick: () => {
							s.target = { id: x.id, name, sub };
							keep();
							drawTarget();
							const m = document.querySelector('input[name=method]:checked') || document.querySelector('input[name=method]');
							if (m) m.focus();
						},
					}, h('strong', name), sub ? h('small.sub', sub) : null)));
				}
			} catch (e) {
				if (e.status !== 401) clear(results).append(h('li.error', errText(e)));
			}
		};
		q.addEventListener('keydown', (ev) => {
			if (ev.key === 'Enter') {
				ev.preventDefault();
				find();
			}
		});
		targetBox.append(h('div.row.search-row', field(t('visit.find_target'), q, t('visit.find_hint')),
			h('button', { type: 'button', onclick: find, 'data-testid': 'target-find' }, t('intake.find'))), results);
	}

	// ---- campaign ----
	function drawCampaign() {
		clear(campaignBox);
		const list = campaigns.filter((c) => c.target_kind === s.kind);
		if (!list.length) return;
		const sel = h('select', { name: 'campaign_id' }, h('option', { value: '' }, t('visit.no_campaign')),
			list.map((c) => h('option', { value: c.id, selected: String(c.id) === String(s.campaign_id) }, `${c.theme ? `【${c.theme}】` : ''}${c.name}`)));
		sel.addEventListener('change', () => {
			s.campaign_id = sel.value;
			const c = list.find((x) => String(x.id) === sel.value);
			for (const code of (c && c.templates) || []) s.checks[code] = { ...(s.checks[code] || { answers: {} }), on: true };
			keep();
			drawChecks();
		});
		campaignBox.append(field(t('visit.campaign'), sel, t('visit.campaign_hint')));
	}

	// ---- checklists, one per work line ----
	function answerControl(code, item, value, set) {
		const name = `check.${code}.${item.key}`;
		if (item.type === 'bool') {
			return h('fieldset.radios.inline.yesno', h('legend', item.label),
				[['true', t('common.yes')], ['false', t('common.no')], ['', t('visit.unanswered')]].map(([v, label]) => h('label.radio',
					h('input', { type: 'radio', name, value: v, checked: String(value ?? '') === v, onchange: () => set(v === '' ? undefined : v === 'true') }),
					h('span', label))));
		}
		let c;
		if (item.type === 'choice') {
			c = h('select', { name }, h('option', { value: '' }, t('form.choose')),
				(item.options || []).map((o) => h('option', { value: o, selected: o === value }, o)));
			c.addEventListener('change', () => set(c.value || undefined));
		} else if (item.type === 'number') {
			c = h('input', { name, type: 'number', inputmode: 'numeric', step: 'any', value: value ?? '' });
			c.addEventListener('input', () => set(c.value === '' ? undefined : Number(c.value)));
		} else {
			c = h('input', { name, maxlength: 500, value: value ?? '' });
			c.addEventListener('input', () => set(c.value.trim() ? c.value : undefined));
		}
		return field(item.label, c);
	}

	function drawChecks() {
		clear(checksBox);
		const list = templates.filter((tp) => !tp.target_kinds || !tp.target_kinds.length || tp.target_kinds.includes(s.kind));
		if (!list.length) {
			checksBox.append(h('p.muted', t('visit.no_templates')));
			return;
		}
		for (const tp of list) {
			const st = s.checks[tp.code] || (s.checks[tp.code] = { on: false, answers: {} });
			const items = h('div.check-items', { hidden: !st.on });
			for (const it of tp.items || []) {
				items.append(answerControl(tp.code, it, st.answers[it.key], (v) => {
					if (v === undefined) delete st.answers[it.key];
					else st.answers[it.key] = v;
					keep();
				}));
			}
			const toggle = h('input', { type: 'checkbox', name: `line.${tp.code}`, checked: st.on });
			toggle.addEventListener('change', () => {
				st.on = toggle.checked;
				items.hidden = !st.on;
				keep();
			});
			checksBox.append(h('fieldset.checklist', { 'data-template': tp.code },
				h('legend', h('label.check', toggle, h('span', t('visit.line_on', { name: tp.name })))),
				items));
		}
	}

	// ---- hazards ----
	async function preview(i, box) {
		const hz = s.hazards[i];
		const days = Number(hz.days) || DEFAULT_DAYS[hz.severity] || 10;
		clear(box);
		try {
			const r = await get(`/calendar/deadline${qs({ start: localToIso(s.visited_at) || undefined, days })}`);
			box.append(t('visit.haz_deadline', { date: fmtDate(r.deadline), days }));
		} catch (e) {
			if (e.status !== 401) box.append(errText(e));
		}
	}

	function drawHazards() {
		clear(hazardsBox);
		s.hazards.forEach((hz, i) => {
			const p = `hazards[${i}]`;
			const dl = h('p.deadline-preview', { 'aria-live': 'polite', 'data-testid': 'haz-deadline' });
			const set = (k) => (ev) => {
				hz[k] = ev.target.value;
				keep();
				if (k === 'severity' || k === 'days') preview(i, dl);
			};
			const photo = h('input', { type: 'file', name: `${p}.photo`, accept: IMAGE_TYPES.join(',') });
			photo.addEventListener('change', () => {
				if (photo.files[0]) photos.set(i, photo.files[0]);
				else photos.delete(i);
			});
			hazardsBox.append(h('fieldset.card.hazard-card', { 'data-hazard': i },
				h('legend', t('visit.hazard_n', { n: i + 1 })),
				field(t('haz.type'), h('select', { name: `${p}.type`, onchange: set('type') }, h('option', { value: '' }, t('form.choose')),
					HAZARD_TYPES.map((x) => h('option', { value: x, selected: x === hz.type }, t('haztype.' + x))))),
				h('fieldset.radios.inline', h('legend', t('haz.severity')), HAZARD_SEVERITIES.map((x) => h('label.radio',
					h('input', { type: 'radio', name: `${p}.severity`, value: x, checked: x === hz.severity, onchange: set('severity') }),
					h('span', t('severity.' + x))))),
				field(t('haz.description'), h('textarea', { name: `${p}.description`, rows: 3, maxlength: 1000, oninput: set('description') }, hz.description || '')),
				field(t('haz.days'), h('input', {
					name: `${p}.days`, type: 'number', inputmode: 'numeric', min: 1, max: 90, value: hz.days || '',
					placeholder: t('haz.days_default'), oninput: set('days'),
				}), t('haz.days_hint')),
				dl,
				field(t('haz.photo'), photo, t('haz.photo_hint')),
				h('div.buttons', h('button.link', {
					type: 'button', onclick: () => {
						s.hazards.splice(i, 1);
						for (const pr of s.problems) {
							if (pr.hazard === String(i)) pr.hazard = '';
							else if (pr.hazard !== '' && Number(pr.hazard) > i) pr.hazard = String(Number(pr.hazard) - 1);
						}
						photos.clear();
						keep();
						drawHazards();
						drawProblems();
					},
				}, t('visit.remove')))));
			preview(i, dl);
		});
		hazardsBox.append(h('button.add', {
			type: 'button', 'data-testid': 'add-hazard', onclick: () => {
				s.hazards.push({ type: '', severity: 'general', description: '', days: '' });
				keep();
				drawHazards();
				drawProblems();
				const sel = hazardsBox.querySelector(`[data-hazard="${s.hazards.length - 1}"] select`);
				if (sel) sel.focus();
			},
		}, t('visit.add_hazard')));
	}

	// ---- problems -> work orders ----
	function drawProblems() {
		clear(problemsBox);
		s.problems.forEach((pr, i) => {
			const p = `problems[${i}]`;
			const set = (k) => (ev) => {
				pr[k] = ev.target.value;
				keep();
			};
			problemsBox.append(h('fieldset.card.problem-card', { 'data-problem': i },
				h('legend', t('visit.problem_n', { n: i + 1 })),
				field(t('order.title'), h('input', { name: `${p}.title`, maxlength: 100, value: pr.title || '', oninput: set('title') })),
				field(t('order.category'), h('select', { name: `${p}.category`, onchange: set('category') }, h('option', { value: '' }, t('form.choose')),
					cats.map((c) => h('option', { value: c.code, selected: c.code === pr.category }, nameOf(c))))),
				field(t('order.description'), h('textarea', { name: `${p}.description`, rows: 3, maxlength: 4000, oninput: set('description') }, pr.description || '')),
				s.hazards.length ? field(t('visit.problem_hazard'), h('select', { name: `${p}.hazard`, onchange: set('hazard') },
					h('option', { value: '' }, t('visit.no_hazard')),
					s.hazards.map((hz, j) => h('option', { value: String(j), selected: String(j) === String(pr.hazard) },
						`${t('visit.hazard_n', { n: j + 1 })}${hz.type ? ` · ${t('haztype.' + hz.type)}` : ''}`)))) : null,
				h('div.row',
					field(t('visit.requester_name'), h('input', { name: `${p}.requester_name`, maxlength: 30, value: pr.requester_name || '', oninput: set('requester_name') })),
					field(t('visit.requester_phone'), h('input', { name: `${p}.requester_phone`, type: 'tel', inputmode: 'tel', maxlength: 40, value: pr.requester_phone || '', oninput: set('requester_phone') }))),
				h('div.buttons', h('button.link', {
					type: 'button', onclick: () => {
						s.problems.splice(i, 1);
						keep();
						drawProblems();
					},
				}, t('visit.remove')))));
		});
		problemsBox.append(h('button.add', {
			type: 'button', 'data-testid': 'add-problem', onclick: () => {
				s.problems.push({ title: '', category: '', description: '', hazard: '', requester_name: '', requester_phone: '' });
				keep();
				drawProblems();
				const inp = problemsBox.querySelector(`[data-problem="${s.problems.length - 1}"] input`);
				if (inp) inp.focus();
			},
		}, t('visit.add_problem')));
	}

	const methodBox = h('div');
	function drawMethod() {
		clear(methodBox).append(tiles('method', t('visit.method'), VISIT_METHODS.map((m) => [m, t('method.' + m)]), s.method, (m) => {
			s.method = m;
			keep();
		}));
	}
	function drawAll() {
		drawTarget();
		drawMethod();
		drawCampaign();
		drawChecks();
		drawHazards();
		drawProblems();
	}

	const when = h('input', { name: 'visited_at', type: 'datetime-local', value: s.visited_at || nowLocal(), max: nowLocal() });
	when.addEventListener('change', () => {
		s.visited_at = when.value;
		keep();
		s.hazards.forEach((_, i) => {
			const box = hazardsBox.querySelector(`[data-hazard="${i}"] [data-testid=haz-deadline]`);
			if (box) preview(i, box);
		});
	});
	const companions = h('input', { name: 'companions', maxlength: 100, value: s.companions || '' });
	companions.addEventListener('input', () => {
		s.companions = companions.value;
		keep();
	});
	const notes = h('textarea', { name: 'notes', rows: 4, maxlength: 2000 }, s.notes || '');
	notes.addEventListener('input', () => {
		s.notes = notes.value;
		keep();
	});

	const form = h('form.visit-form', { novalidate: true, 'aria-labelledby': 'visit-h' },
		h('section.card', h('h2', t('visit.s_target')), targetBox),
		h('section.card', h('h2', t('visit.s_how')), methodBox,
			field(t('visit.when'), when), field(t('visit.companions'), companions, t('visit.companions_hint')), campaignBox),
		h('section.card', h('h2', t('visit.s_checks')), h('p.hint', t('visit.checks_hint')), checksBox),
		h('section.card', h('h2', t('visit.s_notes')), field(t('visit.notes'), notes)),
		h('section.card', h('h2', t('visit.s_hazards')), h('p.hint', t('visit.hazards_hint')), hazardsBox),
		h('section.card', h('h2', t('visit.s_problems')), h('p.hint', t('visit.problems_hint')), problemsBox),
		h('div.save-bar', msg, h('div.buttons', save, h('button', { type: 'button', onclick: discard }, t('intake.discard')))));

	main.append(h('section.visit-page',
		h('p.crumbs', h('a', { href: '#/visits' }, t('visit.back'))),
		h('h1#visit-h', { tabindex: '-1' }, t('visit.record')),
		form));
	drawAll();
	if (restored) toast(t('intake.draft_restored'));

	function discard() {
		clearDraft(DRAFT);
		photos.clear();
		s = fresh(s.kind);
		when.value = s.visited_at;
		companions.value = '';
		notes.value = '';
		msg.textContent = '';
		drawAll();
	}

	function focusField(name) {
		const el = form.querySelector(`[name="${CSS.escape(name)}"]`);
		if (el) {
			el.setAttribute('aria-invalid', 'true');
			el.focus();
		}
		return Boolean(el);
	}

	function fail(text, name) {
		msg.textContent = text;
		if (!name || !focusField(name)) msg.scrollIntoView({ block: 'center' });
	}

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		msg.textContent = '';
		for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
		if (!s.target) return fail(t('visit.need_target'), 'target_q');
		for (const [i, hz] of s.hazards.entries()) {
			for (const k of ['type', 'description']) if (!String(hz[k] || '').trim()) return fail(t('form.required'), `hazards[${i}].${k}`);
			const f = photos.get(i);
			if (f && !IMAGE_TYPES.includes(f.type)) return fail(t('form.photo_type', { name: f.name }), `hazards[${i}].photo`);
		}
		for (const [i, pr] of s.problems.entries()) {
			for (const k of ['title', 'category', 'description']) if (!String(pr[k] || '').trim()) return fail(t('form.required'), `problems[${i}].${k}`);
		}
		const sent = Object.keys(s.checks).filter((code) => s.checks[code].on && templates.some((tp) => tp.code === code
			&& (!tp.target_kinds || !tp.target_kinds.length || tp.target_kinds.includes(s.kind))));
		const body = {
			target_kind: s.kind, target_id: s.target.id, method: s.method,
			visited_at: localToIso(s.visited_at) || undefined,
			companions: String(s.companions || '').trim() || undefined,
			notes: String(s.notes || '').trim() || undefined,
			campaign_id: s.campaign_id ? Number(s.campaign_id) : undefined,
			checks: sent.map((code) => ({ template: code, answers: s.checks[code].answers })),
			hazards: s.hazards.map((hz) => ({
				type: hz.type, severity: hz.severity || 'general', description: String(hz.description).trim(),
				...(hz.days ? { days: Number(hz.days) } : {}),
			})),
			problems: s.problems.map((pr) => ({
				title: String(pr.title).trim(), description: String(pr.description).trim(), category: pr.category,
				...(pr.hazard !== '' && pr.hazard !== undefined ? { hazard: Number(pr.hazard) } : {}),
				...(String(pr.requester_name || '').trim() ? { requester_name: pr.requester_name.trim() } : {}),
				...(String(pr.requester_phone || '').trim() ? { requester_phone: pr.requester_phone.trim() } : {}),
			})),
		};
		save.disabled = true;
		try {
			const v = await post('/visits', body);
			clearDraft(DRAFT);
			const failed = [];
			for (const [i, f] of photos) {
				const hz = (v.hazard_list || [])[i];
				if (!hz) continue;
				try {
					await request('POST', `/hazards/${hz.id}/photo`, { raw: f, type: f.type });
				} catch (e) {
					if (e.status === 401) throw e;
					failed.push(`${t('visit.hazard_n', { n: i + 1 })}: ${errText(e)}`);
				}
			}
			saved(v, failed);
		} catch (e) {
			if (e.status === 401) return;
			let name = e.field || '';
			const m = /^checks\[(\d+)\]\.answers\.(\w+)/.exec(name);
			if (m && sent[Number(m[1])]) name = `check.${sent[Number(m[1])]}.${m[2]}`;
			else if (name === 'target_id' || name === 'target_kind') name = 'target_q';
			fail(errText(e), name);
		} finally {
			save.disabled = false;
		}
	});

	// The saved visit: the orders its problems became, with links.
	function saved(v, photoErrors) {
		toast(t('visit.saved'));
		const orders = v.order_list || [];
		const hazards = v.hazard_list || [];
		clear(main).append(h('section.panel.saved', { 'data-testid': 'visit-saved', 'data-id': v.id },
			h('h1', { tabindex: '-1' }, t('visit.saved')),
			h('p', h('a', { href: targetHref(v.target.kind, v.target.id) }, v.target.name), ' · ', t('method.' + v.method)),
			orders.length ? [h('h2', t('visit.orders_made', { n: orders.length })),
				h('ul.link-list', orders.map((o) => h('li', h('a', { href: `#/orders/${o.id}`, 'data-testid': 'visit-order', 'data-id': o.id }, h('strong.code', o.code), ` ${o.title}`))))] : null,
			hazards.length ? [h('h2', t('visit.hazards_made', { n: hazards.length })),
				h('ul.link-list', hazards.map((hz) => h('li', h('a', { href: `#/hazards/${hz.id}`, 'data-testid': 'visit-hazard' },
					`${t('haztype.' + hz.type)} · ${t('severity.' + hz.severity)} · ${t('haz.deadline')} ${fmtDate(hz.deadline)}`))))] : null,
			(v.problem_errors || []).length ? h('p.error', { role: 'alert' }, t('visit.problem_errors', { n: v.problem_errors.length })) : null,
			photoErrors.length ? h('p.error', { role: 'alert' }, photoErrors.join('；')) : null,
			h('p.buttons',
				h('a.button.primary', { href: `#/visits/${v.id}`, 'data-testid': 'open-visit' }, t('visit.open')),
				h('button', { type: 'button', onclick: () => ctx.navigate('#/visits/new') }, t('visit.another')))));
		main.querySelector('h1').focus();
	}
}
