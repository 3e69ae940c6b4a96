// Order approvals through the official SDK: an approval rule on a buyer, a cart submitted over
// the limit going to AwaitingApproval, the approver finding, reading and approving it (Outgoing:
// the order is from the approver's own company), a non-member refused, and a decline that lets
// the shopper resubmit.
import {
  ApiClients, ApprovalRules, Auth, Buyers, Cart, Me, Orders, PriceSchedules, Products,
  SecurityProfiles, UserGroups, Users,
} from 'ordercloud-javascript-sdk';
import { ADMIN, RUN, configure, failure, id, ids, run, use } from './lib.mjs';

const PASSWORD = 'Shopper-pass-1234';

run(async () => {
  const out = { run: RUN };
  configure();
  use(await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['FullAccess']));

  const buyer = id('buyer');
  const managers = id('managers');
  const shopper = id('shopper');
  const manager = id('manager');
  const product = id('desk');
  await Buyers.Create({ ID: buyer, Name: buyer, Active: true });
  await UserGroups.Create(buyer, { ID: managers, Name: 'Managers' });
  for (const user of [shopper, manager]) {
    await Users.Create(buyer, { ID: user, Username: user, Password: PASSWORD, FirstName: 'F', LastName: 'L',
      Email: `${user}@example.com`, Active: true });
  }
  await UserGroups.SaveUserAssignment(buyer, { UserGroupID: managers, UserID: manager });
  const profile = id('profile');
  await SecurityProfiles.Create({ ID: profile, Name: 'Shopper', Roles: ['Shopper', 'MeAdmin'] });
  await SecurityProfiles.SaveAssignment({ SecurityProfileID: profile, BuyerID: buyer });
  const storefront = await ApiClients.Create({ AppName: id('storefront'), Active: true, AccessTokenDuration: 600, AllowAnyBuyer: true });
  const schedule = id('price');
  await PriceSchedules.Create({ ID: schedule, Name: 'Desk', PriceBreaks: [{ Quantity: 1, Price: 40 }] });
  await Products.Create({ ID: product, Name: 'Desk', Active: true, DefaultPriceScheduleID: schedule,
    Inventory: { Enabled: true, QuantityAvailable: 10 } });
  await Products.SaveAssignment({ ProductID: product, BuyerID: buyer });

  out.badRule = await failure(ApprovalRules.Create(buyer, { ID: id('bad'), ApprovingGroupID: managers, RuleExpression: 'order.Total >' }));
  out.rule = await ApprovalRules.Create(buyer, { ID: id('big'), Name: 'Big orders', ApprovingGroupID: managers,
    RuleExpression: 'order.Total > 100' });
  out.rules = ids(await ApprovalRules.List(buyer));

  const login = async (user) => ({ accessToken: (await Auth.Login(user, PASSWORD, storefront.ID, ['Shopper', 'MeAdmin'])).access_token });
  const asShopper = await login(shopper);
  const asManager = await login(manager);

  // Under the limit: straight to Open.
  await Cart.CreateLineItem({ ProductID: product, Quantity: 2 }, asShopper);
  out.small = await Cart.Submit(asShopper);

  // Over the limit: awaits the managers' approval.
  await Cart.CreateLineItem({ ProductID: product, Quantity: 3 }, asShopper);
  out.big = await Cart.Submit(asShopper);
  const orderID = out.big.ID;
  out.stockWhileAwaiting = (await Products.Get(product)).Inventory.QuantityAvailable;
  out.approvable = ids(await Me.ListApprovableOrders({}, asManager));
  out.approvals = (await Orders.ListApprovals('Outgoing', orderID, {}, asShopper)).Items;
  out.approvers = ids(await Orders.ListEligibleApprovers('Outgoing', orderID, {}, asShopper));
  out.managerReads = (await Orders.Get('Outgoing', orderID, asManager)).Status;
  out.shopperApproves = await failure(Orders.Approve('Outgoing', orderID, { Comments: 'mine' }, asShopper));
  out.approved = await Orders.Approve('Outgoing', orderID, { Comments: 'ok' }, asManager);
  out.stockAfterApproval = (await Products.Get(product)).Inventory.QuantityAvailable;
  out.approvalsAfter = (await Orders.ListApprovals('Outgoing', orderID, {}, asShopper)).Items;

  // Declined with AllowResubmit: back to the shopper, who can resubmit.
  await Cart.CreateLineItem({ ProductID: product, Quantity: 4 }, asShopper);
  const again = await Cart.Submit(asShopper);
  out.declined = await Orders.Decline('Outgoing', again.ID, { Comments: 'split it', AllowResubmit: true }, asManager);
  out.notAwaiting = await failure(Orders.Approve('Outgoing', again.ID, {}, asManager));
  return out;
});
