// The staff console: session, header, navigation and the hash router
// (#/inbox, #/orders/12, #/new, #/dashboard, #/registers/…, #/visits/…,
// #/hazards/…, #/campaigns/…, #/pairing/…). Each screen is a module in
// views/ loaded when first shown (dynamic import), so the first load stays
// small; the dashboard's charts load only there.

import { $, clear, h } from './dom.js';
import { applyI18n, getLang, initI18n, onLangChange, setLang, t } from './i18n.js';
import { get, onUnauthorized, post, setCsrf } from './api.js';
import { REGISTER_TABS, STAFF_ROLES } from './enums.js';

const RETURN_KEY = 'sanfu.returnTo';
const state = { me: null, route: null, expired: false, seq: 0 };
const views = {
	login: () => import('./views/login.js'),
	inbox: () => import('./views/inbox.js'),
	order: () => import('./views/order.js'),
	intake: () => import('./views/intake.js'),
	dashboard: () => import('./views/dashboard.js'),
	registers: () => import('./views/registers.js'),
	regitem: () => import('./views/regitem.js'),
	regform: () => import('./views/regform.js'),
	regimport: () => import('./views/regimport.js'),
	visits: () => import('./views/visits.js'),
	visit: () => import('./views/visits.js'),
	visitform: () => import('./views/visitform.js'),
	hazards: () => import('./views/hazards.js'),
	hazard: () => import('./views/hazards.js'),
	campaigns: () => import('./views/campaigns.js'),
	campaign: () => import('./views/campaigns.js'),
	campaignform: () => import('./views/campaigns.js'),
	pairing: () => import('./views/pairing.js'),
};

// Which navigation entry a route belongs to.
const NAV_OF = {
	regitem: 'registers', regform: 'registers', regimport: 'registers',
	visit: 'visits', visitform: 'visits', campaigns: 'visits', campaign: 'visits', campaignform: 'visits',
	hazard: 'hazards', order: 'inbox',
};
const isId = (s) => Boolean(s) && /^\d+$/.test(s);

// The screens of the registers, visits, hazards, campaigns and pairing.
function parseMore(parts) {
	const [a, b, c, d] = parts;
	if (a === 'registers') {
		if (!b) return { name: 'registers', params: {} };
		if (b === 'import') return { name: 'regimport', params: {} };
		if (!REGISTER_TABS.includes(b)) return null;
		if (c === 'new' && !d) return { name: 'regform', params: { reg: b, id: null } };
		if (isId(c) && d === 'edit') return { name: 'regform', params: { reg: b, id: Number(c) } };
		if (isId(c) && !d) return { name: 'regitem', params: { reg: b, id: Number(c) } };
		return null;
	}
	if (a === 'visits' || a === 'hazards' || a === 'campaigns') {
		const one = a.slice(0, -1);
		if (!b) return { name: a, params: {} };
		if (b === 'new' && a !== 'hazards' && !c) return { name: `${one}form`, params: {} };
		if (isId(b) && !c) return { name: one, params: { id: Number(b) } };
		return null;
	}
	if (a === 'pairing') {
		if (!b) return { name: 'pairing', params: {} };
		if (b === 'mine' && !c) return { name: 'pairing', params: { mine: true } };
		if (b === 'leaders' && isId(c) && !d) return { name: 'pairing', params: { leader: Number(c) } };
		return null;
	}
	return null;
}

