// The orders issue through the official SDK: the seller builds a catalog (price breaks, a sale,
// tracked stock), two buyers' users shop; user A fills a cart, sets addresses, pays by purchase
// order, validates and submits; the seller finds the order and completes it; user B never sees
// it. Error cases come back as OrderCloudError with the documented errorCode.
//
// Prices and quantities come from the SCENARIO environment variable (JSON) so that the Python
// test computes the expected totals from the same inputs.
import {
  ApiClients, Auth, Buyers, Cart, LineItems, Me, Orders, PriceSchedules, Products,
  SecurityProfiles, Users,
} from 'ordercloud-javascript-sdk';
import { ADMIN, RUN, configure, env, failure, id, ids, run, use } from './lib.mjs';

const PASSWORD = 'Checkout-pass-1234';
const S = JSON.parse(env('SCENARIO'));
const DAY = 24 * 60 * 60 * 1000;

const address = (name) => ({
  FirstName: name, LastName: 'Buyer', Street1: '1 Market St', City: 'Springfield', State: 'IL',
  Zip: '62701', Country: 'US',
});

run(async () => {
  const out = { run: RUN };
  configure();
  const admin = await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['FullAccess']);
  use(admin);

  // ---------------------------------------------------------------- the seller's catalog
  const tiered = id('tiered');
  await PriceSchedules.Create({ ID: tiered, Name: 'Tiered', Currency: 'USD',
    PriceBreaks: S.widget.breaks.map(([Quantity, Price]) => ({ Quantity, Price: Number(Price) })) });
  const sale = id('sale');
  const now = Date.now();
  await PriceSchedules.Create({ ID: sale, Name: 'On sale', Currency: 'USD',
    SaleStart: new Date(now - DAY).toISOString(), SaleEnd: new Date(now + DAY).toISOString(),
    PriceBreaks: [{ Quantity: 1, Price: Number(S.gizmo.price), SalePrice: Number(S.gizmo.salePrice) }] });
  const widget = id('widget');
  const gizmo = id('gizmo');
  await Products.Create({ ID: widget, Name: 'Widget', Description: 'A tiered widget', Active: true,
    DefaultPriceScheduleID: tiered, ShipWeight: 1.5, Returnable: true, xp: { Color: 'red' },
    Inventory: { Enabled: true, QuantityAvailable: S.widget.stock } });
  await Products.Create({ ID: gizmo, Name: 'Gizmo', Active: true, DefaultPriceScheduleID: sale });

  // Two buyers, one user each, the shopper profile, a storefront client.
  const buyerA = id('buyer-a');
  const buyerB = id('buyer-b');
  const userA = id('user-a');
  const userB = id('user-b');
  for (const [buyer, user] of [[buyerA, userA], [buyerB, userB]]) {
    await Buyers.Create({ ID: buyer, Name: buyer, Active: true });
    await Users.Create(buyer, { ID: user, Username: user, Password: PASSWORD, FirstName: 'F', LastName: 'L',
      Email: `${user}@example.com`, Active: true });
    await Products.SaveAssignment({ ProductID: widget, BuyerID: buyer });
    await Products.SaveAssignment({ ProductID: gizmo, BuyerID: buyer });
  }
  const profile = id('shopper');
  await SecurityProfiles.Create({ ID: profile, Name: 'Shopper', Roles: ['Shopper', 'MeAdmin', 'MeAddressAdmin'] });
  for (const buyer of [buyerA, buyerB]) await SecurityProfiles.SaveAssignment({ SecurityProfileID: profile, BuyerID: buyer });
  const storefront = await ApiClients.Create({ AppName: id('storefront'), Active: true, AccessTokenDuration: 600,
    AllowAnyBuyer: true });

  configure(storefront.ID);
  const tokenA = (await Auth.Login(userA, PASSWORD, storefront.ID, ['Shopper', 'MeAdmin', 'MeAddressAdmin'])).access_token;
  const tokenB = (await Auth.Login(userB, PASSWORD, storefront.ID, ['Shopper', 'MeAdmin', 'MeAddressAdmin'])).access_token;

  // ---------------------------------------------------------------- user A's checkout
  use(tokenA);
  out.noCart = await Cart.Get();
  out.noCartLines = await Cart.ListLineItems();
  const widgetLine = await Cart.CreateLineItem({ ProductID: widget, Quantity: S.widget.firstQuantity });
  out.widgetLineBefore = widgetLine;
  out.widgetLinePatched = await Cart.PatchLineItem(widgetLine.ID, { Quantity: S.widget.patchedQuantity });
  // The SDK's SaveLineItem sends the whole line back, read-only fields (and the old UnitPrice)
  // included: crossing the 10-break must still reprice it.
  out.widgetLine = await Cart.SaveLineItem(widgetLine.ID,
    { ...(await Cart.GetLineItem(widgetLine.ID)), Quantity: S.widget.quantity });
  const gizmoLine = await Cart.CreateLineItem({ ProductID: gizmo, Quantity: S.gizmo.quantity, xp: { Gift: true },
    DateNeeded: S.dateNeeded });
  out.zeroQuantity = await failure(Cart.CreateLineItem({ ProductID: gizmo, Quantity: 0 }));
  out.pastDateNeeded = await failure(Cart.PatchLineItem(gizmoLine.ID, { DateNeeded: '2020-01-01' }));
  out.gizmoLine = await Cart.SaveLineItem(gizmoLine.ID, { ...gizmoLine, CostCenter: 'CC-1' });
  out.gizmoLineFetched = await Cart.GetLineItem(gizmoLine.ID);
  out.cartLines = await Cart.ListLineItems({ sortBy: ['ProductID'] });
  out.shipped = await Cart.SetShippingAddress(address('Ship'));
  out.billed = await Cart.SetBillingAddress({ ...address('Bill'), Street1: '2 Bill Ave' });
  out.gratuity = await Cart.Patch({ Gratuity: Number(S.gratuity) });
  // A Shopper's purchase order, without Accepted: accepted when created (docs/payments.md).
  out.payment = await Cart.CreatePayment({ Type: 'PurchaseOrder', Description: 'PO 42' });
  out.cart = await Cart.Get();
  const orderID = out.cart.ID;
  out.validated = (await Cart.Validate()) ?? null;
  out.submitted = await Cart.Submit();
  out.resubmit = await failure(Orders.Submit('Outgoing', orderID));
  out.buyerCancel = await failure(Orders.Cancel('Outgoing', orderID));
  out.afterSubmitCart = await Cart.Get();
  out.mine = ids(await Me.ListOrders());
  const created = new Date(out.submitted.DateCreated).getTime();
  out.mineInRange = ids(await Me.ListOrders({ from: new Date(created - DAY).toISOString(),
    to: new Date(created + DAY).toISOString() }));
  out.mineBeforeRange = ids(await Me.ListOrders({ to: new Date(created - DAY).toISOString() }));
  out.outgoingGet = await Orders.Get('Outgoing', orderID);
  out.outgoingLines = (await LineItems.List('Outgoing', orderID)).Items;

  // More than the stock left: the line goes in, submit refuses it.
  await Cart.CreateLineItem({ ProductID: widget, Quantity: S.widget.stock - S.widget.quantity + 1 });
  out.insufficient = await failure(Cart.Submit());
  out.insufficientValidate = await failure(Cart.Validate());
  const leftover = await Cart.Get();
  await Cart.Delete();
  out.afterDelete = await Cart.Get();
  out.leftoverGone = await failure(Orders.Get('Outgoing', leftover.ID));

  // Orders through /orders: create, patch, save what Get returned, choose it as the cart, delete.
  const draft = await Orders.Create('Outgoing', {});
  out.draft = draft;
  out.patched = await Orders.Patch('Outgoing', draft.ID, { Comments: 'leave at the door', xp: { Gate: '7' } });
  const fetched = await Orders.Get('Outgoing', draft.ID);
  out.saved = await Orders.Save('Outgoing', draft.ID, { ...fetched, Comments: 'ring twice' });
  out.draftValidate = await failure(Orders.Validate('Outgoing', draft.ID));
  await Orders.Create('Outgoing', { ID: id('newer') });
  out.setActive = (await Cart.SetActiveCart(draft.ID)) ?? null;
  out.activeCart = (await Cart.Get()).ID;
  const draftLine = await LineItems.Create('Outgoing', draft.ID, { ProductID: gizmo, Quantity: 1 });
  const home = await Me.CreateAddress({ AddressName: 'Home', Street1: '9 Saved Rd', City: 'Springfield', State: 'IL',
    Zip: '62701', Country: 'US', Shipping: true, Billing: true });
  out.home = home;
  out.draftAddressed = await Orders.Patch('Outgoing', draft.ID, { ShippingAddressID: home.ID, BillingAddressID: home.ID });
  out.draftLineAddressed = await LineItems.Get('Outgoing', draft.ID, draftLine.ID);
  out.draftResaved = await Orders.Save('Outgoing', draft.ID, await Orders.Get('Outgoing', draft.ID));
  out.draftValidated = (await Orders.Validate('Outgoing', draft.ID)) ?? null;
  out.deleted = (await Orders.Delete('Outgoing', draft.ID)) ?? null;
  out.draftGone = await failure(Orders.Get('Outgoing', draft.ID));
  out.activeAfterDelete = (await Cart.Get()).ID;

  // ---------------------------------------------------------------- user B sees none of it
  use(tokenB);
  out.otherGet = await failure(Orders.Get('Outgoing', orderID));
  out.otherLines = await failure(LineItems.List('Outgoing', orderID));
  out.otherMine = ids(await Me.ListOrders());
  out.otherCart = (await Cart.Get()).ID;

  // ---------------------------------------------------------------- the seller
  configure();
  use(admin);
  out.incomingOpen = (await Orders.List('Incoming', { filters: { Status: 'Open' }, pageSize: 100 })).Items
    .filter((o) => o.FromCompanyID === buyerA);
  out.acrossOrders = (await LineItems.ListAcrossOrders('Incoming', {
    filters: { 'Order.DateSubmitted': '>2020-01-01', OrderID: orderID }, sortBy: ['ProductID'],
  })).Items;
  out.completed = await Orders.Complete('Incoming', orderID);
  out.completeAgain = await failure(Orders.Complete('Incoming', orderID));
  out.incomingCompleted = ids(await Orders.List('Incoming', { buyerID: buyerA, filters: { Status: 'Completed' } }));
  out.stock = (await Products.Get(widget)).Inventory.QuantityAvailable;
  out.ids = { orderID, buyerA, buyerB, userA, userB, widget, gizmo, tiered, sale, draft: draft.ID };
  return out;
});
