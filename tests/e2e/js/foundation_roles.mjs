// The rest of the foundation, which needs API clients, security-profile assignments and /me:
// an admin sets up a buyer and a supplier, then their users sign in and see only their own.
import { Auth, ApiClients, Buyers, Me, SecurityProfiles, Suppliers, SupplierUsers, Users } from 'ordercloud-javascript-sdk';
import { ADMIN, claims, configure, failure, id, ids, run, use } from './lib.mjs';

const PASSWORD = 'Pending-pass-123';

const person = (name, extra = {}) => ({
  ID: id(name), Username: id(name), Password: PASSWORD, FirstName: name, LastName: 'Tester',
  Email: `${name}@example.com`, Active: true, ...extra,
});

run(async () => {
  const out = {};
  configure();
  use(await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['FullAccess']));

  const buyer = await Buyers.Create({ ID: id('buyer'), Name: 'Pending buyer' });
  const other = await Buyers.Create({ ID: id('other'), Name: 'Other buyer' });
  const shopper = await Users.Create(buyer.ID, person('shopper'));
  const manager = await Users.Create(buyer.ID, person('manager'));
  const stranger = await Users.Create(other.ID, person('stranger'));

  const shopperProfile = await SecurityProfiles.Create({
    ID: id('shop-profile'), Name: 'Shoppers', Roles: ['Shopper', 'MeAdmin', 'MeAddressAdmin'],
  });
  await SecurityProfiles.SaveAssignment({ SecurityProfileID: shopperProfile.ID, BuyerID: buyer.ID });
  const managerProfile = await SecurityProfiles.Create({
    ID: id('manager-profile'), Name: 'Buyer user readers', Roles: ['BuyerUserReader'],
  });
  await SecurityProfiles.SaveAssignment({
    SecurityProfileID: managerProfile.ID, BuyerID: buyer.ID, UserID: manager.ID,
  });

  const supplier = await Suppliers.Create({ ID: id('supplier'), Name: 'Pending supplier' });
  const otherSupplier = await Suppliers.Create({ ID: id('supplier2'), Name: 'Other supplier' });
  const vendor = await SupplierUsers.Create(supplier.ID, person('vendor'));
  const supplierProfile = await SecurityProfiles.Create({
    ID: id('supplier-profile'), Name: 'Supplier staff', Roles: ['MeAdmin', 'SupplierUserReader'],
  });
  await SecurityProfiles.SaveAssignment({ SecurityProfileID: supplierProfile.ID, SupplierID: supplier.ID });

  const client = await ApiClients.Create({
    AppName: `storefront ${id('app')}`, AccessTokenDuration: 600, Active: true,
    AllowAnyBuyer: true, AllowAnySupplier: true, AllowSeller: false,
  });
  out.client = { id: client.ID, allowAnyBuyer: client.AllowAnyBuyer, allowAnySupplier: client.AllowAnySupplier };

  // A buyer user with the buyer-level profile.
  configure(client.ID);
  const shopperToken = await Auth.Login(shopper.Username, PASSWORD, client.ID, ['Shopper', 'MeAdmin']);
  use(shopperToken);
  const shopperClaims = claims(shopperToken);
  out.shopper = {
    usrtype: shopperClaims.usrtype,
    roles: [].concat(shopperClaims.role).sort(),
    me: await Me.Get(),
    listBuyers: await failure(Buyers.List()),
    otherBuyersUser: await failure(Users.Get(other.ID, stranger.ID)),
  };

  // A buyer user with its own profile on top: reads its company's users, not another's.
  use(await Auth.Login(manager.Username, PASSWORD, client.ID));
  out.manager = {
    ownUsers: ids(await Users.List(buyer.ID, { sortBy: ['ID'] })),
    otherBuyersUser: await failure(Users.Get(other.ID, stranger.ID)),
    otherBuyersUsers: await failure(Users.List(other.ID)),
  };

  // A supplier user.
  const vendorToken = await Auth.Login(vendor.Username, PASSWORD, client.ID);
  use(vendorToken);
  out.vendor = {
    usrtype: claims(vendorToken).usrtype,
    roles: [].concat(claims(vendorToken).role).sort(),
    me: await Me.Get(),
    ownUsers: ids(await SupplierUsers.List(supplier.ID)),
    otherSuppliersUsers: await failure(SupplierUsers.List(otherSupplier.ID)),
    listBuyers: await failure(Buyers.List()),
    buyersUsers: await failure(Users.List(buyer.ID)),
  };

  out.wrongPassword = await failure(Auth.Login(shopper.Username, 'wrong-password', client.ID));
  out.buyerOnAdminClient = await failure(Auth.Login(shopper.Username, PASSWORD, ADMIN.clientID));
  out.ids = { buyer: buyer.ID, supplier: supplier.ID, shopper: shopper.ID, manager: manager.ID, vendor: vendor.ID };
  return out;
});
