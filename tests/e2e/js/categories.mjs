// A category tree through the official SDK: the seller builds it (Categories.*), and a shopper
// browses it the way a storefront menu does (Me.ListCategories level by level, Me.GetCategory,
// Me.ListProducts by category and depth).
import {
  ApiClients, Auth, Buyers, Catalogs, Categories, Me, Products, SecurityProfiles, UserGroups, Users,
} from 'ordercloud-javascript-sdk';
import { ADMIN, RUN, configure, failure, id, ids, run, use } from './lib.mjs';

const PASSWORD = 'Shopper-pass-1234';

run(async () => {
  const out = { run: RUN };
  configure();
  use(await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['FullAccess']));

  // The seller: a catalog with clothing > {shirts > tees, pants} and shoes.
  const catalog = id('shop');
  await Catalogs.Create({ ID: catalog, Name: 'Shop', Active: true });
  const cat = (name) => `${name}-${RUN}`;
  for (const [name, parent, order] of [['clothing', null, 1], ['shoes', null, 2], ['shirts', 'clothing', 1],
    ['pants', 'clothing', 2], ['tees', 'shirts', 1], ['secret', null, 3]]) {
    await Categories.Create(catalog, { ID: cat(name), Name: name, ListOrder: order, Active: true,
      ParentID: parent ? cat(parent) : null });
  }
  for (const [product, category] of [['tee', 'tees'], ['shirt', 'shirts'], ['jeans', 'pants'], ['boot', 'shoes']]) {
    await Products.Create({ ID: id(product), Name: product, Active: true });
    await Catalogs.SaveProductAssignment({ CatalogID: catalog, ProductID: id(product) });
    await Categories.SaveProductAssignment(catalog, { CategoryID: cat(category), ProductID: id(product), ListOrder: 1 });
  }
  out.adminRoots = ids(await Categories.List(catalog));
  out.adminAll = (await Categories.List(catalog, { depth: 'all' })).Meta.TotalCount;
  out.clothing = await Categories.Get(catalog, cat('clothing'));
  out.badDepth = await failure(Categories.List(catalog, { depth: 'zero' }));
  out.cycle = await failure(Categories.Patch(catalog, cat('clothing'), { ParentID: cat('tees') }));

  // A buyer that sees the catalog with every category but `secret`, and one shopper.
  const buyer = id('buyer');
  await Buyers.Create({ ID: buyer, Name: buyer, Active: true, DefaultCatalogID: catalog });
  await UserGroups.Create(buyer, { ID: id('staff'), Name: 'Staff' });
  const user = id('shopper');
  await Users.Create(buyer, { ID: user, Username: user, Password: PASSWORD, FirstName: 'S', LastName: 'B',
    Email: `${user}@example.com`, Active: true });
  const profile = id('shopper-profile');
  await SecurityProfiles.Create({ ID: profile, Name: 'Shopper', Roles: ['Shopper', 'MeAdmin'] });
  await SecurityProfiles.SaveAssignment({ SecurityProfileID: profile, BuyerID: buyer });
  const storefront = await ApiClients.Create({ AppName: id('storefront'), Active: true, AccessTokenDuration: 600,
    AllowAnyBuyer: true });
  await Catalogs.SaveAssignment({ CatalogID: catalog, BuyerID: buyer, ViewAllProducts: true, ViewAllCategories: true });
  await Categories.SaveAssignment(catalog, { CategoryID: cat('secret'), BuyerID: buyer, Visible: false });
  out.categoryAssignments = (await Categories.ListAssignments(catalog, { buyerID: buyer })).Items;
  out.productAssignments = (await Categories.ListProductAssignments(catalog, { categoryID: cat('tees') })).Items;

  // The shopper browses: top level, then down one branch, then the products under it.
  const token = (await Auth.Login(user, PASSWORD, storefront.ID, ['Shopper'])).access_token;
  const as = { accessToken: token };
  const roots = await Me.ListCategories({}, as);
  out.roots = roots.Items.map((c) => [c.ID, c.ChildCount]);
  out.children = ids(await Me.ListCategories({ catalogID: catalog, filters: { ParentID: cat('clothing') } }, as));
  out.grandchildren = ids(await Me.ListCategories({ filters: { ParentID: cat('shirts') } }, as));
  out.everything = (await Me.ListCategories({ depth: 'all' }, as)).Meta.TotalCount;
  out.tees = await Me.GetCategory(cat('tees'), { catalogID: catalog }, as);
  out.secret = await failure(Me.GetCategory(cat('secret'), { catalogID: catalog }, as));
  const byCategory = (categoryID, extra = {}) =>
    Me.ListProducts({ catalogID: catalog, categoryID, sortBy: ['Name'], ...extra }, as);
  out.clothingProducts = ids(await byCategory(cat('clothing')));
  out.shirtsOnly = ids(await byCategory(cat('shirts'), { depth: 1 }));
  out.pantsProducts = ids(await byCategory(cat('pants')));
  out.withProduct = ids(await Me.ListCategories({ productID: id('boot'), depth: 'all' }, as));

  // The seller renames a branch and deletes another; the shopper's menu follows.
  use(await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['FullAccess']));
  await Categories.Patch(catalog, cat('shirts'), { ID: cat('tops') });
  await Categories.Delete(catalog, cat('pants'));
  out.afterChanges = ids(await Me.ListCategories({ filters: { ParentID: cat('clothing') } }, as));
  out.renamedProducts = ids(await byCategory(cat('tops')));
  out.catalogCount = (await Catalogs.Get(catalog)).CategoryCount;
  return out;
});
