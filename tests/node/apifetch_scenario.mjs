// @wordpress/api-fetch, configured the way the block editor configures it, against a live wpcompat.
//
// Usage: node apifetch_scenario.mjs '<config JSON>' — tests/test_node_clients.py builds the config:
// {base, suffix, users: {role: {login, password}}, expect: {...ids from the demo clinic}}.
// Node 20's global fetch is the transport (api-fetch calls globalThis.fetch); a thin spy around it
// records what went over the wire (method, URL, headers) so the steps can assert on it too.
// The first failed assertion exits 1 naming the step; on success the last stdout line is a JSON
// report: {client, steps, skipped, created}.

import assert from 'node:assert/strict';
import apiFetch from '@wordpress/api-fetch';
import { scenario, signIn } from './scenario_setup.mjs';

const { config, report, step, rejection, currentStep } = scenario('@wordpress/api-fetch', { posts: [] });
const { base, suffix, users, expect } = config;
const rootURL = `${base}/wp-json/`;

// The wire: every request the default fetch handler makes.
const realFetch = globalThis.fetch;
let wire = [];
globalThis.fetch = (url, init = {}) => {
	const headers = { ...init.headers };
	if (headers.Authorization) {
		headers.Authorization = headers.Authorization.replace(/ .*/, ' <redacted>');
	}
	wire.push({ url: String(url), method: init.method ?? 'GET', headers });
	return realFetch(url, init);
};

function lastWire() {
	return wire[wire.length - 1];
}

// Who the requests are sent as: a Basic application-password header, or nobody.
const as = signIn(apiFetch, rootURL, users.administrator);

const ids = (items) => items.map((item) => item.id);

