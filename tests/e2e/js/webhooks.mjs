// Webhooks through the SDK, received by a node server that checks every x-oc-hash with
// @ordercloud/catalyst's withOcWebhookAuth: post-hooks arrive with OrderCloud's payload, a pre-hook
// that answers proceed:false stops a delete and the caller sees its body.
import { createServer } from 'node:http';
import { Auth, Buyers, Webhooks } from 'ordercloud-javascript-sdk';
import { withOcWebhookAuth } from '@ordercloud/catalyst';
import { ADMIN, configure, failure, id, run, use } from './lib.mjs';

const HASH_KEY = 'webhook-key-Ω';  // non-ASCII: both sides must hash the UTF-8 bytes

function startReceiver() {
  const seen = { posts: [], prehooks: [], rejected: 0, webhookIds: [] };
  const server = createServer(async (req, res) => {
    const guarded = withOcWebhookAuth(async (r, s) => {
      const payload = r.body;
      if (r.url.endsWith('/pre')) {
        seen.prehooks.push({ route: payload.Route, verb: payload.Verb, params: payload.RouteParams, response: payload.Response });
        s.writeHead(200, { 'Content-Type': 'application/json' });
        s.end(JSON.stringify({ proceed: false, body: { Reason: 'buyers are kept' } }));
        return;
      }
      seen.webhookIds.push(r.headers['webhook-id']);
      seen.posts.push({
        keys: Object.keys(payload), route: payload.Route, verb: payload.Verb, params: payload.RouteParams,
        requestBody: payload.Request.Body, responseName: payload.Response?.Body?.Name ?? null,
        configData: payload.ConfigData, hasUserToken: typeof payload.UserToken === 'string',
      });
      s.writeHead(200);
      s.end();
    }, HASH_KEY);
    await guarded(req, res, () => {
      seen.rejected += 1;
      res.writeHead(401);
      res.end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, seen, url: `http://127.0.0.1:${server.address().port}` }));
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

run(async () => {
  const receiver = await startReceiver();
  try {
    configure();
    use(await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['FullAccess']));
    const buyerID = id('hooked-buyer');
    await Webhooks.Create({
      ID: id('post'), Name: 'Buyer changes', Url: `${receiver.url}/post`, HashKey: HASH_KEY,
      ApiClientIDs: [ADMIN.clientID], ConfigData: { Env: 'e2e' }, BeforeProcessRequest: false,
      WebhookRoutes: [{ Route: 'v1/buyers', Verb: 'POST' }, { Route: 'v1/buyers/{buyerID}', Verb: 'PATCH' }],
    });
    await Webhooks.Create({
      ID: id('pre'), Name: 'Keep buyers', Url: `${receiver.url}/pre`, HashKey: HASH_KEY,
      ApiClientIDs: [ADMIN.clientID], BeforeProcessRequest: true,
      WebhookRoutes: [{ Route: 'v1/buyers/{buyerID}', Verb: 'DELETE' }],
    });
    await Buyers.Create({ ID: buyerID, Name: 'Hooked', Active: true });
    await Buyers.Patch(buyerID, { Name: 'Hooked again' });
    const vetoed = await failure(Buyers.Delete(buyerID));
    const stillThere = (await Buyers.Get(buyerID)).Name;

    // Post-hooks are delivered by the server's worker, after the commit.
    for (let i = 0; i < 100 && receiver.seen.posts.length < 2; i += 1) await sleep(100);
    return { seen: receiver.seen, vetoed, stillThere, buyerID };
  } finally {
    receiver.server.close();
  }
});
