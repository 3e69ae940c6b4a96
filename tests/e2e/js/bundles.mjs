// A storefront sells a bundle through the official SDK: the seller builds a category tree and a
// bundle (Bundles.*, Catalogs.SaveBundleAssignment, Categories.SaveBundleAssignment) and puts it
// on a subscription and off again (BundleSubscriptionItems.*); a shopper browses the tree
// (Me.ListCategories with depth, Me.ListProducts by categoryID, where the bundle is listed with
// IsBundle), puts the bundle in the cart (Cart.CreateBundleItem), removes one and adds it again,
// keeps a wish list (Me.*ProductCollection*), and submits.
import {
  ApiClients, Auth, BundleSubscriptionItems, Buyers, Bundles, Cart, Catalogs, Categories, Me, PriceSchedules,
  Products, SecurityProfiles, SubscriptionItems, Subscriptions, Users,
} from 'ordercloud-javascript-sdk';
import { ADMIN, RUN, configure, failure, id, ids, run, use } from './lib.mjs';

const PASSWORD = 'Shopper-pass-1234';

run(async () => {
  const out = { run: RUN };
  configure();
  use(await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['FullAccess']));

  // A catalog: gear > {tents, stoves}; a tent ($100) and a stove ($40) sold alone and as a kit.
  const catalog = id('outdoor');
  await Catalogs.Create({ ID: catalog, Name: 'Outdoor', Active: true });
  for (const [name, parent] of [['gear', null], ['tents', 'gear'], ['stoves', 'gear']]) {
    await Categories.Create(catalog, { ID: id(name), Name: name, Active: true, ParentID: parent ? id(parent) : null });
  }
  for (const [name, price, category] of [['tent', 100, 'tents'], ['stove', 40, 'stoves']]) {
    await PriceSchedules.Create({ ID: id(`ps-${name}`), Name: name, Currency: 'USD',
      PriceBreaks: [{ Quantity: 1, Price: price }] });
    await Products.Create({ ID: id(name), Name: name, Active: true, DefaultPriceScheduleID: id(`ps-${name}`) });
    await Catalogs.SaveProductAssignment({ CatalogID: catalog, ProductID: id(name) });
    await Categories.SaveProductAssignment(catalog, { CategoryID: id(category), ProductID: id(name) });
  }
  const kit = await Bundles.Create({ ID: id('camp-kit'), Name: 'Camping kit', Active: true });
  await Bundles.SaveProductAssignment({ BundleID: kit.ID, ProductID: id('tent'), Required: true, DefaultQuantity: 1 });
  await Bundles.SaveProductAssignment({ BundleID: kit.ID, ProductID: id('stove'), Required: false, DefaultQuantity: 2 });
  await Catalogs.SaveBundleAssignment({ CatalogID: catalog, BundleID: kit.ID });
  await Categories.SaveBundleAssignment(catalog, { CategoryID: id('gear'), BundleID: kit.ID, ListOrder: 1 });
  out.bundleProducts = (await Bundles.ListProductAssignments({ bundleID: kit.ID })).Items;
  out.bundlesInGear = ids(await Bundles.List({ catalogID: catalog, categoryID: id('gear') }));

  const buyer = id('campers');
  await Buyers.Create({ ID: buyer, Name: buyer, Active: true, DefaultCatalogID: catalog });
  const user = id('camper');
  await Users.Create(buyer, { ID: user, Username: user, Password: PASSWORD, FirstName: 'C', LastName: 'B',
    Email: `${user}@example.com`, Active: true });
  const profile = id('camper-profile');
  await SecurityProfiles.Create({ ID: profile, Name: 'Shopper', Roles: ['Shopper', 'MeAdmin'] });
  await SecurityProfiles.SaveAssignment({ SecurityProfileID: profile, BuyerID: buyer });
  const storefront = await ApiClients.Create({ AppName: id('camp-store'), Active: true, AccessTokenDuration: 600,
    AllowAnyBuyer: true });
  await Catalogs.SaveAssignment({ CatalogID: catalog, BuyerID: buyer, ViewAllProducts: true, ViewAllCategories: true });

  // The kit on the camper's monthly subscription, then off it again (BundleSubscriptionItems).
  const sub = await Subscriptions.Create({ ID: id('monthly'), Frequency: 1, Interval: 'Months',
    NextOrderDate: '2031-01-01T00:00:00Z', FromUserID: user, FromCompanyID: buyer, Active: true });
  const subItem = await BundleSubscriptionItems.Create(sub.ID, kit.ID, { LineItems: [{ ProductID: id('stove') }] });
  out.subscribed = (await SubscriptionItems.List(sub.ID)).Items
    .map((i) => [i.ProductID, i.Quantity, i.BundleItemID === subItem.ID]).sort();
  await BundleSubscriptionItems.Delete(sub.ID, kit.ID, subItem.BundleItemID);
  out.afterUnsubscribe = (await SubscriptionItems.List(sub.ID)).Meta.TotalCount;

  configure(storefront.ID);
  use(await Auth.Login(user, PASSWORD, storefront.ID, ['Shopper', 'MeAdmin']));
  // The menu: the top level, the whole tree, then the products under a branch.
  out.roots = (await Me.ListCategories({ catalogID: catalog })).Items.map((c) => [c.ID, c.ChildCount]);
  out.tree = ids(await Me.ListCategories({ catalogID: catalog, depth: 'all', sortBy: ['ID'] }));
  const gear = await Me.ListProducts({ catalogID: catalog, categoryID: id('gear'), sortBy: ['Name'] });
  out.gearProducts = ids(gear);
  const listedKit = gear.Items.find((p) => p.ID === kit.ID);
  out.bundleListed = { IsBundle: listedKit.IsBundle, PriceSchedule: listedKit.PriceSchedule };
  out.stovesOnly = ids(await Me.ListProducts({ catalogID: catalog, categoryID: id('stoves'), depth: 1 }));

  // The bundle in the cart: the tent (required) and two stoves (their default quantity).
  const first = await Cart.CreateBundleItem(kit.ID, { LineItems: [{ ProductID: id('stove') }] });
  out.first = { ProductID: first.ProductID, sameItem: first.BundleItemID === first.ID };
  const lines = (await Cart.ListLineItems()).Items;
  out.lines = lines.map((l) => [l.ProductID, l.Quantity, l.UnitPrice, l.BundleItemID === first.ID]).sort();
  out.requiredAlone = await failure(Cart.DeleteLineItem(lines.find((l) => l.ProductID === id('tent')).ID));
  await Cart.DeleteBundleItem(kit.ID, first.BundleItemID);
  out.afterRemove = (await Cart.ListLineItems()).Meta.TotalCount;
  const again = await Cart.CreateBundleItem(kit.ID, { LineItems: [] });
  out.again = [again.ProductID, again.Quantity];
  out.unknown = await failure(Cart.CreateBundleItem(id('nope'), { LineItems: [] }));

  // A wish list of what the shopper may come back for.
  const wish = await Me.CreateProductCollection({ ID: id('wish'), Name: 'Wish list' });
  await Me.CreateProductCollectionEntry(wish.ID, id('stove'));
  await Me.SaveProductCollectionEntry(wish.ID, { ProductID: id('tent'), ListOrder: 0 });
  out.wish = (await Me.ListProductCollectionEntries(wish.ID)).Items.map((p) => [p.ID, p.PriceSchedule.ID]);
  out.collections = ids(await Me.ListProductCollections());

  const submitted = await Cart.Submit();
  out.submitted = { status: submitted.Status, subtotal: submitted.Subtotal, lines: submitted.LineItemCount };
  return out;
});
