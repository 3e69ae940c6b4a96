// A subscription through the SDK: the seller sets up a buyer user with an email address, a
// product, a `mailto:` message sender for OrderSubmitted, and a weekly subscription already due;
// the server's scheduler places and submits its order (found by SubscriptionID), and the buyer's
// Me.ListSubscriptions shows it ordered. The email is read by the Python side from its SMTP server.
// Then the subscription integration's SDK methods (Save, Get, Patch, Delete) once the order is in.
import {
  Auth, Buyers, Catalogs, MessageSenders, Orders, PriceSchedules, Products, SubscriptionIntegrations, SubscriptionItems,
  Subscriptions, Users,
} from 'ordercloud-javascript-sdk';
import { ADMIN, configure, id, run, use } from './lib.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

run(async () => {
  configure();
  use(await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['FullAccess']));
  const buyerID = id('sub-buyer');
  const userID = id('subscriber');
  await Buyers.Create({ ID: buyerID, Name: 'Subscribers', Active: true });
  await Users.Create(buyerID, {
    ID: userID, Username: userID, FirstName: 'Sub', LastName: 'Scriber', Email: `${userID}@example.com`, Active: true,
  });
  const schedule = await PriceSchedules.Create({ ID: id('ps-coffee'), Name: 'coffee', PriceBreaks: [{ Quantity: 1, Price: 7.5 }] });
  const product = await Products.Create({ ID: id('coffee'), Name: 'Coffee beans', Active: true, DefaultPriceScheduleID: schedule.ID });
  const catalog = await Catalogs.Create({ ID: id('sub-cat'), Name: 'Subscriptions', Active: true });
  await Catalogs.SaveAssignment({ CatalogID: catalog.ID, BuyerID: buyerID, ViewAllProducts: true, ViewAllCategories: true });
  await Catalogs.SaveProductAssignment({ CatalogID: catalog.ID, ProductID: product.ID });
  const senderID = id('mailer');
  await MessageSenders.Create({ ID: senderID, Name: 'Mailer', MessageTypes: ['OrderSubmitted'], URL: 'mailto:', SharedKey: 'k' });
  await MessageSenders.SaveAssignment({ MessageSenderID: senderID, BuyerID: buyerID });

  const subscription = await Subscriptions.Create({
    ID: id('weekly-coffee'), Frequency: 1, Interval: 'Weeks', FromUserID: userID, FromCompanyID: buyerID,
    NextOrderDate: new Date(Date.now() - 60_000).toISOString(), Active: true,
  });
  await SubscriptionItems.Create(subscription.ID, { ProductID: product.ID, Quantity: 2 });
  let orders = { Items: [] };
  for (let i = 0; i < 200 && orders.Items.length === 0; i += 1) {
    await sleep(100);
    orders = await Orders.List('Incoming', { filters: { SubscriptionID: subscription.ID } });
  }
  const after = await Subscriptions.Get(subscription.ID);
  const items = await SubscriptionItems.List(subscription.ID);
  await SubscriptionIntegrations.Save({ ApiClientID: ADMIN.clientID, HashKey: 'k', Active: false, NotificationDays: 2 });
  const patched = await SubscriptionIntegrations.Patch({ NotificationDays: 3 });
  const integration = await SubscriptionIntegrations.Get();
  await SubscriptionIntegrations.Delete();
  let gone = 0;
  try {
    await SubscriptionIntegrations.Get();
  } catch (e) {
    gone = e.status;
  }
  return {
    integration: [integration.ApiClientID, integration.Active, integration.NotificationDays, patched.NotificationDays, gone],
    email: `${userID}@example.com`,
    orders: orders.Items.map((o) => ({ ID: o.ID, Status: o.Status, Subtotal: o.Subtotal, FromUserID: o.FromUser?.ID })),
    items: items.Items.map((item) => [item.ProductID, item.Quantity]),
    lastOrderID: after.LastOrderID,
    advanced: after.NextOrderDate > subscription.NextOrderDate,
  };
});
