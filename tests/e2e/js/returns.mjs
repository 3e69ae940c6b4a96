// A buyer's return through the SDK against a merchant middleware built with @ordercloud/catalyst
// that answers OrderCloud's `calculateorderreturn` integration event: catalyst's withOcWebhookAuth
// checks every x-oc-hash, verifyTokenAsync the OrderCloudAccessToken, and the middleware reads the
// order back with that token before pricing the return (unit price x quantity, less a 10 %
// restocking fee on items the buyer calls "changed-mind"). Then the seller completes it: the
// refund is recorded, the resellable units go back to stock and the order reads PARTIALLY_REFUNDED.
import { createServer } from 'node:http';
import {
  ApiClients, Auth, Buyers, Catalogs, IntegrationEvents, LineItems, OrderReturns, Orders, Payments,
  PriceSchedules, Products, SecurityProfiles, Tokens, Users,
} from 'ordercloud-javascript-sdk';
import { verifyTokenAsync, withOcWebhookAuth } from '@ordercloud/catalyst';
import { ADMIN, BASE_URL, configure, failure, id, run, use } from './lib.mjs';

const PASSWORD = 'Returns-pass-123';
const HASH_KEY = 'returns-hash-key-Ω';
const cents = (n) => Math.round(n * 100) / 100;

function startMiddleware() {
  const seen = { calls: 0, rejected: 0, payloadKeys: null, tokenCheck: null, callback: null, configData: null };
  const calculate = withOcWebhookAuth(async (req, res) => {
    seen.calls += 1;
    const { OrderReturn: ret, OrderWorksheet: sheet, OrderCloudAccessToken: token, ConfigData } = req.body;
    seen.payloadKeys = Object.keys(req.body).sort();
    seen.configData = ConfigData;
    try {
      const decoded = await verifyTokenAsync(token, ['OrderReader'], ['Seller'], ['*']);
      seen.tokenCheck = { ok: true, roles: decoded.payload.role };
    } catch (err) {
      seen.tokenCheck = { ok: false, name: err.name };
    }
    // The middleware may read back while ordercore waits: no lock is held during the call.
    const order = await Orders.Get('Incoming', sheet.Order.ID, { accessToken: token });
    seen.callback = { id: order.ID, status: order.Status, returnID: ret.ID };
    const lines = new Map(sheet.LineItems.map((line) => [line.ID, line]));
    const ItemsToReturnCalcs = ret.ItemsToReturn.map((item) => {
      const line = lines.get(item.LineItemID);
      const fee = item.ReasonCode === ConfigData.FeeReason ? 0.9 : 1;
      return { LineItemID: item.LineItemID, RefundAmount: cents(line.UnitPrice * item.Quantity * fee) };
    });
    const RefundAmount = cents(ItemsToReturnCalcs.reduce((sum, calc) => sum + calc.RefundAmount, 0));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ RefundAmount, ItemsToReturnCalcs }));
  }, HASH_KEY);

  const server = createServer(async (req, res) => {
    if (!req.url.toLowerCase().endsWith('/calculateorderreturn')) { res.writeHead(404); res.end(); return; }
    await calculate(req, res, (err) => {
      seen.rejected += 1;
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: err?.name ?? 'rejected' }));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, seen, url: `http://127.0.0.1:${server.address().port}/api` }));
  });
}

