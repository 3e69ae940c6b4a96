// Promotions through the official SDK: the seller defines a code promotion (assigned to the
// buyer), a line-level one and an auto-applied one; the shopper's cart is refused while it does not
// qualify, then takes all three; totals, lists, eligible promotions, delete, refresh, and the
// redemption count after submit.
import {
  ApiClients, Auth, Buyers, Cart, Me, Orders, PriceSchedules, Products, Promotions, SecurityProfiles, Users,
} from 'ordercloud-javascript-sdk';
import { ADMIN, RUN, configure, failure, id, ids, run, use } from './lib.mjs';

const PASSWORD = 'Promo-pass-1234';

run(async () => {
  const out = { run: RUN };
  configure();
  use(await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['FullAccess']));

  const buyer = id('buyer');
  const shopper = id('shopper');
  const product = id('lamp');
  await Buyers.Create({ ID: buyer, Name: buyer, Active: true });
  await Users.Create(buyer, { ID: shopper, Username: shopper, Password: PASSWORD, FirstName: 'F', LastName: 'L',
    Email: `${shopper}@example.com`, Active: true });
  const profile = id('profile');
  await SecurityProfiles.Create({ ID: profile, Name: 'Shopper', Roles: ['Shopper', 'MeAdmin'] });
  await SecurityProfiles.SaveAssignment({ SecurityProfileID: profile, BuyerID: buyer });
  const storefront = await ApiClients.Create({ AppName: id('storefront'), Active: true, AccessTokenDuration: 600,
    AllowAnyBuyer: true });
  const schedule = id('price');
  await PriceSchedules.Create({ ID: schedule, Name: 'Lamp', PriceBreaks: [{ Quantity: 1, Price: 24.99 }] });
  await Products.Create({ ID: product, Name: 'Lamp', Active: true, DefaultPriceScheduleID: schedule });
  await Products.SaveAssignment({ ProductID: product, BuyerID: buyer });

  const code = `SAVE10${RUN}`.toUpperCase();
  out.badPromo = await failure(Promotions.Create({ Code: id('bad'), EligibleExpression: 'order.Subtotal >',
    ValueExpression: '1' }));
  out.save10 = await Promotions.Create({ ID: id('save10'), Code: code, Name: '10% over 50',
    EligibleExpression: 'order.Subtotal >= 50', ValueExpression: 'order.Subtotal * .1', CanCombine: true });
  await Promotions.SaveAssignment({ PromotionID: out.save10.ID, BuyerID: buyer });
  out.assignments = (await Promotions.ListAssignments({ promotionID: out.save10.ID })).Items;
  out.half = await Promotions.Create({ ID: id('half'), Code: id('half'), LineItemLevel: true,
    EligibleExpression: `item.ProductID = '${product}' and item.Quantity >= 4`,
    ValueExpression: 'item.UnitPrice * 2', CanCombine: true, AllowAllBuyers: true });
  out.auto = await Promotions.Create({ ID: id('auto'), Code: id('auto'), EligibleExpression: 'true',
    ValueExpression: '5', AutoApply: true, Priority: 1, CanCombine: true, AllowAllBuyers: true });

  configure(storefront.ID);
  const asShopper = { accessToken: (await Auth.Login(shopper, PASSWORD, storefront.ID, ['Shopper', 'MeAdmin'])).access_token };
  out.mine = ids(await Me.ListPromotions({}, asShopper)).sort();
  out.mineOne = (await Me.GetPromotion(out.save10.ID, asShopper)).Code;

  const line = await Cart.CreateLineItem({ ProductID: product, Quantity: 1 }, asShopper);
  out.notEligible = await failure(Cart.AddPromotion(code, asShopper));
  await Cart.PatchLineItem(line.ID, { Quantity: 4 }, asShopper);  // 4 x 24.99 = 99.96
  out.added = await Cart.AddPromotion(code, asShopper);
  out.again = await failure(Cart.AddPromotion(code, asShopper));
  out.lineAdded = await Cart.AddPromotion(out.half.Code, asShopper);
  out.applied = await Cart.ApplyPromotions(asShopper);
  out.line = await Cart.GetLineItem(line.ID, asShopper);
  out.listed = (await Cart.ListPromotions({ sortBy: ['ID'] }, asShopper)).Items;
  out.eligible = ids(await Cart.ListEligiblePromotions({}, asShopper)).sort();
  await Cart.DeletePromotion(code, asShopper);
  out.afterDelete = await Cart.Get(asShopper);
  out.refreshed = await Cart.RefreshPromotions(asShopper);
  out.submitted = await Cart.Submit(asShopper);
  out.orderPromotions = (await Orders.ListPromotions('Outgoing', out.submitted.ID, {}, asShopper)).Items;
  out.badStatus = await failure(Orders.AddPromotion('Outgoing', out.submitted.ID, code, asShopper));

  configure();
  out.redemptions = (await Promotions.Get(out.auto.ID)).RedemptionCount;
  return out;
});
