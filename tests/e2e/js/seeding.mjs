// OrderCloud's own seeding tool (@ordercloud/seeding 1.1.0) against ordercore: seed a template,
// then download the marketplace back (tests/e2e/test_seeding_tool.py, docs/migration.md).
//
// The tool cannot be given an API URL: it signs in to OrderCloud's Portal at
// https://portal.ordercloud.io (fixed in its PortalAPI), creates the marketplace there, takes the
// marketplace's API URL from the Portal's answer (and refuses any without "sandbox" in it), and
// reads OrderCloud's OpenAPI document from https://api.ordercloud.io. So this script stands in
// for those two OrderCloud services with an axios interceptor (the tool and both SDKs call the
// one axios module): the Portal's four calls are answered here, the OpenAPI document is
// OrderCloud's published one (the copy ordercore ships), and every call to the sandbox API URL
// goes to ordercore. Nothing else of the tool is changed.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { env, ADMIN, BASE_URL } from './lib.mjs';

const require = createRequire(import.meta.url);
const axios = require('axios');
const yaml = require('js-yaml');
const { seed, download } = require('@ordercloud/seeding');

const PORTAL = 'https://portal.ordercloud.io/api/v1';
const OPENAPI = 'https://api.ordercloud.io/v1/openapi/v3';
const SANDBOX = 'https://sandboxapi.ordercloud.io';
const MARKETPLACE_ID = env('MARKETPLACE_ID');
const TEMPLATE = env('SEED_TEMPLATE');
const OUT = env('SEED_DOWNLOAD');
const OPENAPI_FILE = env('OPENAPI_GZ');

const answer = (config, data) => ({ data, status: 200, statusText: 'OK', headers: {}, config, request: {} });

async function adminToken() {
  const body = new URLSearchParams({
    grant_type: 'password',
    client_id: ADMIN.clientID,
    username: ADMIN.username,
    password: ADMIN.password,
    scope: 'FullAccess',
  });
  const res = await axios.post(`${BASE_URL}/oauth/token`, body.toString(), {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  return res.data.access_token;
}

const token = await adminToken();
// The Portal SDK reads the expiry of the token it is given (a JWT) before each call.
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const PORTAL_TOKEN = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ exp: Math.floor(Date.now() / 1000) + 3600 })}.stand-in`;
const organizations = {};
const portalCalls = [];
const apiCalls = { total: 0, failed: [] };

function portal(config, path) {
  const verb = config.method.toUpperCase();
  portalCalls.push(`${verb} ${path}`);
  const org = path.match(/^\/organizations\/([^/]+)(\/token)?$/);
  if (org && org[2]) return answer(config, { access_token: token });
  if (org && verb === 'PUT') {
    organizations[org[1]] = { ...JSON.parse(config.data), CoreApiUrl: SANDBOX };
    return answer(config, organizations[org[1]]);
  }
  if (org && verb === 'GET' && organizations[org[1]]) return answer(config, organizations[org[1]]);
  const error = new Error(`Portal stand-in: no ${verb} ${path}`);
  error.response = { status: 404, data: { Errors: [{ ErrorCode: 'NotFound', Message: 'not found' }] } };
  throw error;
}

axios.interceptors.request.use((config) => {
  const url = config.url ?? '';
  if (url.startsWith(PORTAL)) {
    config.adapter = async () => portal(config, url.slice(PORTAL.length).split('?')[0]);
  } else if (url.startsWith(OPENAPI)) {
    const doc = JSON.parse(zlib.gunzipSync(fs.readFileSync(OPENAPI_FILE)).toString('utf8'));
    config.adapter = async () => answer(config, doc);
  } else if (url.startsWith(SANDBOX)) {
    config.url = BASE_URL + url.slice(SANDBOX.length);
    apiCalls.total += 1;
  }
  return config;
});
axios.interceptors.response.use(
  (res) => res,
  (err) => {
    if (err?.config?.url?.startsWith(BASE_URL) && err.response) {
      const e = err.response.data?.Errors?.[0] ?? {};
      apiCalls.failed.push(`${err.config.method.toUpperCase()} ${err.config.url.slice(BASE_URL.length)} -> ${err.response.status} ${e.ErrorCode ?? ''} ${e.Message ?? ''}`);
    }
    return Promise.reject(err);
  },
);

const messages = { errors: [], warnings: [], info: [] };
const logger = (message, type) => {
  if (type === 0) messages.errors.push(String(message));
  else if (type === 3) messages.warnings.push(String(message));
  else if (type !== 4) messages.info.push(String(message));
};

const summary = { portalCalls, apiCalls, messages };
const rawData = yaml.load(fs.readFileSync(TEMPLATE, 'utf8'));
try {
  const seeded = await seed({ rawData, portalToken: PORTAL_TOKEN, marketplaceID: MARKETPLACE_ID, logger });
  summary.seeded = Boolean(seeded);
} catch (err) {
  summary.seedError = String(err?.message ?? err);
}
summary.seedFailedCalls = [...apiCalls.failed];
if (summary.seeded) {
  try {
    const marketplace = await download({ marketplaceID: MARKETPLACE_ID, portalToken: PORTAL_TOKEN, logger });
    if (marketplace) {
      fs.writeFileSync(OUT, JSON.stringify({ Objects: marketplace.Objects, Assignments: marketplace.Assignments }));
      summary.downloaded = true;
    }
  } catch (err) {
    summary.downloadError = String(err?.message ?? err);
  }
}
console.log(JSON.stringify(summary));
process.exit(0);
