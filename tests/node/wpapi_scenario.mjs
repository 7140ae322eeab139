// node-wpapi (the `wpapi` package, superagent transport) driven against a live wpcompat.
//
// Usage: node wpapi_scenario.mjs '<config JSON>' — tests/test_node_clients.py builds the config:
// {base, suffix, users: {role: {login, password}}, expect: {...ids and titles from the demo clinic}}.
// Every step asserts what a wpapi user would notice; the first failure exits 1 naming the step.
// On success the last stdout line is a JSON report: {client, steps, skipped, created}.

import assert from 'node:assert/strict';
import WPAPI from 'wpapi';
import { scenario } from './scenario_setup.mjs';

const { config, report, step, rejection, currentStep } = scenario('wpapi', { posts: [], terms: [] });
const { base, suffix, users, expect } = config;
const endpoint = `${base}/wp-json/`;

// wpapi forwards a WordPress error body ({code, message, data}) as the rejection value.
function assertWPError(error, code, status) {
	assert.equal(error.code, code, `error code (got ${JSON.stringify(error)})`);
	assert.equal(error.data?.status, status, `error status (got ${JSON.stringify(error)})`);
	assert.equal(typeof error.message, 'string');
}

const ids = (items) => items.map((item) => item.id);
const login = (role) => ({ username: users[role].login, password: users[role].password });