async function main() {
	await step('list: apiFetch({path: /wp/v2/posts?per_page=2}) with root URL, auth and _locale=user', async () => {
		wire = [];
		const posts = await apiFetch({ path: '/wp/v2/posts?per_page=2' });
		assert.deepEqual(ids(posts), expect.published_ids.slice(0, 2));
		assert.equal(wire.length, 1);
		const sent = lastWire();
		assert.equal(sent.url, `${rootURL}wp/v2/posts?per_page=2&_locale=user`);
		assert.equal(sent.method, 'GET');
		assert.match(sent.headers.Authorization, /^Basic /);
		assert.match(sent.headers.Accept, /application\/json/);
	});

	await step('parse: false → the Response: X-WP-Total, X-WP-TotalPages, Link rel=next', async () => {
		const response = await apiFetch({ path: '/wp/v2/posts?per_page=2', parse: false });
		assert.equal(response.status, 200);
		assert.equal(response.headers.get('X-WP-Total'), String(expect.published_ids.length));
		assert.equal(response.headers.get('X-WP-TotalPages'), String(Math.ceil(expect.published_ids.length / 2)));
		const link = response.headers.get('Link');
		assert.match(link, /<[^>]+>; rel="next"/);
		const next = new URL(link.match(/<([^>]+)>; rel="next"/)[1]);
		assert.equal(`${next.origin}${next.pathname}`, `${rootURL}wp/v2/posts`);
		assert.equal(next.searchParams.get('page'), '2');
		assert.equal(next.searchParams.get('_locale'), 'user');
		assert.deepEqual(ids(await response.json()), expect.published_ids.slice(0, 2));
	});

	await step('per_page=-1: fetchAllMiddleware follows Link rel=next across pages', async () => {
		wire = [];
		const pages = await apiFetch({ path: '/wp/v2/pages?per_page=-1&_fields=id,title,parent' });
		assert.equal(pages.length, expect.page_total);
		assert.equal(new Set(ids(pages)).size, expect.page_total, 'no page listed twice');
		assert.deepEqual(Object.keys(pages[0]).sort(), ['id', 'parent', 'title']);
		const expectedRequests = Math.ceil(expect.page_total / 100);
		assert.ok(expectedRequests >= 2, 'the fixture has more than 100 pages');
		assert.equal(wire.length, expectedRequests);
		assert.match(wire[0].url, /per_page=100/);
		assert.match(wire[1].url, /page=2/);
		assert.ok(wire.every((sent) => sent.url.startsWith(rootURL)));
		const posts = await apiFetch({ path: '/wp/v2/posts?per_page=-1' });
		assert.deepEqual(ids(posts), expect.published_ids);
	});

	await step('context=edit and OPTIONS (core-data canUser reads the Allow header)', async () => {
		const post = await apiFetch({ path: `/wp/v2/posts/${expect.post_id}?context=edit` });
		assert.equal(post.title.raw, expect.post_title);
		assert.equal(typeof post.content.raw, 'string');
		const options = await apiFetch({ path: '/wp/v2/posts', method: 'OPTIONS', parse: false });
		assert.equal(options.headers.get('Allow'), 'GET, POST');
		const subscriber = await as(users.subscriber, () =>
			apiFetch({ path: '/wp/v2/posts', method: 'OPTIONS', parse: false }));
		assert.equal(subscriber.headers.get('Allow'), 'GET');
	});

	const title = `api-fetch draft ${suffix}`;
	let created;

	await step('create: method POST with data → JSON body, 201 in edit context', async () => {
		wire = [];
		created = await apiFetch({
			path: '/wp/v2/posts',
			method: 'POST',
			data: { title, content: '<!-- wp:paragraph --><p>From api-fetch.</p><!-- /wp:paragraph -->', status: 'draft' },
		});
		report.created.posts.push(created.id);
		assert.equal(typeof created.id, 'number');
		assert.equal(created.status, 'draft');
		assert.equal(created.title.raw, title);
		assert.equal(lastWire().method, 'POST');
		assert.equal(lastWire().headers['Content-Type'], 'application/json');
	});

	await step('update: method PUT goes out as POST + X-HTTP-Method-Override: PUT', async () => {
		wire = [];
		const updated = await apiFetch({
			path: `/wp/v2/posts/${created.id}`,
			method: 'PUT',
			data: { title: `${title} (published)`, status: 'publish' },
		});
		assert.equal(lastWire().method, 'POST');
		assert.equal(lastWire().headers['X-HTTP-Method-Override'], 'PUT');
		assert.equal(updated.id, created.id);
		assert.equal(updated.status, 'publish');
		assert.equal(updated.title.raw, `${title} (published)`);
		const listed = await apiFetch({ path: '/wp/v2/posts?per_page=1' });
		assert.equal(listed[0].id, created.id);
	});

	await step('delete: DELETE (trash), then DELETE ?force=true, both as POST + override', async () => {
		wire = [];
		const trashed = await apiFetch({ path: `/wp/v2/posts/${created.id}`, method: 'DELETE' });
		assert.equal(lastWire().method, 'POST');
		assert.equal(lastWire().headers['X-HTTP-Method-Override'], 'DELETE');
		assert.equal(trashed.status, 'trash');
		const deleted = await apiFetch({ path: `/wp/v2/posts/${created.id}?force=true`, method: 'DELETE' });
		assert.equal(deleted.deleted, true);
		assert.equal(deleted.previous.id, created.id);
	});

	await step('errors: a 404 rejects with {code: rest_post_invalid_id}; anonymous create is 401', async () => {
		const missing = await rejection(apiFetch({ path: `/wp/v2/posts/${created.id}` }));
		assert.deepEqual(missing, { code: 'rest_post_invalid_id', message: 'Invalid post ID.', data: { status: 404 } });
		const anonymous = await as(null, () => rejection(apiFetch({
			path: '/wp/v2/posts', method: 'POST', data: { title: `anonymous ${suffix}` },
		})));
		assert.equal(anonymous.code, 'rest_cannot_create');
		assert.equal(anonymous.data.status, 401);
	});

	await step('batch: core-data preflight (OPTIONS /batch/v1 maxItems) and POST /batch/v1', async () => {
		const preflight = await apiFetch({ path: '/batch/v1', method: 'OPTIONS' });
		const maxItems = preflight.endpoints[0].args.requests.maxItems;
		assert.equal(maxItems, 25);
		const titles = [`batch one ${suffix}`, `batch two ${suffix}`];
		const batch = await apiFetch({
			path: '/batch/v1',
			method: 'POST',
			data: {
				validation: 'require-all-validate',
				requests: titles.map((batchTitle) => ({
					path: '/wp/v2/posts', method: 'POST', body: { title: batchTitle, status: 'draft' },
				})),
			},
		});
		assert.equal(batch.responses.length, 2);
		const made = batch.responses.map((response) => {
			assert.equal(response.status, 201);
			return response.body;
		});
		report.created.posts.push(...ids(made));
		assert.deepEqual(made.map((post) => post.title.raw), titles);
		const cleanup = await apiFetch({
			path: '/batch/v1',
			method: 'POST',
			data: {
				validation: 'require-all-validate',
				requests: made.map((post) => ({ path: `/wp/v2/posts/${post.id}?force=true`, method: 'DELETE' })),
			},
		});
		assert.deepEqual(cleanup.responses.map((response) => response.body.deleted), [true, true]);
	});

}

main().then(
	() => {
		console.log(JSON.stringify(report));
	},
	(error) => {
		const detail = error instanceof Error ? error.stack : JSON.stringify(error);
		const sent = wire.length ? `\nlast request: ${JSON.stringify(lastWire())}` : '';
		console.error(`api-fetch scenario failed at step "${currentStep()}":\n${detail}${sent}`);
		console.log(JSON.stringify({ ...report, failed: currentStep() }));
		process.exit(1);
	},
);