async function raw(method, path, body) {
  const response = await fetch(`${BASE_URL}/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${Tokens.GetAccessToken()}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: response.status === 204 ? null : await response.json() };
}

run(async () => {
  const middleware = await startMiddleware();
  try {
    configure();
    const admin = await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['FullAccess']);
    use(admin);

    const event = await IntegrationEvents.Create({
      ID: id('returns'), Name: 'Returns', EventType: 'OrderReturn', CustomImplementationUrl: middleware.url,
      HashKey: HASH_KEY, ElevatedRoles: ['OrderReader'], ConfigData: { FeeReason: 'changed-mind' },
    });
    for (const [ID, Name] of [['changed-mind', 'Changed my mind'], ['broken', 'Arrived broken']]) {
      await raw('PUT', `/returnreasons/${ID}`, { ID, Name });
    }
    const buyer = await Buyers.Create({ ID: id('ret-buyer'), Name: 'Returns buyer', Active: true });
    const user = await Users.Create(buyer.ID, {
      ID: id('ret-user'), Username: id('ret-user'), Password: PASSWORD, FirstName: 'Rhea',
      LastName: 'Buyer', Email: 'rhea@example.com', Active: true,
    });
    const profile = await SecurityProfiles.Create({ ID: id('ret-shopper'), Name: 'Shopper', Roles: ['Shopper', 'MeAdmin'] });
    await SecurityProfiles.SaveAssignment({ SecurityProfileID: profile.ID, BuyerID: buyer.ID });
    const storefront = await ApiClients.Create({
      AppName: id('ret-store'), Active: true, AccessTokenDuration: 600, AllowAnyBuyer: true,
      OrderReturnIntegrationEventID: event.ID,
    });
    const schedule = await PriceSchedules.Create({ ID: id('ps-boot'), Name: 'boot', Currency: 'USD', PriceBreaks: [{ Quantity: 1, Price: 24.5 }] });
    const boot = await Products.Create({ ID: id('boot'), Name: 'Boot', Active: true, Returnable: true,
      DefaultPriceScheduleID: schedule.ID, Inventory: { Enabled: true, QuantityAvailable: 20 } });
    const catalog = await Catalogs.Create({ ID: id('ret-cat'), Name: 'Returns catalog', Active: true });
    await Catalogs.SaveAssignment({ CatalogID: catalog.ID, BuyerID: buyer.ID, ViewAllProducts: true, ViewAllCategories: true });
    await Catalogs.SaveProductAssignment({ CatalogID: catalog.ID, ProductID: boot.ID });

    configure(storefront.ID);
    use(await Auth.Login(user.Username, PASSWORD, storefront.ID, ['Shopper', 'MeAdmin']));
    const order = await Orders.Create('Outgoing', { ID: id('ret-order') });
    const line = await LineItems.Create('Outgoing', order.ID, { ProductID: boot.ID, Quantity: 4 });
    const total = (await Orders.Get('Outgoing', order.ID)).Total;
    await Payments.Create('Outgoing', order.ID, { Type: 'PurchaseOrder', Amount: total });
    await Orders.Submit('Outgoing', order.ID);
    const buyerToken = Tokens.GetAccessToken();

    configure();
    use(admin);
    await Orders.Complete('Incoming', order.ID);
    const stockAfterSubmit = (await Products.Get(boot.ID)).Inventory.QuantityAvailable;

    configure(storefront.ID);
    use(buyerToken);
    const created = await OrderReturns.Create({
      ID: id('ret'), OrderID: order.ID, Comments: 'Two pairs back',
      ItemsToReturn: [{ LineItemID: line.ID, Quantity: 2, ReasonCode: 'changed-mind', Comments: 'Too tight' }],
    });
    const refusedReason = await failure(OrderReturns.Patch(created.ID, {
      ItemsToReturn: [{ LineItemID: line.ID, Quantity: 2, ReasonCode: 'no-such-reason' }],
    }));
    const submitted = await OrderReturns.Submit(created.ID);

    configure();
    use(admin);
    const completed = await OrderReturns.Complete(created.ID);
    const refunds = (await Payments.List('Incoming', order.ID, { filters: { OrderReturnID: created.ID } })).Items;
    const stockAfterReturn = (await Products.Get(boot.ID)).Inventory.QuantityAvailable;
    const common = await raw('GET', `/channels/orders/ordercloud/${order.ID}`);
    const byReason = await raw('GET', `/orderreturns?ReasonCode=changed-mind&OrderID=${order.ID}`);

    return {
      total,
      created: {
        refundAmount: created.RefundAmount, status: created.Status,
        items: created.ItemsToReturn.map((i) => [i.Quantity, i.RefundAmount, i.ReasonCode, i.Comments]),
      },
      refusedReason: { status: refusedReason.status, errorCode: refusedReason.errorCode },
      submitted: submitted.Status,
      completed: { status: completed.Status, paymentIDs: completed.PaymentIDs.length },
      refunds: refunds.map((p) => [p.Amount, p.Accepted]),
      stock: { afterSubmit: stockAfterSubmit, afterReturn: stockAfterReturn },
      paymentStatus: common.body.PaymentStatus,
      byReason: byReason.body.Items.map((r) => r.ID === created.ID),
      middleware: middleware.seen,
    };
  } finally {
    middleware.server.close();
  }
});