async function main() {
	let wp;
	let routes = {};

	await step('discover: WPAPI.discover reads the Link header and the index, no fallback', async () => {
		const errors = [];
		const consoleError = console.error;
		console.error = (...args) => errors.push(args.map(String).join(' '));
		try {
			wp = await WPAPI.discover(`${base}/wp-json`);
		} finally {
			console.error = consoleError;
		}
		assert.deepEqual(errors, [], 'discovery logged errors (it fell back to default routes)');
		assert.equal(wp._options.endpoint, endpoint);
		assert.equal(typeof wp.posts, 'function', 'the discovered route tree has posts()');
		assert.equal(typeof wp.pages, 'function', 'the discovered route tree has pages()');
		wp.auth(login('administrator'));
		routes = (await wp.root().get()).routes;
		assert.ok(routes['/wp/v2/posts'], 'the index lists /wp/v2/posts');
	});

	const anonymous = new WPAPI({ endpoint });

	await step('list anonymously (new WPAPI({endpoint})): public posts, newest first, _paging totals', async () => {
		const posts = await anonymous.posts().get();
		assert.deepEqual(ids(posts), expect.anonymous_ids);
		assert.equal(posts._paging.total, expect.anonymous_ids.length);
		assert.equal(posts._paging.totalPages, 1);
		assert.equal(posts._paging.next, undefined);
		for (const post of posts) {
			assert.equal(typeof post.title.rendered, 'string');
			assert.equal(post.status, 'publish');
			assert.equal(post.title.raw, undefined, 'view context has no raw title');
		}
	});

	await step('list as administrator with .auth(): every published post', async () => {
		const posts = await wp.posts().get();
		assert.deepEqual(ids(posts), expect.published_ids);
		assert.equal(posts._paging.total, expect.published_ids.length);
	});

	await step('filter: .categories(id)', async () => {
		const posts = await wp.posts().categories(expect.category_id).get();
		assert.deepEqual(ids(posts), expect.category_post_ids);
		for (const post of posts) {
			assert.ok(post.categories.includes(expect.category_id));
		}
	});

	await step('filter: .search(term)', async () => {
		const posts = await wp.posts().search(expect.search).get();
		assert.deepEqual(ids(posts), expect.search_ids);
		const none = await wp.posts().search(`nothing-matches-${suffix}`).get();
		assert.deepEqual(none, []);
	});

	await step('paginate: .perPage(2), _paging.total/totalPages, _paging.next.get(), _paging.prev', async () => {
		const all = expect.published_ids;
		const pages = Math.ceil(all.length / 2);
		const first = await wp.posts().perPage(2).get();
		assert.deepEqual(ids(first), all.slice(0, 2));
		assert.equal(first._paging.total, all.length);
		assert.equal(first._paging.totalPages, pages);
		assert.equal(first._paging.prev, undefined);
		assert.ok(first._paging.links.next.startsWith(`${endpoint}wp/v2/posts?`),
			`next link on the request's host: ${first._paging.links.next}`);
		let page = first;
		const seen = ids(first);
		for (let number = 2; number <= pages; number++) {
			assert.ok(page._paging.next, `page ${number - 1} has _paging.next`);
			page = await page._paging.next.get();   // carries .auth() along
			seen.push(...ids(page));
			assert.ok(page._paging.prev, `page ${number} has _paging.prev`);
			assert.equal(page._paging.total, all.length);
		}
		assert.equal(page._paging.next, undefined, 'the last page has no next');
		assert.deepEqual(seen, all);
		const third = await wp.posts().perPage(2).page(pages).get();
		assert.deepEqual(ids(third), ids(page));
		const back = await page._paging.prev.get();
		assert.deepEqual(ids(back), all.slice((pages - 2) * 2, (pages - 1) * 2));
	});

	await step('.embed(): _embedded author and wp:term', async () => {
		const post = await wp.posts().id(expect.post_id).embed().get();
		assert.equal(post.id, expect.post_id);
		assert.ok(post._embedded, 'the response has _embedded');
		assert.equal(post._embedded.author.length, 1);
		assert.equal(post._embedded.author[0].id, post.author);
		assert.equal(post._embedded.author[0].name, expect.post_author_name);
		const [categories, tags] = post._embedded['wp:term'];
		assert.deepEqual(ids(categories).sort(), [...post.categories].sort());
		assert.ok(categories.every((term) => term.taxonomy === 'category'));
		assert.deepEqual(ids(tags).sort(), [...post.tags].sort());
		assert.ok(tags.every((term) => term.taxonomy === 'post_tag'));
		assert.equal(post._links.curies[0].name, 'wp');
	});

	await step('get one: .id(n).get() and .edit() (context=edit)', async () => {
		const post = await wp.posts().id(expect.post_id).get();
		assert.equal(post.id, expect.post_id);
		assert.equal(post.title.rendered, expect.post_title);
		assert.equal(post.title.raw, undefined);
		const edit = await wp.posts().id(expect.post_id).edit().get();
		assert.equal(edit.title.raw, expect.post_title);
		assert.equal(typeof edit.content.raw, 'string');
		const missing = await rejection(wp.posts().id(expect.missing_id).get());
		assertWPError(missing, 'rest_post_invalid_id', 404);
	});

	const title = `wpapi draft ${suffix}`;
	let created;

	await step('create: .create({status: draft}) → 201 body in edit context', async () => {
		created = await wp.posts().create({
			title,
			content: '<p>Written by node-wpapi.</p>',
			status: 'draft',
			categories: [expect.category_id],
		});
		report.created.posts.push(created.id);
		assert.equal(typeof created.id, 'number');
		assert.equal(created.status, 'draft');
		assert.equal(created.title.raw, title);
		assert.deepEqual(created.categories, [expect.category_id]);
		const visible = await anonymous.posts().get();
		assert.ok(!ids(visible).includes(created.id), 'a draft is not listed publicly');
	});

	await step('publish: .update({status: publish}) (wpapi sends PUT)', async () => {
		const updated = await wp.posts().id(created.id).update({ status: 'publish', excerpt: 'Short.' });
		assert.equal(updated.id, created.id);
		assert.equal(updated.status, 'publish');
		assert.equal(updated.excerpt.raw, 'Short.');
		const visible = await anonymous.posts().get();
		assert.equal(visible[0].id, created.id, 'the new post is first in the public list');
		assert.equal(visible._paging.total, expect.anonymous_ids.length + 1);
	});

	await step('trash: .delete() → status trash; trashing again → 410', async () => {
		const trashed = await wp.posts().id(created.id).delete();
		assert.equal(trashed.id, created.id);
		assert.equal(trashed.status, 'trash');
		const visible = await anonymous.posts().get();
		assert.deepEqual(ids(visible), expect.anonymous_ids);
		const again = await rejection(wp.posts().id(created.id).delete());
		assertWPError(again, 'rest_already_trashed', 410);
	});

	await step('delete for good: .delete({force: true}) (DELETE with a JSON body)', async () => {
		const result = await wp.posts().id(created.id).delete({ force: true });
		assert.equal(result.deleted, true);
		assert.equal(result.previous.id, created.id);
		assert.equal(result.previous.status, 'trash');
		const gone = await rejection(wp.posts().id(created.id).get());
		assertWPError(gone, 'rest_post_invalid_id', 404);
	});

	await step('roles: a subscriber cannot create (403), a wrong password is 401', async () => {
		const subscriber = new WPAPI({ endpoint }).auth(login('subscriber'));
		const denied = await rejection(subscriber.posts().create({ title: `denied ${suffix}` }));
		assertWPError(denied, 'rest_cannot_create', 403);
		const wrong = new WPAPI({ endpoint }).auth({ username: users.administrator.login, password: 'not it' });
		const refused = await rejection(wrong.posts().get());
		assertWPError(refused, 'incorrect_password', 401);
	});

	await categoriesScenario(wp);
	await tagsScenario(wp);
}

