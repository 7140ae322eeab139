// Media uploads with @wordpress/api-fetch, as the block editor's uploadMedia sends them, against a live wpcompat.
//
// Usage: node apifetch_media_scenario.mjs '<config JSON>' — tests/test_node_media.py builds the config
// (tests/test_node_clients.py's run_scenario): {base, suffix, users, expect, media: {png, dicom, exe,
// patient}} where media.* are paths of files to upload. Steps assert inside node; the first failure
// exits 1 naming the step; the last stdout line is the JSON report {client, steps, skipped, created}.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import apiFetch from '@wordpress/api-fetch';
import { fetchBytes, scenario, signIn } from './scenario_setup.mjs';

const { config, report, step, rejection, currentStep } = scenario('@wordpress/api-fetch', { posts: [], media: [] });
const { base, suffix, users, media } = config;
const rootURL = `${base}/wp-json/`;
const as = signIn(apiFetch, rootURL, users.administrator);

// What @wordpress/media-utils' uploadToServer does: a FormData with `file` plus the attachment fields.
function formUpload(bytes, name, fields = {}) {
	const body = new FormData();
	body.append('file', new Blob([bytes]), name);
	for (const [key, value] of Object.entries(fields)) {
		body.append(key, value);
	}
	return apiFetch({ path: '/wp/v2/media', method: 'POST', body });
}

async function main() {
	const png = readFileSync(media.png);
	const dicom = readFileSync(media.dicom);
	let image;

	await step('upload: FormData as uploadMedia sends it (file, title, alt_text) → attachment with sizes', async () => {
		image = await as(users.author, () => formUpload(png, `scan-${suffix}.png`,
			{ title: `Scan ${suffix}`, alt_text: 'A scan' }));
		report.created.media.push(image.id);
		assert.equal(image.type, 'attachment');
		assert.equal(image.mime_type, 'image/png');
		assert.equal(image.title.raw, `Scan ${suffix}`);
		assert.equal(image.alt_text, 'A scan');
		assert.ok(image.media_details.sizes.thumbnail, 'a thumbnail was made');
		assert.match(image.source_url, new RegExp(`/wp-content/uploads/\\d{4}/\\d{2}/scan-${suffix}\\.png$`));
		const served = await fetchBytes(image.source_url);
		assert.equal(served.status, 200);
		assert.ok(served.bytes.equals(png), 'the served file is the uploaded one');
	});

	await step('upload: raw body with Content-Disposition → same path', async () => {
		const raw = await apiFetch({
			path: '/wp/v2/media', method: 'POST', body: png,
			headers: { 'Content-Type': 'image/png', 'Content-Disposition': `attachment; filename="raw-${suffix}.png"` },
		});
		report.created.media.push(raw.id);
		assert.match(raw.source_url, new RegExp(`/raw-${suffix}\\.png$`));
	});

	await step('update: POST /wp/v2/media/ID {alt_text, caption}', async () => {
		const updated = await as(users.author, () => apiFetch({
			path: `/wp/v2/media/${image.id}`, method: 'POST', data: { alt_text: 'Updated', caption: 'Cap' } }));
		assert.equal(updated.alt_text, 'Updated');
		assert.equal(updated.caption.raw, 'Cap');
	});

	await step('errors: a renamed .exe is refused (rest_upload_sideload_error)', async () => {
		const error = await rejection(formUpload(readFileSync(media.exe), `cat-${suffix}.jpg`));
		assert.equal(error.code, 'rest_upload_sideload_error');
		assert.equal(error.data.status, 500);
	});

	await step('PHI: a DICOM with patient tags is sealed, served only through the authenticated route', async () => {
		const refused = await as(users.editor, () => rejection(formUpload(dicom, `exam-${suffix}.dcm`)));
		assert.equal(refused.code, 'rest_cannot_create');
		const exam = await formUpload(dicom, `exam-${suffix}.dcm`);
		report.created.media.push(exam.id);
		assert.equal(exam.mime_type, 'application/dicom');
		assert.equal(exam.contains_phi, true);
		assert.equal(exam.encryption_status, 'at_rest');
		assert.equal(exam.dicom_metadata.PatientName, media.patient);
		assert.equal(exam.source_url, `${rootURL}wpcompat/v1/media/${exam.id}/file`);
		assert.equal((await fetchBytes(exam.source_url)).status, 404, 'anonymous');
		assert.equal((await fetchBytes(exam.source_url, users.subscriber)).status, 404, 'subscriber');
		const served = await fetchBytes(exam.source_url, users.administrator);
		assert.equal(served.status, 200);
		assert.ok(served.bytes.equals(dicom), 'the administrator gets the original bytes');
		const hidden = await as(users.subscriber, () => rejection(apiFetch({ path: `/wp/v2/media/${exam.id}` })));
		assert.equal(hidden.code, 'rest_post_invalid_id');
	});

	await step('delete: DELETE /wp/v2/media/ID?force=true for everything uploaded', async () => {
		for (const id of report.created.media) {
			const gone = await apiFetch({ path: `/wp/v2/media/${id}?force=true`, method: 'DELETE' });
			assert.equal(gone.deleted, true);
		}
		assert.equal((await fetchBytes(image.source_url)).status, 404);
	});
}

try {
	await main();
	console.log(JSON.stringify(report));
} catch (error) {
	console.error(`step "${currentStep()}" failed: ${error.stack ?? JSON.stringify(error)}`);
	process.exit(1);
}
