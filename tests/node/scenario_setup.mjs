// What every scenario here sets up the same way: its config (the JSON of argv[2], built by
// tests/test_node_clients.py's run_scenario), its report and named steps, the Basic header of an
// application password, and api-fetch's root URL and authentication.

import assert from 'node:assert/strict';

// scenario(client, created) → {config, report, step, rejection, currentStep}; the report is
// {client, steps, skipped, created}, step(name, body) runs body and records name once it passed.
export function scenario(client, created) {
	const config = JSON.parse(process.argv[2]);
	const report = { client, steps: [], skipped: [], created };
	let current = 'setup';

	async function step(name, body) {
		current = name;
		await body();
		report.steps.push(name);
	}

	// The rejection value of a request that must fail (the client's error, e.g. a WordPress error body).
	async function rejection(promise) {
		try {
			await promise;
		} catch (error) {
			return error;
		}
		assert.fail(`step "${current}": expected the request to fail, it succeeded`);
	}

	return { config, report, step, rejection, currentStep: () => current };
}

export function basic({ login, password }) {
	return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
}

// The bytes of a URL fetched anonymously or as `user` ({login, password}).
export async function fetchBytes(url, user) {
	const response = await fetch(url, user ? { headers: { Authorization: basic(user) } } : {});
	return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
}

// api-fetch (the caller's instance) on rootURL, sending a Basic header as `user` (or none).
// Returns as(user, body): runs body with requests sent as `user` (null: anonymously), then restores.
export function signIn(apiFetch, rootURL, user) {
	let credentials = user;
	apiFetch.use(apiFetch.createRootURLMiddleware(rootURL));
	apiFetch.use((options, next) => next(credentials
		? { ...options, headers: { ...options.headers, Authorization: basic(credentials) } } : options));
	return async function as(other, body) {
		const previous = credentials;
		credentials = other;
		try {
			return await body();
		} finally {
			credentials = previous;
		}
	};
}
