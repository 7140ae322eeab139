// @wordpress/core-data (the block editor's data layer, on @wordpress/data and @wordpress/api-fetch) run
// headless in node with global-jsdom, against a live wpcompat: what the editor does when it opens,
// edits, autosaves and saves a post, browses revisions, uploads an image and creates a reusable block.
//
// Usage: node coredata_scenario.mjs '<config JSON>' — tests/test_node_core_data.py builds the config:
// {base, suffix, users: {role: {login, password}}, expect: {post_id, post_title, ...}}.
// The packages are loaded through their CommonJS builds: core-data's ES-module build imports
// `fast-deep-equal/es6` (a directory import node's ESM loader refuses), and CommonJS and ESM builds
// would be two api-fetch instances, so everything here is required, one instance of each.
// The first failed assertion exits 1 naming the step; on success the last stdout line is a JSON
// report: {client, steps, skipped, created}.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { scenario, signIn } from './scenario_setup.mjs';

const NodeFormData = globalThis.FormData;          // node's own: what node's fetch can send
const NodeBlob = globalThis.Blob;
const { default: globalJsdom } = await import('global-jsdom');
const { VirtualConsole } = await import('jsdom');
globalJsdom('<!doctype html><html><body></body></html>', { url: 'http://localhost/', virtualConsole: new VirtualConsole() });

const require = createRequire(import.meta.url);
const apiFetch = require('@wordpress/api-fetch').default;
const { createRegistry } = require('@wordpress/data');
const { store: coreStore } = require('@wordpress/core-data');

const { config, report, step, currentStep } = scenario('@wordpress/core-data', { posts: [], media: [] });
const { base, suffix, users, expect } = config;
const rootURL = `${base}/wp-json/`;

const wire = [];
const realFetch = globalThis.fetch;
globalThis.fetch = (url, init = {}) => {
	wire.push({ url: String(url), method: init.method ?? 'GET' });
	return realFetch(url, init);
};

const as = signIn(apiFetch, rootURL, users.administrator);

// One registry per signed-in user, as each editor session has its own store.
function editorAs(role) {
	const registry = createRegistry();
	registry.register(coreStore);
	const run = (body) => as(role ? users[role] : null, () => body(registry));
	return { registry, run, select: () => registry.select(coreStore), resolve: () => registry.resolveSelect(coreStore),
		dispatch: () => registry.dispatch(coreStore) };
}

