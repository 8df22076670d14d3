// Lists that rarely change (categories, units), fetched once per page load.

import { get } from './api.js';

const memo = new Map();

function once(key, fn) {
	if (!memo.has(key)) memo.set(key, fn().catch((e) => {
		memo.delete(key);
		throw e;
	}));
	return memo.get(key);
}

const items = (r) => (Array.isArray(r) ? r : (r && (r.items || r.categories || r.units)) || []);

export const categories = () => once('categories', async () => items(await get('/categories')));
export const publicCategories = () => once('pcategories', async () => items(await get('/public/categories', { auth: false })));
export const units = (kind) => once(`units:${kind || ''}`, async () => items(await get(`/units${kind ? `?kind=${kind}` : ''}`)));

// Communities and villages: where a problem happened.
export async function areas() {
	const [c, v] = await Promise.all([units('community').catch(() => []), units('village').catch(() => [])]);
	return [...c, ...v];
}
