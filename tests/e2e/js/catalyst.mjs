// @ordercloud/catalyst checks our tokens the way it checks OrderCloud's: it fetches
// `{aud}/oauth/certs/{kid}` and verifies the RS256 signature, expiry and roles.
import { generateKeyPairSync, sign } from 'node:crypto';
import { Auth } from 'ordercloud-javascript-sdk';
import { verifyTokenAsync, withOcUserAuth } from '@ordercloud/catalyst';
import { ADMIN, claims, configure, run } from './lib.mjs';

const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function signWith(privateKey, header, payload) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), privateKey).toString('base64url')}`;
}

async function outcome(promise) {
  try {
    const decoded = await promise;
    return { ok: true, usrtype: decoded.payload.usrtype, usr: decoded.payload.usr, kid: decoded.headers.kid };
  } catch (err) {
    return { ok: false, name: err.name, status: err.status ?? null };
  }
}

// Runs the middleware against a fake request and reports what the route handler saw.
async function middleware(token, roles) {
  let seen = null;
  let error = null;
  const handler = withOcUserAuth(async (req) => { seen = req.ocToken.payload.usr; }, roles, [], [ADMIN.clientID]);
  await handler({ headers: { authorization: `Bearer ${token}` } }, {}, (err) => { error = err; });
  return { handled: seen, error: error ? { name: error.name, status: error.status } : null };
}

run(async () => {
  configure();
  const { access_token: token } = await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['BuyerAdmin']);
  const [head, , signature] = token.split('.');
  const header = JSON.parse(Buffer.from(head, 'base64url').toString());
  const payload = claims(token);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forged = signWith(privateKey, header, payload);
  const escalated = `${head}.${b64({ ...payload, role: ['FullAccess'] })}.${signature}`;
  const expired = signWith(privateKey, header, { ...payload, exp: payload.nbf - 10 });

  return {
    header,
    payload,
    accepted: await outcome(verifyTokenAsync(token, ['BuyerAdmin'], [], [ADMIN.clientID])),
    acceptedAnyClient: await outcome(verifyTokenAsync(token, [], ['Seller'], ['*'])),
    forged: await outcome(verifyTokenAsync(forged, [], [], [ADMIN.clientID])),
    escalated: await outcome(verifyTokenAsync(escalated, [], [], [ADMIN.clientID])),
    expired: await outcome(verifyTokenAsync(expired, [], [], [ADMIN.clientID])),
    otherClient: await outcome(verifyTokenAsync(token, [], [], ['some-other-client'])),
    missingRole: await outcome(verifyTokenAsync(token, ['OrderAdmin'], [], [ADMIN.clientID])),
    wrongUserType: await outcome(verifyTokenAsync(token, [], ['Buyer'], [ADMIN.clientID])),
    middlewareAccepts: await middleware(token, ['BuyerAdmin']),
    middlewareRejectsForged: await middleware(forged, []),
  };
});
