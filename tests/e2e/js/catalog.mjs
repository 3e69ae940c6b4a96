// The catalog through the official SDK: price schedules and breaks, products, catalogs,
// assignments at buyer and user-group level, specs and generated variants, inventory records, and
// what two buyers' users see on /me/products.
import {
  ApiClients, Auth, Buyers, Catalogs, InventoryRecords, Me, PriceSchedules, Products,
  SecurityProfiles, Specs, UserGroups, Users, AdminAddresses,
} from 'ordercloud-javascript-sdk';
import { ADMIN, RUN, configure, failure, id, ids, run, use } from './lib.mjs';

const PASSWORD = 'Shopper-pass-1234';

run(async () => {
  const out = { run: RUN };
  configure();
  use(await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['FullAccess']));

  // Price schedules: created, a break added and replaced, a bad one refused.
  const list = id('list');
  await PriceSchedules.Create({ ID: list, Name: 'List', Currency: 'USD', PriceBreaks: [{ Quantity: 1, Price: 20 }] });
  await PriceSchedules.SavePriceBreak(list, { Quantity: 10, Price: 18 });
  out.schedule = await PriceSchedules.SavePriceBreak(list, { Quantity: 10, Price: 17.5 });
  out.badSchedule = await failure(PriceSchedules.Create({ ID: id('bad'), Name: 'Bad', MinQuantity: 5, MaxQuantity: 2,
    PriceBreaks: [{ Quantity: 1, Price: 1 }] }));
  out.missingSchedule = await failure(PriceSchedules.DeletePriceBreak(id('bad-missing'), { quantity: 1 }));
  const priceA = id('price-a');
  const priceVip = id('price-vip');
  const priceB = id('price-b');
  for (const [sid, price] of [[priceA, 15], [priceVip, 12.5], [priceB, 18]]) {
    await PriceSchedules.Create({ ID: sid, Name: sid, PriceBreaks: [{ Quantity: 1, Price: price }] });
  }

  // Products, one inactive, one reached only through a catalog.
  const widget = id('widget');
  const gadget = id('gadget');
  const retired = id('retired');
  out.createdProduct = await Products.Create({ ID: widget, Name: 'Widget', Active: true, DefaultPriceScheduleID: list,
    Inventory: { Enabled: true, QuantityAvailable: 5 }, xp: { Color: 'blue' } });
  await Products.Create({ ID: gadget, Name: 'Gadget', Active: true, DefaultPriceScheduleID: list });
  await Products.Create({ ID: retired, Name: 'Retired', Active: false, DefaultPriceScheduleID: list });
  out.notFound = await failure(Products.Get(id('missing')));
  out.duplicate = await failure(Products.Create({ ID: widget, Name: 'again' }));

  // Specs and variants.
  const size = id('size');
  await Specs.Create({ ID: size, Name: 'Size', DefinesVariant: true });
  await Specs.CreateOption(size, { ID: 'S', Value: 'Small' });
  await Specs.CreateOption(size, { ID: 'L', Value: 'Large', PriceMarkupType: 'AmountPerQuantity', PriceMarkup: 2 });
  await Specs.SaveProductAssignment({ SpecID: size, ProductID: widget });
  out.generated = await Products.GenerateVariants(widget, {}, { overwriteExisting: true });
  out.variants = ids(await Products.ListVariants(widget, { sortBy: ['ID'] }));

  // Stock at the marketplace's warehouse.
  const warehouse = id('wh');
  await AdminAddresses.Create({ ID: warehouse, Street1: '1 Main St', City: 'Town', State: 'MN', Zip: '55555', Country: 'US' });
  out.record = await InventoryRecords.Create(widget, { ID: id('rec'), AddressID: warehouse, QuantityAvailable: 4, AllowAllBuyers: true });

  // Two buyers, a VIP group, a storefront client, the Shopper role.
  const buyerA = id('buyer-a');
  const buyerB = id('buyer-b');
  const vip = id('vip');
  for (const buyer of [buyerA, buyerB]) await Buyers.Create({ ID: buyer, Name: buyer, Active: true });
  await UserGroups.Create(buyerA, { ID: vip, Name: 'VIP' });
  const users = { alice: [buyerA, id('alice')], victor: [buyerA, id('victor')], bob: [buyerB, id('bob')] };
  for (const [buyer, user] of Object.values(users)) {
    await Users.Create(buyer, { ID: user, Username: user, Password: PASSWORD, FirstName: 'F', LastName: 'L',
      Email: `${user}@example.com`, Active: true });
  }
  await UserGroups.SaveUserAssignment(buyerA, { UserGroupID: vip, UserID: users.victor[1] });
  const profile = id('shopper');
  await SecurityProfiles.Create({ ID: profile, Name: 'Shopper', Roles: ['Shopper', 'MeAdmin'] });
  for (const buyer of [buyerA, buyerB]) await SecurityProfiles.SaveAssignment({ SecurityProfileID: profile, BuyerID: buyer });
  const storefront = await ApiClients.Create({ AppName: id('storefront'), Active: true, AccessTokenDuration: 600, AllowAnyBuyer: true });

  // Assignments: buyer level, user-group level, and a catalog for buyer B.
  await Products.SaveAssignment({ ProductID: widget, BuyerID: buyerA, PriceScheduleID: priceA });
  await Products.SaveAssignment({ ProductID: widget, BuyerID: buyerA, UserGroupID: vip, PriceScheduleID: priceVip });
  await Products.SaveAssignment({ ProductID: retired, BuyerID: buyerA });
  await Products.SaveAssignment({ ProductID: widget, BuyerID: buyerB, PriceScheduleID: priceB });
  const catalog = id('cat');
  await Catalogs.Create({ ID: catalog, Name: 'B catalog', Active: true });
  await Catalogs.SaveAssignment({ CatalogID: catalog, BuyerID: buyerB, ViewAllProducts: true, ViewAllCategories: true });
  await Catalogs.SaveProductAssignment({ CatalogID: catalog, ProductID: gadget });
  out.assignments = (await Products.ListAssignments({ productID: widget })).Items;

  // Each buyer user's storefront.
  out.storefront = {};
  for (const [name, [, user]] of Object.entries(users)) {
    const token = await Auth.Login(user, PASSWORD, storefront.ID, ['Shopper']);
    const opts = { accessToken: token.access_token };
    const page = await Me.ListProducts({ sortBy: ['Name'] }, opts);
    out.storefront[name] = page.Items.map((p) => [p.ID, p.PriceSchedule?.ID ?? null, p.PriceSchedule?.PriceBreaks?.[0]?.Price ?? null]);
    out.storefront[`${name}Catalogs`] = ids(await Me.ListCatalogs({}, opts));
    out.storefront[`${name}Retired`] = await failure(Me.GetProduct(retired, {}, opts));
  }
  const bobToken = (await Auth.Login(users.bob[1], PASSWORD, storefront.ID, ['Shopper'])).access_token;
  out.meVariants = ids(await Me.ListVariants(widget, { sortBy: ['ID'] }, { accessToken: bobToken }));
  out.meSpecs = (await Me.ListSpecs(widget, {}, { accessToken: bobToken })).Items.map((s) => [s.ID, s.OptionCount]);
  out.meSearch = ids(await Me.ListProducts({ search: 'Gadget' }, { accessToken: bobToken }));
  return out;
});
