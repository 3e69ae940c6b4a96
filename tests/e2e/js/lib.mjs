// Helpers shared by the end-to-end scripts. Every script prints one JSON summary as its last
// stdout line; the Python test asserts on it.
import { Configuration, Tokens } from 'ordercloud-javascript-sdk';

export const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`missing environment variable ${name}`);
  return value;
};

export const BASE_URL = env('BASE_URL');
export const ADMIN = {
  clientID: env('ADMIN_CLIENT_ID'),
  clientSecret: env('ADMIN_CLIENT_SECRET'),
  username: env('ADMIN_USERNAME'),
  password: env('ADMIN_PASSWORD'),
};

// IDs unique per run, so scripts can share one server.
export const RUN = Math.random().toString(36).slice(2, 8);
export const id = (name) => `${name}-${RUN}`;

export function configure(clientID = ADMIN.clientID) {
  Configuration.Set({ baseApiUrl: BASE_URL, apiVersion: 'v1', clientID, timeoutInMilliseconds: 20000 });
}

export function use(token) {
  Tokens.SetAccessToken(token.access_token ?? token);
}

export function claims(token) {
  const raw = token.access_token ?? token;
  return JSON.parse(Buffer.from(raw.split('.')[1], 'base64url').toString('utf8'));
}

// What an SDK call that must fail failed with; a call that succeeds is a test failure.
export async function failure(promise) {
  try {
    await promise;
  } catch (err) {
    if (!err?.isOrderCloudError) throw err;
    return { status: err.status, errorCode: err.errorCode, message: err.message, data: err.errors?.[0]?.Data ?? null };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export const ids = (page) => page.Items.map((item) => item.ID);

export function finish(summary) {
  console.log(JSON.stringify(summary));
}

export function run(main) {
  main().then(finish, (err) => {
    const detail = err?.isOrderCloudError
      ? `${err.status} ${err.errorCode}: ${err.message} ${JSON.stringify(err.errors)} ${err.request?.path ?? ''}`
      : err?.stack ?? String(err);
    console.error(detail);
    process.exit(1);
  });
}
