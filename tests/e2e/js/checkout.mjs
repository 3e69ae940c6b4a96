// A buyer's checkout through the SDK against a merchant middleware built with @ordercloud/catalyst:
// the middleware (a node http server in this process) verifies every x-oc-hash with catalyst's
// withOcWebhookAuth, answers shipping rates per supplier and 10 % tax, checks the token it gets
// with catalyst and calls back into ordercore with it.
import { createServer } from 'node:http';
import {
  ApiClients, Auth, Buyers, Cart, Catalogs, IntegrationEvents, Orders, PriceSchedules, Products,
  SecurityProfiles, Suppliers, Users,
} from 'ordercloud-javascript-sdk';
import { verifyTokenAsync, withOcWebhookAuth } from '@ordercloud/catalyst';
import { ADMIN, configure, id, run, use } from './lib.mjs';

const PASSWORD = 'Checkout-pass-123';
const HASH_KEY = 'e2e-hash-key-Ω';  // non-ASCII: both sides must hash the UTF-8 bytes
const cents = (n) => Math.round(n * 100) / 100;

function startMiddleware() {
  const seen = { hooks: [], rejected: 0, environment: [], configData: [], callback: null, tokenCheck: null };

  function send(res, body) {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  const handlers = {
    shippingrates: async (req, res) => {
      const groups = new Map();
      for (const line of req.body.OrderWorksheet.LineItems) {
        const origin = line.ShipFromAddressID ?? line.SupplierID ?? 'marketplace';
        groups.set(origin, [...(groups.get(origin) ?? []), line]);
      }
      const ShipEstimates = [...groups.entries()].map(([origin, lines]) => {
        const units = lines.reduce((sum, line) => sum + line.Quantity, 0);
        return {
          ID: `est-${origin}`,
          ShipEstimateItems: lines.map((line) => ({ LineItemID: line.ID, Quantity: line.Quantity })),
          ShipMethods: [
            { ID: 'STANDARD', Name: 'Standard', Cost: cents(4.99 + units), EstimatedTransitDays: 4 },
            { ID: 'OVERNIGHT', Name: 'Overnight', Cost: 19.99, EstimatedTransitDays: 1 },
          ],
        };
      });
      send(res, { ShipEstimates });
    },
    ordercalculate: async (req, res) => {
      const { OrderWorksheet: sheet, OrderCloudAccessToken: token } = req.body;
      try {
        const decoded = await verifyTokenAsync(token, ['OrderReader'], ['Seller'], ['*']);
        seen.tokenCheck = { ok: true, usrtype: decoded.payload.usrtype, roles: decoded.payload.role };
      } catch (err) {
        seen.tokenCheck = { ok: false, name: err.name };
      }
      const order = await Orders.Get('Incoming', sheet.Order.ID, { accessToken: token });
      seen.callback = { id: order.ID, status: order.Status, shippingCost: order.ShippingCost };
      send(res, { TaxTotal: cents(sheet.Order.Subtotal * 0.1), xp: { Engine: 'e2e' } });
    },
    ordersubmit: async (req, res) => send(res, { xp: { Received: req.body.OrderWorksheet.Order.ID } }),
  };

  const server = createServer(async (req, res) => {
    const hook = req.url.split('/').pop().toLowerCase();
    const handler = handlers[hook];
    if (!handler) { res.writeHead(404); res.end(); return; }
    const guarded = withOcWebhookAuth(async (r, s) => {
      seen.hooks.push(hook);
      seen.environment.push(r.body.Environment);
      seen.configData.push(r.body.ConfigData);
      await handler(r, s);
    }, HASH_KEY);
    await guarded(req, res, (err) => {
      seen.rejected += 1;
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: err?.name ?? 'rejected' }));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, seen, url: `http://127.0.0.1:${server.address().port}/api/checkout` }));
  });
}

