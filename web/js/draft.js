// Drafts of forms kept in sessionStorage, so what someone typed survives a
// session that expires (the login form comes up, and the form is filled
// again afterwards) or a reload. Cleared when the form is submitted.

const PREFIX = 'sanfu.draft.';

export function loadDraft(key) {
	try {
		const s = sessionStorage.getItem(PREFIX + key);
		return s ? JSON.parse(s) : null;
	} catch {
		return null;
	}
}

export function saveDraft(key, values) {
	try {
		sessionStorage.setItem(PREFIX + key, JSON.stringify(values));
	} catch {
		/* storage full or off: the draft is not kept */
	}
}

export function clearDraft(key) {
	try {
		sessionStorage.removeItem(PREFIX + key);
	} catch {
		/* nothing to do */
	}
}

// Fill form from the stored draft, then save on every change. Files are
// never stored. Returns true when a draft was restored.
export function bindDraft(form, key) {
	const d = loadDraft(key);
	let restored = false;
	if (d) {
		for (const el of form.elements) {
			if (!el.name || !(el.name in d) || el.type === 'file') continue;
			if (el.type === 'checkbox') el.checked = Boolean(d[el.name]);
			else if (el.type === 'radio') el.checked = el.value === d[el.name];
			else el.value = d[el.name];
			restored = true;
		}
	}
	const save = () => {
		const v = {};
		for (const el of form.elements) {
			if (!el.name || el.type === 'file' || el.type === 'submit' || el.type === 'password') continue;
			if (el.type === 'checkbox') v[el.name] = el.checked;
			else if (el.type === 'radio') {
				if (el.checked) v[el.name] = el.value;
			} else v[el.name] = el.value;
		}
		saveDraft(key, v);
	};
	form.addEventListener('input', save);
	form.addEventListener('change', save);
	return restored;
}