async function main() {
	const admin = editorAs('administrator');
	const postId = expect.post_id;

	await step('load types: getPostTypes / getPostType (rest_base, viewable, supports)', () => admin.run(async () => {
		const types = await admin.resolve().getPostTypes({ per_page: -1 });
		const slugs = types.map((type) => type.slug);
		for (const slug of ['post', 'page', 'attachment', 'wp_block']) {
			assert.ok(slugs.includes(slug), `types list ${slug}`);
		}
		const post = await admin.resolve().getPostType('post');
		assert.equal(post.rest_base, 'posts');
		assert.equal(post.viewable, true);
		assert.equal(post.supports.revisions, true);
		const block = await admin.resolve().getPostType('wp_block');
		assert.equal(block.rest_base, 'blocks');
		assert.equal(block.viewable, false);
	}));

	await step('list and open posts: getEntityRecords / getEntityRecord / getEditedEntityRecord', () => admin.run(async () => {
		const posts = await admin.resolve().getEntityRecords('postType', 'post', { per_page: 10 });
		assert.ok(posts.length > 0);
		assert.ok(posts.some((post) => post.id === postId));
		const post = await admin.resolve().getEntityRecord('postType', 'post', postId);
		assert.equal(post.title.raw, expect.post_title);
		const edited = admin.select().getEditedEntityRecord('postType', 'post', postId);
		assert.equal(edited.title, expect.post_title);
		const me = await admin.resolve().getCurrentUser();
		assert.equal(me.id, expect.admin_id);
	}));

	await step('canUser per role (OPTIONS + Allow)', async () => {
		const expected = {
			administrator: { createPost: true, updatePost: true, createBlock: true, deletePost: true },
			editor: { createPost: true, updatePost: true, createBlock: true, deletePost: true },
			author: { createPost: true, updatePost: true, createBlock: true, deletePost: true },
			contributor: { createPost: true, updatePost: false, createBlock: false, deletePost: false },
			subscriber: { createPost: false, updatePost: false, createBlock: false, deletePost: false },
		};
		for (const [role, wanted] of Object.entries(expected)) {
			const session = editorAs(role);
			await session.run(async () => {
				const got = {
					createPost: await session.resolve().canUser('create', { kind: 'postType', name: 'post' }),
					updatePost: await session.resolve().canUser('update', { kind: 'postType', name: 'post', id: postId }),
					createBlock: await session.resolve().canUser('create', { kind: 'postType', name: 'wp_block' }),
					deletePost: await session.resolve().canUser('delete', { kind: 'postType', name: 'post', id: postId }),
				};
				assert.deepEqual(got, wanted, `canUser as ${role}`);
			});
		}
	});

	const title = `Editado pelo core-data ${suffix}`;
	const content = `<!-- wp:paragraph -->\n<p>Conteúdo ${suffix}</p>\n<!-- /wp:paragraph -->`;

	await step('edit and save: editEntityRecord + saveEditedEntityRecord', () => admin.run(async () => {
		admin.dispatch().editEntityRecord('postType', 'post', postId, { title, content });
		assert.equal(admin.select().hasEditsForEntityRecord('postType', 'post', postId), true);
		const saved = await admin.dispatch().saveEditedEntityRecord('postType', 'post', postId);
		assert.equal(saved.title.raw, title);
		assert.equal(admin.select().getLastEntitySaveError('postType', 'post', postId), undefined);
		assert.equal(admin.select().hasEditsForEntityRecord('postType', 'post', postId), false);
		assert.equal(saved._links['version-history'][0].count >= 1, true);
	}));

	await step('save through /batch/v1: __experimentalBatch', () => admin.run(async () => {
		admin.dispatch().editEntityRecord('postType', 'post', postId, { excerpt: `Resumo ${suffix}` });
		const before = wire.length;
		const [saved] = await admin.dispatch().__experimentalBatch([
			({ saveEditedEntityRecord }) => saveEditedEntityRecord('postType', 'post', postId),
		]);
		assert.ok(wire.slice(before).some((sent) => sent.url.includes('batch/v1') && sent.method === 'POST'),
			'the save went through /batch/v1');
		assert.equal(saved.excerpt.raw, `Resumo ${suffix}`);
		const fresh = await apiFetch({ path: `/wp/v2/posts/${postId}?context=edit` });
		assert.equal(fresh.excerpt.raw, `Resumo ${suffix}`);
	}));

	await step('autosave: saveEntityRecord(..., {isAutosave: true}) as another editor', async () => {
		const editor = editorAs('editor');
		await editor.run(async () => {
			await editor.resolve().getEntityRecord('postType', 'post', postId);
			editor.dispatch().editEntityRecord('postType', 'post', postId, { title: `Autosalvo ${suffix}` });
			const record = editor.select().getEditedEntityRecord('postType', 'post', postId);
			await editor.dispatch().saveEntityRecord('postType', 'post',
				{ id: postId, title: record.title, content: record.content, excerpt: record.excerpt },
				{ isAutosave: true });
			assert.equal(editor.select().getLastEntitySaveError('postType', 'post', postId), undefined);
			const autosaves = await apiFetch({ path: `/wp/v2/posts/${postId}/autosaves?context=edit` });
			assert.equal(autosaves.length, 1);
			assert.equal(autosaves[0].title.raw, `Autosalvo ${suffix}`);
			assert.equal(autosaves[0].parent, postId);
		});
		const post = await apiFetch({ path: `/wp/v2/posts/${postId}?context=edit` });
		assert.equal(post.title.raw, title, 'an autosave leaves the published post alone');
		if (!(await admin.run(() => admin.resolve().getPostType('post'))).supports.autosave) {
			report.skipped.push('getAutosaves selector: core-data reads autosaves only for types whose supports '
				+ 'list "autosave" (WordPress 6.6+); WordPress 6.1, which wpcompat answers as, does not list it');
		}
	});

	let revisions;
	await step('list revisions: getRevisions and restore one by saving its fields', () => admin.run(async () => {
		revisions = await admin.resolve().getRevisions('postType', 'post', postId, { per_page: -1, context: 'edit' });
		const kept = revisions.filter((revision) => revision.slug.endsWith('-revision-v1'));
		assert.ok(kept.length >= 2, `two saves keep two revisions (${revisions.length})`);
		assert.equal(kept[0].title.raw, title);
		const oldest = kept[kept.length - 1];
		assert.equal(oldest.title.raw, title);       // the first save kept the new state
		const single = await admin.resolve().getRevision('postType', 'post', postId, oldest.id, { context: 'edit' });
		assert.equal(single.id, oldest.id);
		admin.dispatch().editEntityRecord('postType', 'post', postId, {
			title: `${oldest.title.raw} (restaurado)`, content: oldest.content.raw, excerpt: oldest.excerpt.raw });
		const restored = await admin.dispatch().saveEditedEntityRecord('postType', 'post', postId);
		assert.equal(restored.title.raw, `${oldest.title.raw} (restaurado)`);
		assert.equal(restored.content.raw, oldest.content.raw);
		const after = await apiFetch({ path: `/wp/v2/posts/${postId}/revisions?per_page=100` });
		assert.equal(after.filter((revision) => revision.slug.endsWith('-revision-v1')).length, kept.length + 1);
	}));

	await step('upload and attach an image: POST /wp/v2/media (multipart) + featured_media', () => admin.run(async () => {
		const png = Buffer.from(expect.png_base64, 'base64');
		const form = new NodeFormData();
		form.append('file', new NodeBlob([png], { type: 'image/png' }), `core-data-${suffix}.png`);
		form.append('title', `Imagem ${suffix}`);
		form.append('post', String(postId));
		const media = await apiFetch({ path: '/wp/v2/media', method: 'POST', body: form });
		report.created.media.push(media.id);
		assert.equal(media.media_type, 'image');
		assert.equal(media.post, postId);
		admin.dispatch().editEntityRecord('postType', 'post', postId, { featured_media: media.id });
		const saved = await admin.dispatch().saveEditedEntityRecord('postType', 'post', postId);
		assert.equal(saved.featured_media, media.id);
		const record = await admin.resolve().getEntityRecord('postType', 'attachment', media.id);
		assert.equal(record.id, media.id);
	}));

	await step('create a reusable block: saveEntityRecord(postType, wp_block)', () => admin.run(async () => {
		const block = await admin.dispatch().saveEntityRecord('postType', 'wp_block', {
			title: `Bloco ${suffix}`, status: 'publish',
			content: `<!-- wp:paragraph -->\n<p>Aviso ${suffix}</p>\n<!-- /wp:paragraph -->` });
		assert.ok(block && block.id, JSON.stringify(admin.select().getLastEntitySaveError('postType', 'wp_block')));
		report.created.posts.push(block.id);
		const blocks = await admin.resolve().getEntityRecords('postType', 'wp_block', { per_page: 100 });
		assert.ok(blocks.some((item) => item.id === block.id && item.title.raw === `Bloco ${suffix}`));
	}));

	await step('comments of a post', () => admin.run(async () => {
		const index = await apiFetch({ path: '/' });
		if (!index.routes['/wp/v2/comments']) {
			report.skipped.push('comments: /wp/v2/comments is not served');
			return;
		}
		const comments = await admin.resolve().getEntityRecords('root', 'comment', { post: postId });
		assert.ok(Array.isArray(comments));
		assert.ok(comments.every((comment) => comment.post === postId));
	}));

	await step('clean up: delete the block and the image for good', () => admin.run(async () => {
		for (const id of report.created.posts) {
			await admin.dispatch().deleteEntityRecord('postType', 'wp_block', id, { force: true }, { throwOnError: true });
		}
		for (const id of report.created.media) {
			await apiFetch({ path: `/wp/v2/media/${id}?force=true`, method: 'DELETE' });
		}
	}));
}

try {
	await main();
	console.log(JSON.stringify(report));
	process.exit(0);
} catch (error) {
	console.error(`step "${currentStep()}" failed: ${error.stack || error}`);
	process.exit(1);
}