run(async () => {
  const middleware = await startMiddleware();
  try {
    configure();
    use(await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['FullAccess']));

    const event = await IntegrationEvents.Create({
      ID: id('checkout'), Name: 'Checkout', EventType: 'OrderCheckout', CustomImplementationUrl: middleware.url,
      HashKey: HASH_KEY, ElevatedRoles: ['OrderReader'], ConfigData: { Store: 'e2e' },
    });
    const buyer = await Buyers.Create({ ID: id('shop-buyer'), Name: 'Checkout buyer', Active: true });
    const user = await Users.Create(buyer.ID, {
      ID: id('checkout-user'), Username: id('checkout-user'), Password: PASSWORD, FirstName: 'Chloé',
      LastName: 'Buyer', Email: 'chloe@example.com', Active: true,
    });
    const profile = await SecurityProfiles.Create({ ID: id('checkout-shopper'), Name: 'Shopper', Roles: ['Shopper', 'MeAdmin'] });
    await SecurityProfiles.SaveAssignment({ SecurityProfileID: profile.ID, BuyerID: buyer.ID });
    const storefront = await ApiClients.Create({
      AppName: id('checkout-store'), Active: true, AccessTokenDuration: 600, AllowAnyBuyer: true,
      OrderCheckoutIntegrationEventID: event.ID,
    });

    const supplier = await Suppliers.Create({ ID: id('mugs-inc'), Name: 'Mugs Inc', Active: true });
    const schedules = { mug: [id('ps-mug'), 12.5], tea: [id('ps-tea'), 8] };
    for (const [scheduleID, price] of Object.values(schedules)) {
      await PriceSchedules.Create({ ID: scheduleID, Name: scheduleID, Currency: 'USD', PriceBreaks: [{ Quantity: 1, Price: price }] });
    }
    const mug = await Products.Create({ ID: id('mug'), Name: 'Café mug', Active: true,
      DefaultPriceScheduleID: schedules.mug[0], DefaultSupplierID: supplier.ID });
    const tea = await Products.Create({ ID: id('tea'), Name: 'Tea', Active: true, DefaultPriceScheduleID: schedules.tea[0] });
    const catalog = await Catalogs.Create({ ID: id('checkout-cat'), Name: 'Checkout catalog', Active: true });
    await Catalogs.SaveAssignment({ CatalogID: catalog.ID, BuyerID: buyer.ID, ViewAllProducts: true, ViewAllCategories: true });
    for (const product of [mug, tea]) await Catalogs.SaveProductAssignment({ CatalogID: catalog.ID, ProductID: product.ID });

    configure(storefront.ID);
    use(await Auth.Login(user.Username, PASSWORD, storefront.ID, ['Shopper', 'MeAdmin']));
    await Cart.CreateLineItem({ ProductID: mug.ID, Quantity: 2 });
    await Cart.CreateLineItem({ ProductID: tea.ID, Quantity: 3 });

    const estimated = await Cart.EstimateShipping();
    const estimates = estimated.ShipEstimateResponse.ShipEstimates;
    const selected = await Cart.SelectShipMethods({
      ShipMethodSelections: estimates.map((e) => ({ ShipEstimateID: e.ID, ShipMethodID: 'STANDARD' })),
    });
    const calculated = await Cart.Calculate();
    const worksheet = await Cart.GetOrderWorksheet();
    // As a storefront does: the Shopper pays the calculated total by purchase order, without
    // Accepted (a Shopper may not set it; a purchase order is accepted when created).
    const payment = await Cart.CreatePayment({ Type: 'PurchaseOrder', Amount: calculated.Order.Total });
    const submitted = await Cart.Submit();
    const after = await IntegrationEvents.GetWorksheet('Outgoing', submitted.ID);

    return {
      estimates: estimates.map((e) => [e.ID, e.ShipEstimateItems.length, e.ShipMethods.map((m) => [m.ID, m.Cost])]).sort(),
      shippingAfterSelection: selected.Order.ShippingCost,
      calculated: {
        subtotal: calculated.Order.Subtotal, shipping: calculated.Order.ShippingCost, tax: calculated.Order.TaxCost,
        total: calculated.Order.Total, calcXp: calculated.OrderCalculateResponse.xp,
        succeeded: calculated.OrderCalculateResponse.Succeeded,
      },
      worksheetMatches: worksheet.Order.Total === calculated.Order.Total,
      submitted: { status: submitted.Status, total: submitted.Total, id: submitted.ID },
      payment: { type: payment.Type, amount: payment.Amount, accepted: payment.Accepted },
      submitResponse: after.OrderSubmitResponse,
      supplierID: supplier.ID,
      middleware: middleware.seen,
    };
  } finally {
    middleware.server.close();
  }
});
