// CSV import into the enterprises or households register: the file is
// first checked with a dry run (nothing written) and its report shown row
// by row and field by field; the real import is offered only when that
// check of this very file found no error, and writes every row in one
// transaction (an upsert by credit code or address).

import { clear, field, h } from '../dom.js';
import { API, request } from '../api.js';
import { has, t } from '../i18n.js';
import { can, errText, table } from '../regs.js';

const KINDS = { enterprises: 'entImport', households: 'hhWrite' };
const MAX_BYTES = 8 * 1024 * 1024;

function codeText(code) {
	return has('impcode.' + code) ? t('impcode.' + code) : code;
}

// The report of a run: its figures and a table of every error listed.
function reportView(r, dry) {
	const errors = r.errors || [];
	const box = h('section.card.import-report', { 'data-testid': dry ? 'dry-run-report' : 'import-report', 'data-ok': r.ok ? '1' : '0' },
		h('h2', dry ? t('imp.dry_title') : t('imp.real_title')),
		h('dl.info',
			h('dt', t('imp.rows')), h('dd', { 'data-testid': 'imp-rows' }, String(r.rows ?? 0)),
			h('dt', dry ? t('imp.would_insert') : t('imp.inserted')), h('dd', { 'data-testid': 'imp-inserted' }, String(r.inserted ?? 0)),
			h('dt', dry ? t('imp.would_update') : t('imp.updated')), h('dd', { 'data-testid': 'imp-updated' }, String(r.updated ?? 0)),
			h('dt', t('imp.errors')), h('dd', { 'data-testid': 'imp-errors' }, String(r.errors_total ?? errors.length)),
			r.encoding ? [h('dt', t('imp.encoding')), h('dd', r.encoding)] : null),
		h('p', { class: r.ok ? 'ok-note' : 'notice', role: 'status' },
			r.ok ? (dry ? t('imp.dry_ok') : t('imp.done')) : t('imp.has_errors', { n: r.errors_total ?? errors.length })));
	if (errors.length) {
		const list = table(t('imp.errors'), [
			[t('imp.row'), (e) => h('strong', String(e.row))],
			[t('imp.column'), (e) => e.column || '—'],
			[t('imp.problem'), (e) => codeText(e.code)],
			[t('imp.detail'), (e) => e.message],
		]);
		list.add(errors, (e) => ({ 'data-row': e.row, 'data-field': e.field || '', 'data-column': e.column || '' }));
		box.append(h('div.list', list.el));
		if ((r.errors_total || 0) > errors.length) box.append(h('p.muted', t('imp.more_errors', { n: r.errors_total - errors.length })));
	}
	return box;
}

export async function render(ctx) {
	const { main, me, query, toast } = ctx;
	const allowed = Object.keys(KINDS).filter((k) => can(me, KINDS[k]));
	if (!allowed.length) {
		main.append(h('section.panel', h('h1', t('imp.title')), h('p', { role: 'alert' }, t('err.role_not_allowed'))));
		return;
	}
	const kind = allowed.includes(query.r) ? query.r : allowed[0];
	const file = h('input', { type: 'file', name: 'file', accept: '.csv,text/csv', required: true, 'data-testid': 'imp-file' });
	const msg = h('p.error', { role: 'alert' });
	const check = h('button.primary', { type: 'button', 'data-testid': 'imp-check' }, t('imp.check'));
	const go = h('button', { type: 'button', disabled: true, 'data-testid': 'imp-go' }, t('imp.go'));
	const out = h('div.import-out', { 'aria-live': 'polite' });
	let checked = null; // the File whose dry run was clean

	const send = async (dry) => {
		const f = file.files[0];
		msg.textContent = '';
		if (!f) {
			msg.textContent = t('imp.choose');
			file.focus();
			return null;
		}
		if (f.size > MAX_BYTES) {
			msg.textContent = t('imp.too_big');
			return null;
		}
		try {
			return await request('POST', `/${kind}/import${dry ? '?dry_run=1' : ''}`, { raw: f, type: 'text/csv' });
		} catch (e) {
			if (e.status === 401) return null;
			const rep = e.body && e.body.report;
			if (rep) return rep;
			msg.textContent = errText(e);
			return null;
		}
	};
	file.addEventListener('change', () => {
		checked = null;
		go.disabled = true;
		clear(out);
	});
	check.addEventListener('click', async () => {
		check.disabled = true;
		go.disabled = true;
		clear(out).append(h('p.status', t('imp.checking')));
		const r = await send(true);
		check.disabled = false;
		clear(out);
		if (!r) return;
		out.append(reportView(r, true));
		if (r.ok) {
			checked = file.files[0];
			go.disabled = false;
			go.classList.add('primary');
			go.focus();
		} else {
			const first = out.querySelector('tbody tr');
			if (first) first.scrollIntoView({ block: 'nearest' });
		}
	});
	go.addEventListener('click', async () => {
		if (!checked || checked !== file.files[0]) return;
		go.disabled = true;
		const r = await send(false);
		if (!r) {
			go.disabled = false;
			return;
		}
		clear(out).append(reportView(r, false));
		checked = null;
		if (r.ok) {
			toast(t('imp.done_n', { n: (r.inserted || 0) + (r.updated || 0) }));
			out.append(h('p', h('a.button', { href: `#/registers?r=${kind}`, 'data-testid': 'imp-back' }, t('imp.to_list'))));
		}
	});

	main.append(h('section.import-page',
		h('p.crumbs', h('a', { href: `#/registers?r=${kind}` }, t('reg.back'))),
		h('h1', t('imp.title')),
		h('nav.tabs', { 'aria-label': t('imp.title') }, allowed.map((k) => h('a', {
			href: `#/registers/import?r=${k}`, 'aria-current': k === kind ? 'page' : null, 'data-register': k,
		}, t('reg.tab.' + k)))),
		h('div.card',
			h('p.hint', kind === 'enterprises' ? t('imp.hint_enterprises') : t('imp.hint_households')),
			h('p.hint', t('imp.hint_common')),
			h('p', h('a', { href: `${API}/${kind}/export?format=csv`, download: '', 'data-testid': 'imp-template' }, t('imp.template'))),
			field(t('imp.file'), file, t('imp.file_hint')),
			msg,
			h('div.buttons', check, go)),
		out));
}
