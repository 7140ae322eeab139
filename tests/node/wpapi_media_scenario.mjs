// Media uploads with node-wpapi (`wp.media().file(buffer, name).create({...})`) against a live wpcompat.
//
// Usage: node wpapi_media_scenario.mjs '<config JSON>' — tests/test_node_media.py builds the config
// (tests/test_node_clients.py's run_scenario): {base, suffix, users, expect, media: {png, dicom, exe,
// patient}}. The first failed assertion exits 1 naming the step; the last stdout line is the JSON
// report {client, steps, skipped, created}.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import WPAPI from 'wpapi';
import { fetchBytes, scenario } from './scenario_setup.mjs';

const { config, report, step, rejection, currentStep } = scenario('wpapi', { posts: [], media: [] });
const { base, suffix, users, media } = config;
const endpoint = `${base}/wp-json/`;

const as = (role) => new WPAPI({ endpoint, username: users[role].login, password: users[role].password });

async function main() {
	const png = readFileSync(media.png);
	const dicom = readFileSync(media.dicom);
	const author = as('author');
	const admin = as('administrator');
	let image;

	await step('upload: .media().file(buffer, name).create({title, alt_text}) → attachment with sizes', async () => {
		image = await author.media().file(png, `xray-${suffix}.png`).create({ title: `X-ray ${suffix}`,
			alt_text: 'Chest' });
		report.created.media.push(image.id);
		assert.equal(image.mime_type, 'image/png');
		assert.equal(image.title.raw, `X-ray ${suffix}`);
		assert.equal(image.alt_text, 'Chest');
		assert.ok(image.media_details.sizes.medium, 'a medium size was made');
		const served = await fetchBytes(image.source_url);
		assert.equal(served.status, 200);
		assert.ok(served.bytes.equals(png));
	});

	await step('update: .media().id(ID).update({caption, post})', async () => {
		const updated = await author.media().id(image.id).update({ caption: 'Chest X-ray' });
		assert.equal(updated.caption.raw, 'Chest X-ray');
	});

	await step('errors: a renamed .exe posing as .jpg is refused', async () => {
		const error = await rejection(author.media().file(readFileSync(media.exe), `photo-${suffix}.jpg`).create({}));
		assert.equal(error.code, 'rest_upload_sideload_error');
	});

	await step('PHI: a DICOM with patient tags, then the download route by role', async () => {
		const refused = await rejection(as('editor').media().file(dicom, `exam-${suffix}.dcm`).create({}));
		assert.equal(refused.code, 'rest_cannot_create');
		const exam = await admin.media().file(dicom, `exam-${suffix}.dcm`).create({ title: `Exam ${suffix}` });
		report.created.media.push(exam.id);
		assert.equal(exam.contains_phi, true);
		assert.equal(exam.encryption_status, 'at_rest');
		assert.equal(exam.dicom_metadata.PatientName, media.patient);
		assert.equal(exam.source_url, `${endpoint}wpcompat/v1/media/${exam.id}/file`);
		assert.equal((await fetchBytes(exam.source_url)).status, 404);
		assert.equal((await fetchBytes(exam.source_url, users.subscriber)).status, 404);
		const served = await fetchBytes(exam.source_url, users.administrator);
		assert.equal(served.status, 200);
		assert.ok(served.bytes.equals(dicom));
		const listed = await new WPAPI({ endpoint }).media().get();
		assert.ok(!listed.some((item) => item.id === exam.id), 'PHI is not listed for anonymous users');
	});

	await step('delete: .media().id(ID).delete({force: true})', async () => {
		for (const id of report.created.media) {
			const gone = await admin.media().id(id).delete({ force: true });
			assert.equal(gone.deleted, true);
		}
	});
}

try {
	await main();
	console.log(JSON.stringify(report));
} catch (error) {
	console.error(`step "${currentStep()}" failed: ${error.stack ?? JSON.stringify(error)}`);
	process.exit(1);
}
