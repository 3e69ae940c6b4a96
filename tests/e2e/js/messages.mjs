// Message senders and forgotten credentials through the SDK. The sender posts to a node server
// that checks every x-oc-hash with @ordercloud/catalyst (keyed by the SharedKey); the verification
// code it receives resets the password (ForgottenCredentials.ResetPasswordByVerificationCode),
// and the reset token sets it again (Me.ResetPasswordByToken); Auth.Login proves each password.
import { createServer } from 'node:http';
import {
  ApiClients, Auth, Buyers, ForgottenCredentials, Me, MessageSenders, Tokens, Users,
} from 'ordercloud-javascript-sdk';
import { withOcWebhookAuth } from '@ordercloud/catalyst';
import { ADMIN, configure, failure, id, run, use } from './lib.mjs';

const SHARED_KEY = 'sender-key-Ω';

function startReceiver() {
  const seen = { messages: [], rejected: 0 };
  const server = createServer(async (req, res) => {
    const guarded = withOcWebhookAuth(async (r, s) => {
      seen.messages.push(r.body);
      s.writeHead(200);
      s.end();
    }, SHARED_KEY);
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

async function nextMessage(seen, count) {
  for (let i = 0; i < 150 && seen.messages.length < count; i += 1) await sleep(100);
  return seen.messages[count - 1];
}

run(async () => {
  const receiver = await startReceiver();
  try {
    configure();
    const admin = await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['FullAccess']);
    use(admin);
    const buyerID = id('msg-buyer');
    const clientID = id('msg-shop');
    const username = id('forgetful');
    const senderID = id('sender');
    await Buyers.Create({ ID: buyerID, Name: 'Messages', Active: true });
    await ApiClients.Create({ ID: clientID, AppName: 'Shop', Active: true, AllowAnyBuyer: true, AccessTokenDuration: 600 });
    await Users.Create(buyerID, {
      ID: username, Username: username, Password: 'First-pass-1', FirstName: 'For', LastName: 'Getful',
      Email: `${username}@example.com`, Active: true,
    });
    const created = await MessageSenders.Create({
      ID: senderID, Name: 'Middleware', MessageTypes: ['ForgottenPassword'], URL: `${receiver.url}/messages`,
      SharedKey: SHARED_KEY, xp: { Env: 'e2e' },
    });
    await MessageSenders.SaveAssignment({ MessageSenderID: senderID, BuyerID: buyerID });
    const assignments = await MessageSenders.ListAssignments({ messageSenderID: senderID });
    const listed = await MessageSenders.List({ search: 'Middleware' });
    const noUrl = await failure(MessageSenders.Create({ Name: 'x', MessageTypes: ['OrderSubmitted'], URL: '', SharedKey: 'k' }));

    // Signed out: the storefront asks for a code.
    Tokens.RemoveAccessToken();
    await ForgottenCredentials.SendVerificationCode({ ClientID: clientID, Username: username });
    await ForgottenCredentials.SendVerificationCode({ ClientID: clientID, Username: id('nobody') });
    const first = await nextMessage(receiver.seen, 1);
    const code = first.EventBody.PasswordRenewalVerificationCode;
    await ForgottenCredentials.ResetPasswordByVerificationCode(code, { ClientID: clientID, Username: username, Password: 'Second-pass-2' });
    const reused = await failure(
      ForgottenCredentials.ResetPasswordByVerificationCode(code, { ClientID: clientID, Password: 'Third-pass-3' }),
    );
    const second = await Auth.Login(username, 'Second-pass-2', clientID, ['Shopper']);

    await ForgottenCredentials.SendVerificationCode({ ClientID: clientID, Email: `${username}@example.com` });
    const again = await nextMessage(receiver.seen, 2);
    await Me.ResetPasswordByToken({ NewPassword: 'Third-pass-3' }, { accessToken: again.EventBody.PasswordRenewalAccessToken });
    const third = await Auth.Login(username, 'Third-pass-3', clientID, ['Shopper']);
    await ForgottenCredentials.RetrieveUsername({ clientID, email: `${username}@example.com` });

    use(admin);
    await MessageSenders.DeleteAssignment(senderID, { buyerID });
    await MessageSenders.Delete(senderID);
    return {
      created: { ID: created.ID, URL: created.URL, MessageTypes: created.MessageTypes },
      assignments: assignments.Items.map((a) => [a.MessageSenderID, a.BuyerID]),
      listed: listed.Items.map((s) => s.ID),
      senderID,
      buyerID,
      username,
      noUrl,
      messages: receiver.seen.messages.length,
      rejected: receiver.seen.rejected,
      first: {
        keys: Object.keys(first), type: first.MessageType, buyer: first.BuyerID,
        recipient: first.Recipient.Username, config: first.ConfigData, codeLength: code.length,
        tokenGiven: typeof first.EventBody.PasswordRenewalAccessToken === 'string',
      },
      reused,
      signedIn: [Boolean(second.access_token), Boolean(third.access_token)],
    };
  } finally {
    receiver.server.close();
  }
});
