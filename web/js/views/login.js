// Sign-in. When the session expired mid-work the page says so; after
// signing in the console goes back to where the person was, and that
// page's form draft is restored from sessionStorage.

import { field, h } from '../dom.js';
import { errorText, post } from '../api.js';
import { t } from '../i18n.js';

export async function render({ main, query, signedIn }) {
	const login = h('input', { name: 'login', autocomplete: 'username', required: true, maxlength: 64, autofocus: true });
	const pw = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 256 });
	const msg = h('p.error', { role: 'alert', 'aria-live': 'assertive' });
	const btn = h('button.primary', { type: 'submit' }, t('login.submit'));
	const form = h('form.login-form', { novalidate: true },
		field(t('login.login'), login),
		field(t('login.password'), pw),
		msg,
		btn,
	);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		msg.textContent = '';
		if (!login.value.trim() || !pw.value) {
			msg.textContent = t('login.missing');
			(login.value.trim() ? pw : login).focus();
			return;
		}
		btn.disabled = true;
		try {
			const me = await post('/auth/login', { login: login.value.trim(), password: pw.value }, { auth: false });
			pw.value = '';
			await signedIn(me);
		} catch (e) {
			msg.textContent = errorText(e);
			pw.select();
		} finally {
			btn.disabled = false;
		}
	});
	main.append(h('section.panel.login',
		h('h1', t('login.title')),
		query.expired ? h('p.notice', { role: 'status', 'data-testid': 'expired' }, t('login.expired')) : null,
		form,
	));
	login.focus();
}
