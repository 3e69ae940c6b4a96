// A storefront's filter sidebar through the official SDK: the seller declares a product facet
// (ProductFacets.Create) over products whose xp carries a colour; a shopper lists the catalog
// (Me.ListProducts answers Meta.Facets with a count per colour), picks a colour (an xp filter
// narrows the list, and the facet's own counts stay as they were), and picks one no product has.
import {
  ApiClients, Auth, Buyers, Catalogs, Me, PriceSchedules, ProductFacets, Products, SecurityProfiles, Users,
} from 'ordercloud-javascript-sdk';
import { ADMIN, RUN, configure, id, ids, run, use } from './lib.mjs';

const PASSWORD = 'Shopper-pass-1234';
// A path of this run only: other scripts' products and facets on the shared server never count.
const PATH = `Colour_${RUN}`;

const facetOf = (page) => {
  const facet = page.Meta.Facets.find((f) => f.XpPath === PATH);
  return facet ? { name: facet.Name, values: facet.Values.map((v) => [v.Value, v.Count]) } : null;
};

run(async () => {
  const out = { run: RUN };
  configure();
  use(await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['FullAccess']));

  const facet = await ProductFacets.Create({ ID: id('colour'), Name: 'Colour', XpPath: PATH, MinCount: 1 });
  out.facet = [facet.ID, facet.XpPath, facet.MinCount];
  const catalog = id('paints');
  await Catalogs.Create({ ID: catalog, Name: 'Paints', Active: true });
  await PriceSchedules.Create({ ID: id('ps-paint'), Name: 'paint', Currency: 'USD',
    PriceBreaks: [{ Quantity: 1, Price: 12 }] });
  for (const [name, colour] of [['crimson', 'red'], ['scarlet', 'red'], ['navy', 'blue'], ['plain', null]]) {
    await Products.Create({ ID: id(name), Name: name, Active: true, DefaultPriceScheduleID: id('ps-paint'),
      xp: colour ? { [PATH]: colour } : {} });
    await Catalogs.SaveProductAssignment({ CatalogID: catalog, ProductID: id(name) });
  }
  // Outside the shopper's catalog: never counted.
  await Products.Create({ ID: id('hidden'), Name: 'hidden', Active: true, xp: { [PATH]: 'red' } });

  const buyer = id('painters');
  await Buyers.Create({ ID: buyer, Name: buyer, Active: true, DefaultCatalogID: catalog });
  const user = id('painter');
  await Users.Create(buyer, { ID: user, Username: user, Password: PASSWORD, FirstName: 'P', LastName: 'B',
    Email: `${user}@example.com`, Active: true });
  const profile = id('painter-profile');
  await SecurityProfiles.Create({ ID: profile, Name: 'Shopper', Roles: ['Shopper', 'MeAdmin'] });
  await SecurityProfiles.SaveAssignment({ SecurityProfileID: profile, BuyerID: buyer });
  const storefront = await ApiClients.Create({ AppName: id('paint-store'), Active: true, AccessTokenDuration: 600,
    AllowAnyBuyer: true });
  await Catalogs.SaveAssignment({ CatalogID: catalog, BuyerID: buyer, ViewAllProducts: true });

  configure(storefront.ID);
  use(await Auth.Login(user, PASSWORD, storefront.ID, ['Shopper', 'MeAdmin']));
  const all = await Me.ListProducts({ catalogID: catalog, sortBy: ['ID'] });
  out.all = { ids: ids(all), total: all.Meta.TotalCount, facet: facetOf(all) };
  const red = await Me.ListProducts({ catalogID: catalog, sortBy: ['ID'], filters: { [`xp.${PATH}`]: 'red' } });
  out.red = { ids: ids(red), total: red.Meta.TotalCount, facet: facetOf(red) };
  const either = await Me.ListProducts({ catalogID: catalog, filters: { [`xp.${PATH}`]: 'red|blue' } });
  out.either = either.Meta.TotalCount;
  const green = await Me.ListProducts({ catalogID: catalog, filters: { [`xp.${PATH}`]: 'green' } });
  out.green = { ids: ids(green), facet: facetOf(green) };
  const searched = await Me.ListProducts({ catalogID: catalog, search: 'navy' });
  out.searched = facetOf(searched);
  return out;
});