async function categoriesScenario(wp) {
	const name = `wpapi Cardio ${suffix}`;
	let category;

	await step('categories: list with _paging', async () => {
		const list = await wp.categories().perPage(100).get();
		assert.ok(ids(list).includes(expect.category_id));
		assert.equal(list._paging.total, expect.category_count);
	});

	await step('categories: .create({name, parent, description})', async () => {
		category = await wp.categories().create({ name, parent: expect.category_id, description: 'from wpapi' });
		report.created.terms.push(category.id);
		assert.equal(typeof category.id, 'number');
		assert.equal(category.name, name);
		assert.equal(category.slug, `wpapi-cardio-${suffix}`);
		assert.equal(category.parent, expect.category_id);
		assert.equal(category.taxonomy, 'category');
		assert.equal(category.count, 0);
		const duplicate = await rejection(wp.categories().create({ name, parent: expect.category_id }));
		assertWPError(duplicate, 'term_exists', 400);
		assert.equal(duplicate.data.term_id, category.id, 'term_exists names the existing term');
	});

	await step('categories: .update() (PUT) and .parent(id) filter', async () => {
		const updated = await wp.categories().id(category.id).update({ description: 'updated by wpapi' });
		assert.equal(updated.id, category.id);
		assert.equal(updated.description, 'updated by wpapi');
		assert.equal(updated.name, name);
		const children = await wp.categories().parent(expect.category_id).get();
		assert.ok(ids(children).includes(category.id));
	});

	await step('categories: .delete() without force → 501, .delete({force: true}) → deleted', async () => {
		const refused = await rejection(wp.categories().id(category.id).delete());
		assertWPError(refused, 'rest_trash_not_supported', 501);
		const result = await wp.categories().id(category.id).delete({ force: true });
		assert.equal(result.deleted, true);
		assert.equal(result.previous.id, category.id);
		assert.equal(result.previous.name, name);
		const gone = await rejection(wp.categories().id(category.id).get());
		assertWPError(gone, 'rest_term_invalid', 404);
	});
}

async function tagsScenario(wp) {
	const name = `wpapi tag ${suffix}`;
	let tag;
	let post;

	await step('tags: .create({name}) and .update({name})', async () => {
		tag = await wp.tags().create({ name });
		report.created.terms.push(tag.id);
		assert.equal(tag.name, name);
		assert.equal(tag.taxonomy, 'post_tag');
		const renamed = await wp.tags().id(tag.id).update({ name: `${name} renamed` });
		assert.equal(renamed.name, `${name} renamed`);
		assert.equal(renamed.slug, tag.slug, 'renaming keeps the slug');
	});

	await step('tags: a published post tagged with it is found by .tags(id)', async () => {
		post = await wp.posts().create({ title: `wpapi tagged ${suffix}`, status: 'publish', tags: [tag.id] });
		report.created.posts.push(post.id);
		assert.deepEqual(post.tags, [tag.id]);
		const tagged = await wp.posts().tags(tag.id).get();
		assert.deepEqual(ids(tagged), [post.id]);
		const counted = await wp.tags().id(tag.id).get();
		assert.equal(counted.count, 1);
	});

	await step('tags: .delete({force: true}) the post and the tag', async () => {
		const removed = await wp.posts().id(post.id).delete({ force: true });
		assert.equal(removed.deleted, true);
		const result = await wp.tags().id(tag.id).delete({ force: true });
		assert.equal(result.deleted, true);
		assert.equal(result.previous.id, tag.id);
		const gone = await rejection(wp.tags().id(tag.id).get());
		assertWPError(gone, 'rest_term_invalid', 404);
	});
}

main().then(
	() => {
		console.log(JSON.stringify(report));
	},
	(error) => {
		const detail = error instanceof Error ? error.stack : JSON.stringify(error);
		console.error(`wpapi scenario failed at step "${currentStep()}":\n${detail}`);
		console.log(JSON.stringify({ ...report, failed: currentStep() }));
		process.exit(1);
	},
);
