// The marketplace flow through the official SDK: a buyer orders from three suppliers and the
// seller, the seller forwards, each supplier sees and ships its own order (partly, then fully),
// the buyer follows the shipments, and its order completes when the seller ships the last line.
import {
  ApiClients, Auth, Buyers, LineItems, Me, Orders, PriceSchedules, Products, SecurityProfiles,
  Shipments, Suppliers, SupplierUsers, Users,
} from 'ordercloud-javascript-sdk';
import { ADMIN, RUN, configure, failure, id, ids, run, use } from './lib.mjs';

const PASSWORD = 'Market-pass-1234';
const SUPPLIERS = ['a', 'b', 'c'];
const QUANTITY = { a: 2, b: 3, c: 1, own: 1 };

const person = (name) => ({
  ID: id(name), Username: id(name), Password: PASSWORD, FirstName: name, LastName: 'Tester',
  Email: `${name}@example.com`, Active: true,
});

run(async () => {
  const out = { run: RUN };
  configure();
  const admin = await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['FullAccess']);
  use(admin);
  const asSeller = { accessToken: admin.access_token };

  // The buyer, its shopper, the suppliers and their users, a catalog.
  const buyer = await Buyers.Create({ ID: id('mbuyer'), Name: 'Market buyer', Active: true });
  const shopper = await Users.Create(buyer.ID, person('mshopper'));
  const shopperProfile = await SecurityProfiles.Create({ ID: id('mshop'), Name: 'Shoppers', Roles: ['Shopper', 'MeAdmin'] });
  await SecurityProfiles.SaveAssignment({ SecurityProfileID: shopperProfile.ID, BuyerID: buyer.ID });
  const vendorProfile = await SecurityProfiles.Create({
    ID: id('mvendor'), Name: 'Fulfilment', Roles: ['OrderAdmin', 'OrderReader', 'ShipmentAdmin', 'MeAdmin'],
  });
  const schedule = await PriceSchedules.Create({ ID: id('mprice'), Name: 'Ten', PriceBreaks: [{ Quantity: 1, Price: 10 }] });
  const suppliers = {};
  for (const key of SUPPLIERS) {
    const supplier = await Suppliers.Create({ ID: id(`msup-${key}`), Name: `Supplier ${key}`, Active: true });
    const user = await SupplierUsers.Create(supplier.ID, person(`mvendor-${key}`));
    await SecurityProfiles.SaveAssignment({ SecurityProfileID: vendorProfile.ID, SupplierID: supplier.ID });
    suppliers[key] = { id: supplier.ID, user: user.Username };
  }
  const products = {};
  for (const key of [...SUPPLIERS, 'own']) {
    const product = await Products.Create({
      ID: id(`mprod-${key}`), Name: `Product ${key}`, Active: true, DefaultPriceScheduleID: schedule.ID,
      DefaultSupplierID: key === 'own' ? null : suppliers[key].id,
    });
    await Products.SaveAssignment({ ProductID: product.ID, BuyerID: buyer.ID });
    products[key] = product.ID;
  }
  const client = await ApiClients.Create({
    AppName: id('market'), Active: true, AccessTokenDuration: 600, AllowAnyBuyer: true, AllowAnySupplier: true,
  });

  // The buyer orders one line of each product and submits.
  const shopperToken = await Auth.Login(shopper.Username, PASSWORD, client.ID, ['Shopper', 'MeAdmin']);
  const asShopper = { accessToken: shopperToken.access_token };
  const order = await Orders.Create('Outgoing', { ID: id('morder') }, asShopper);
  for (const key of Object.keys(QUANTITY)) {
    await LineItems.Create('Outgoing', order.ID, { ID: `line-${key}`, ProductID: products[key], Quantity: QUANTITY[key] }, asShopper);
  }
  out.submitted = await Orders.Submit('Outgoing', order.ID, asShopper);

  // The seller forwards.
  out.forward = await Orders.Forward('Incoming', order.ID, asSeller);
  out.forwardAgain = await Orders.Forward('Incoming', order.ID, asSeller);
  out.splitOutgoing = await failure(Orders.Split('Outgoing', order.ID, asSeller));
  out.deleteForwarded = await failure(Orders.Delete('Incoming', order.ID, asSeller));
  out.sellerLinks = Object.fromEntries((await LineItems.List('Incoming', order.ID, {}, asSeller)).Items
    .map((line) => [line.ID, line.OutgoingOrderID]));
  out.buyerLinks = (await LineItems.List('Outgoing', order.ID, {}, asShopper)).Items.map((line) => line.OutgoingOrderID);

  // Each supplier sees only its order, and ships it: part first, then the rest.
  out.suppliers = {};
  const now = () => new Date().toISOString();
  for (const key of SUPPLIERS) {
    const token = await Auth.Login(suppliers[key].user, PASSWORD, client.ID);
    const asVendor = { accessToken: token.access_token };
    const incoming = await Orders.List('Incoming', {}, asVendor);
    const outgoingID = incoming.Items[0]?.ID;
    const seen = { incoming: ids(incoming), supplierID: suppliers[key].id };
    const lines = await LineItems.List('Incoming', outgoingID, {}, asVendor);
    seen.lines = lines.Items.map((line) => [line.ID, line.Quantity, line.IncomingOrderID]);
    let left = QUANTITY[key];
    let n = 0;
    while (left > 0) {
      n += 1;
      const part = left > 1 ? 1 : left;
      const shipment = await Shipments.Create({ ID: id(`mship-${key}-${n}`), Shipper: 'UPS', TrackingNumber: `T-${key}-${n}` }, asVendor);
      seen.item = await Shipments.SaveItem(shipment.ID, { OrderID: outgoingID, LineItemID: `line-${key}`, QuantityShipped: part }, asVendor);
      await Shipments.Patch(shipment.ID, { DateShipped: now() }, asVendor);
      left -= part;
      if (n === 1) {
        seen.buyerAfterFirst = (await LineItems.Get('Outgoing', order.ID, `line-${key}`, asShopper)).QuantityShipped;
        seen.exceeded = await failure(Shipments.SaveItem(shipment.ID, { OrderID: outgoingID, LineItemID: `line-${key}`, QuantityShipped: 10 }, asVendor));
      }
    }
    seen.shipments = n;
    seen.afterCompletion = await failure(Shipments.SaveItem(id(`mship-${key}-1`), { OrderID: outgoingID, LineItemID: `line-${key}`, QuantityShipped: 1 }, asVendor));
    seen.status = (await Orders.Get('Incoming', outgoingID, asVendor)).Status;
    seen.otherOrders = ids(await Shipments.List({}, asVendor)).length;
    out.suppliers[key] = seen;
  }

  // The buyer follows the shipments; its order waits for the seller's own line.
  out.buyerStatusBeforeSeller = (await Orders.Get('Outgoing', order.ID, asShopper)).Status;
  out.meShipments = ids(await Me.ListShipments({ sortBy: ['ID'] }, asShopper));
  out.meShipmentsForOrder = ids(await Me.ListShipments({ orderID: order.ID }, asShopper));
  out.meShipment = await Me.GetShipment(id('mship-a-1'), asShopper);
  out.meItems = (await Me.ListShipmentItems(id('mship-a-1'), {}, asShopper)).Items;

  // The seller ships the remaining line.
  out.shipped = await Orders.Ship('Incoming', order.ID, {}, asSeller);
  out.final = await Orders.Get('Outgoing', order.ID, asShopper);
  out.orderShipments = ids(await Orders.ListShipments('Outgoing', order.ID, {}, asShopper));
  out.finalLines = (await LineItems.List('Outgoing', order.ID, {}, asShopper)).Items.map((line) => [line.ID, line.QuantityShipped]);
  out.ids = { order: order.ID, suppliers: Object.fromEntries(SUPPLIERS.map((k) => [k, suppliers[k].id])) };
  return out;
});