// #/orders/12?x=1 -> {name, params, query}
export function parseHash(hash) {
	const raw = (hash || '').replace(/^#/, '') || '/inbox';
	const [p, q = ''] = raw.split('?');
	const parts = p.split('/').filter(Boolean);
	const query = Object.fromEntries(new URLSearchParams(q));
	if (parts[0] === 'login') return { name: 'login', params: {}, query };
	if (parts[0] === 'orders' && parts[1] && /^\d+$/.test(parts[1])) return { name: 'order', params: { id: Number(parts[1]) }, query };
	if (parts[0] === 'new') return { name: 'intake', params: {}, query };
	if (parts[0] === 'dashboard') return { name: 'dashboard', params: {}, query };
	if (parts[0] === 'inbox' || !parts.length) return { name: 'inbox', params: {}, query };
	const more = parseMore(parts);
	if (more) return { ...more, query };
	return { name: 'notfound', params: {}, query };
}

export function navigate(hash) {
	if (location.hash === hash) route();
	else location.hash = hash;
}

function toast(msg, kind = 'info') {
	const box = $('#toast');
	const el = h(`div.toast.${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, msg);
	box.appendChild(el);
	setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

function renderHeader() {
	const me = state.me;
	const nav = $('#nav');
	const who = $('#who');
	clear(nav);
	clear(who);
	document.body.classList.toggle('signed-in', Boolean(me));
	if (!me) return;
	const current = state.route && (NAV_OF[state.route.name] || state.route.name);
	const link = (hash, key, name) => h('a', {
		href: hash, 'data-nav': name,
		'aria-current': current === name ? 'page' : null,
	}, t(key));
	const staff = STAFF_ROLES.includes(me.role);
	nav.append(...[
		link('#/inbox', 'nav.inbox', 'inbox'),
		link('#/new', 'nav.new', 'intake'),
		staff ? link('#/visits', 'nav.visits', 'visits') : null,
		staff ? link('#/hazards', 'nav.hazards', 'hazards') : null,
		staff ? link('#/registers', 'nav.registers', 'registers') : null,
		staff ? link('#/pairing', 'nav.pairing', 'pairing') : null,
		link('#/dashboard', 'nav.dashboard', 'dashboard'),
	].filter(Boolean));
	const unit = me.unit ? ` · ${me.unit.name}` : '';
	who.append(
		h('span.who-name', { 'data-testid': 'me-name' }, me.name),
		h('span.who-role', { 'data-testid': 'me-role' }, `${t('role.' + me.role)}${unit}`),
		h('button.link', { type: 'button', id: 'logout', onclick: logout }, t('nav.logout')),
	);
}

async function logout() {
	try {
		await post('/auth/logout', {}, { auth: false });
	} catch {
		/* the session is gone either way */
	}
	state.me = null;
	setCsrf(null);
	sessionStorage.removeItem(RETURN_KEY);
	renderHeader();
	navigate('#/login');
}

async function signedIn(me) {
	state.me = me;
	state.expired = false;
	setCsrf(me.csrf);
	renderHeader();
	let back = sessionStorage.getItem(RETURN_KEY);
	sessionStorage.removeItem(RETURN_KEY);
	if (!back || back.startsWith('#/login')) back = '#/inbox';
	navigate(back);
}

// A session that ends mid-work: remember where we were (the forms keep
// their own drafts) and ask for the password again.
function expired() {
	if (state.expired) return;
	state.expired = true;
	if (!location.hash.startsWith('#/login')) sessionStorage.setItem(RETURN_KEY, location.hash || '#/inbox');
	state.me = null;
	setCsrf(null);
	renderHeader();
	navigate('#/login?expired=1');
}

async function route() {
	const r = parseHash(location.hash);
	const seq = ++state.seq;
	if (!state.me && r.name !== 'login') {
		sessionStorage.setItem(RETURN_KEY, location.hash || '#/inbox');
		navigate('#/login');
		return;
	}
	if (state.me && r.name === 'login') {
		navigate('#/inbox');
		return;
	}
	state.route = r;
	renderHeader();
	const main = $('#main');
	if (r.name === 'notfound') {
		clear(main).append(h('section.panel', h('h1', t('page.notfound')), h('p', h('a', { href: '#/inbox' }, t('nav.inbox')))));
		return;
	}
	let mod;
	try {
		mod = await views[r.name]();
	} catch (e) {
		toast(t('err.load_page'), 'error');
		return;
	}
	if (seq !== state.seq) return;
	// Each page renders into an element of its own: a page still loading
	// when another is opened goes on writing into its own, no longer shown,
	// never into the new one.
	const view = h('div.view');
	clear(main).append(view);
	main.setAttribute('aria-busy', 'true');
	try {
		await mod.render({ main: view, me: state.me, route: r.name, params: r.params, query: r.query, navigate, toast, signedIn, isCurrent: () => seq === state.seq });
	} catch (e) {
		if (e && e.status === 401) return;
		console.error(e);
		if (seq === state.seq) view.append(h('p.error', { role: 'alert' }, String(e.message || e)));
	} finally {
		main.removeAttribute('aria-busy');
	}
	if (seq === state.seq) {
		const h1 = main.querySelector('h1');
		document.title = `${h1 ? h1.textContent + ' · ' : ''}${t('app.title')}`;
	}
}

async function start() {
	await initI18n();
	applyI18n();
	onUnauthorized(expired);
	$('#lang').addEventListener('click', async () => {
		await setLang(getLang() === 'en' ? 'zh-CN' : 'en');
	});
	onLangChange(() => {
		applyI18n();
		renderHeader();
		route();
	});
	try {
		const me = await get('/me', { auth: false });
		state.me = me;
		setCsrf(me.csrf);
	} catch {
		state.me = null;
	}
	window.addEventListener('hashchange', route);
	await route();
	document.body.classList.add('ready');
}

start();
