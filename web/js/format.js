// Showing times, deadlines and rates. The server sends ISO 8601 with
// +08:00; people read Shanghai time, so times are shown as sent (the
// offset is fixed) without the browser's own zone getting in the way.

import { t } from './i18n.js';

const pad = (n) => String(n).padStart(2, '0');

// "2026-11-29 12:00" from an ISO string in +08:00 (or any offset).
export function fmtTime(iso) {
	if (!iso) return '';
	const d = new Date(iso);
	if (Number.isNaN(d.getTime())) return String(iso);
	const s = new Date(d.getTime() + 8 * 3600 * 1000);
	return `${s.getUTCFullYear()}-${pad(s.getUTCMonth() + 1)}-${pad(s.getUTCDate())} ${pad(s.getUTCHours())}:${pad(s.getUTCMinutes())}`;
}

export function fmtDate(iso) {
	return fmtTime(iso).slice(0, 10);
}

// "2026-11-29T09:30:00+08:00" for now (what /calendar/deadline takes).
export function nowIso() {
	const s = new Date(Date.now() + 8 * 3600 * 1000);
	return `${s.getUTCFullYear()}-${pad(s.getUTCMonth() + 1)}-${pad(s.getUTCDate())}T${pad(s.getUTCHours())}:${pad(s.getUTCMinutes())}:${pad(s.getUTCSeconds())}+08:00`;
}

export function fmtRate(r) {
	if (r === null || r === undefined || Number.isNaN(Number(r))) return '—';
	const v = Number(r);
	return `${(v <= 1 ? v * 100 : v).toFixed(1)}%`;
}

// The deadline mark of an order: {cls, text} for overdue, nearly due or
// the working days left; null when it has no running deadline.
export function deadlineMark(o) {
	if (o.overdue) return { cls: 'overdue', text: t('deadline.overdue') };
	if (!o.deadline) return null;
	const left = o.workdays_left;
	if (o.warned) return { cls: 'warned', text: left !== null && left !== undefined ? t('deadline.warned_left', { n: left }) : t('deadline.warned') };
	if (left === null || left === undefined) return { cls: '', text: fmtDate(o.deadline) };
	return { cls: left <= 1 ? 'warned' : '', text: t('deadline.left', { n: left }) };
}
