// Tiny DOM helpers for the console and the portal. Text always goes in as
// text (never as HTML), so data from the server cannot inject markup.

// h('div.cls#id', {attrs}, ...children): children may be strings, nodes,
// arrays, null/false (skipped). Attribute keys: on* take functions,
// class/className, dataset via data-*, boolean true sets the attribute.
export function h(tag, attrs, ...children) {
	let name = tag;
	const classes = [];
	let id = null;
	const m = /^([a-z0-9-]+)?((?:[.#][\w-]+)*)$/i.exec(tag);
	if (m) {
		name = m[1] || 'div';
		for (const part of m[2].match(/[.#][\w-]+/g) || []) {
			if (part[0] === '.') classes.push(part.slice(1));
			else id = part.slice(1);
		}
	}
	const el = document.createElement(name);
	if (classes.length) el.className = classes.join(' ');
	if (id) el.id = id;
	if (attrs !== null && attrs !== undefined && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
		children.unshift(attrs);
		attrs = null;
	}
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false) continue;
		if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
		else if (k === 'class' || k === 'className') el.className = [el.className, v].filter(Boolean).join(' ');
		else if (k === 'value') el.value = v;
		else if (k === 'checked' || k === 'selected' || k === 'disabled') el[k] = Boolean(v);
		else el.setAttribute(k, v === true ? '' : String(v));
	}
	append(el, children);
	return el;
}

export function append(el, children) {
	for (const c of children) {
		if (c === null || c === undefined || c === false) continue;
		if (Array.isArray(c)) append(el, c);
		else el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

export function clear(el) {
	while (el.firstChild) el.removeChild(el.firstChild);
	return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

// A labelled form field: label + control + optional hint, wired by id.
let fieldSeq = 0;
export function field(label, control, hint) {
	const id = control.id || `f${++fieldSeq}`;
	control.id = id;
	let hintEl = null;
	if (hint) {
		hintEl = h('small.hint', { id: `${id}-hint` }, hint);
		control.setAttribute('aria-describedby', hintEl.id);
	}
	return h('div.field', h('label', { for: id }, label), control, hintEl);
}

// Form values as a plain object (checkboxes as booleans, others as strings).
export function formValues(form) {
	const out = {};
	for (const el of form.elements) {
		if (!el.name || el.disabled) continue;
		if (el.type === 'checkbox') out[el.name] = el.checked;
		else if (el.type === 'radio') {
			if (el.checked) out[el.name] = el.value;
		} else if (el.type !== 'file' && el.type !== 'submit' && el.type !== 'button') out[el.name] = el.value;
	}
	return out;
}
