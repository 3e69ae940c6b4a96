// A group order through the official SDK: a buyer user opens an order and invites others with
// Me.CreateGroupOrderInvitation; a second user of the same buyer takes a token with
// GroupOrders.GetToken and adds a line with it; the owner sees every line and submits; the
// refusals (the invitee submitting, another buyer's user asking for a token, the token after the
// submit) come back as OrderCloudError with their errorCode.
import {
  ApiClients, Auth, Buyers, GroupOrders, LineItems, Me, Orders, PriceSchedules, Products, SecurityProfiles, Users,
} from 'ordercloud-javascript-sdk';
import { ADMIN, claims, configure, failure, id, run, use } from './lib.mjs';

const PASSWORD = 'Group-order-pass-1234';
const ROLES = ['Shopper', 'MeAdmin'];
const HOUR = 60 * 60 * 1000;

run(async () => {
  configure();
  use(await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['FullAccess']));
  const schedule = await PriceSchedules.Create({ ID: id('ps-sandwich'), Name: 'sandwich', PriceBreaks: [{ Quantity: 1, Price: 6 }] });
  const sandwich = await Products.Create({ ID: id('sandwich'), Name: 'Sandwich', Active: true, DefaultPriceScheduleID: schedule.ID });
  const buyerA = id('office');
  const buyerB = id('elsewhere');
  const [owner, friend, outsider] = [id('owner'), id('friend'), id('outsider')];
  for (const [buyer, users] of [[buyerA, [owner, friend]], [buyerB, [outsider]]]) {
    await Buyers.Create({ ID: buyer, Name: buyer, Active: true });
    for (const user of users) {
      await Users.Create(buyer, { ID: user, Username: user, Password: PASSWORD, FirstName: 'F', LastName: 'L',
        Email: `${user}@example.com`, Active: true });
    }
    await Products.SaveAssignment({ ProductID: sandwich.ID, BuyerID: buyer });
  }
  const profile = id('group-shopper');
  await SecurityProfiles.Create({ ID: profile, Name: 'Shopper', Roles: ROLES });
  for (const buyer of [buyerA, buyerB]) await SecurityProfiles.SaveAssignment({ SecurityProfileID: profile, BuyerID: buyer });
  const storefront = await ApiClients.Create({ AppName: id('lunch'), Active: true, AccessTokenDuration: 600, AllowAnyBuyer: true });
  configure(storefront.ID);
  const login = async (user) => (await Auth.Login(user, PASSWORD, storefront.ID, ROLES)).access_token;
  const [ownerToken, friendToken, outsiderToken] = [await login(owner), await login(friend), await login(outsider)];

  // The owner's order, one line of its own, and an invitation to it.
  use(ownerToken);
  const order = await Orders.Create('Outgoing', {});
  await LineItems.Create('Outgoing', order.ID, { ProductID: sandwich.ID, Quantity: 1 });
  const invitation = await Me.CreateGroupOrderInvitation({
    OrderID: order.ID, Name: 'Friday lunch', ExpirationDate: new Date(Date.now() + HOUR).toISOString(),
  });
  const listed = await Me.ListGroupOrderInvitations();
  const renamed = await Me.PatchGroupOrderInvitation(invitation.ID, { Name: 'Team lunch' });

  // The friend joins with the invitation and adds two sandwiches.
  const groupToken = await GroupOrders.GetToken(invitation.ID, { accessToken: friendToken });
  use(groupToken.access_token);
  const friendLine = await LineItems.Create('Outgoing', order.ID, { ProductID: sandwich.ID, Quantity: 2 });
  const friendSees = await LineItems.List('Outgoing', order.ID);
  const friendSubmit = await failure(Orders.Submit('Outgoing', order.ID));
  const outsiderToken_ = await failure(GroupOrders.GetToken(invitation.ID, { accessToken: outsiderToken }));

  // The owner sees every line and submits; the group token is dead after it.
  use(ownerToken);
  const ownerSees = await LineItems.List('Outgoing', order.ID);
  const submitted = await Orders.Submit('Outgoing', order.ID);
  const afterSubmit = await failure(LineItems.List('Outgoing', order.ID, {}, { accessToken: groupToken.access_token }));
  const shown = await Me.GetGroupOrderInvitation(invitation.ID);
  await Me.DeleteGroupOrderInvitation(invitation.ID);
  const gone = await failure(Me.GetGroupOrderInvitation(invitation.ID));
  return {
    invitation: { ID: invitation.ID, OrderID: invitation.OrderID, OrderStatus: invitation.OrderStatus },
    listed: listed.Items.map((i) => i.ID),
    renamed: renamed.Name,
    groupClaims: { orderid: claims(groupToken).orderid, role: claims(groupToken).role, u: claims(groupToken).u },
    friend,
    orderID: order.ID,
    friendLine: { InvitationID: friendLine.InvitationID, Quantity: friendLine.Quantity },
    friendSees: friendSees.Items.map((li) => [li.Quantity, li.InvitationID]),
    ownerSees: ownerSees.Items.map((li) => [li.Quantity, li.InvitationID]).sort(),
    friendSubmit,
    outsider: outsiderToken_,
    submitted: { Status: submitted.Status, Subtotal: submitted.Subtotal, LineItemCount: submitted.LineItemCount },
    afterSubmit,
    shownStatus: shown.OrderStatus,
    gone,
  };
});
