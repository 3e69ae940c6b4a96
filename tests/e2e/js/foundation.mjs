// The foundation through the official SDK: admin sign-in (client credentials and password),
// buyers, buyer users, suppliers and supplier users, list options, and the SDK's error mapping.
import { Auth, Buyers, Users, Suppliers, SupplierUsers, Certs, Tokens } from 'ordercloud-javascript-sdk';
import { ADMIN, claims, configure, failure, id, ids, run, use } from './lib.mjs';

run(async () => {
  const out = {};
  configure();

  const cc = await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['FullAccess']);
  use(cc);
  out.clientCredentials = { tokenType: cc.token_type, expiresIn: cc.expires_in, claims: claims(cc) };
  const login = await Auth.Login(ADMIN.username, ADMIN.password, ADMIN.clientID, ['BuyerAdmin', 'SupplierAdmin']);
  out.passwordLogin = { roles: claims(login).role, usrtype: claims(login).usrtype };

  // Buyers with xp of mixed types, then list options through the SDK's own encoding.
  const buyers = [
    { ID: id('acme'), Name: `Acme ${id('x')}`, xp: { Tier: 2, Region: 'North', Flags: { Vip: true } } },
    { ID: id('bolt'), Name: `Bolt ${id('x')}`, xp: { Tier: 1, Region: 'South', Flags: { Vip: false } } },
    { ID: id('cobalt'), Name: `Cobalt ${id('x')}`, xp: { Tier: 3, Region: 'North|East' } },
    { ID: id('dune'), Name: `Dune ${id('x')}`, Active: false },
  ];
  for (const buyer of buyers) await Buyers.Create(buyer);
  out.createdBuyer = await Buyers.Get(buyers[0].ID);
  const mine = { search: id('x'), searchOn: ['Name'] };
  out.lists = {
    tier2: ids(await Buyers.List({ ...mine, filters: { xp: { Tier: 2 } } })),
    tierAbove1: ids(await Buyers.List({ ...mine, filters: { 'xp.Tier': '>1' }, sortBy: ['ID'] })),
    tier1or3: ids(await Buyers.List({ ...mine, filters: { 'xp.Tier': '1|3' }, sortBy: ['ID'] })),
    tierRange: ids(await Buyers.List({ ...mine, filters: { 'xp.Tier': ['>=2', '<3'] } })),
    vip: ids(await Buyers.List({ ...mine, filters: { xp: { Flags: { Vip: true } } } })),
    notVipOrNone: ids(await Buyers.List({ ...mine, filters: { 'xp.Flags.Vip': '!true' }, sortBy: ['ID'] })),
    noXp: ids(await Buyers.List({ ...mine, filters: { 'xp.Tier': '!*' } })),
    escapedPipe: ids(await Buyers.List({ ...mine, filters: { 'xp.Region': 'North\\|East' } })),
    inactive: ids(await Buyers.List({ ...mine, filters: { Active: false } })),
    search: ids(await Buyers.List({ search: `Cobalt ${id('x')}`, searchType: 'ExactPhrase' })),
    nameDesc: ids(await Buyers.List({ ...mine, sortBy: ['!Name'] })),
    wildcard: ids(await Buyers.List({ ...mine, filters: { Name: 'B*' } })),
  };
  const page2 = await Buyers.List({ ...mine, sortBy: ['ID'], page: 2, pageSize: 3 });
  out.page2 = { ids: ids(page2), meta: page2.Meta };
  out.badPageSize = await failure(Buyers.List({ pageSize: 101 }));
  out.badSort = await failure(Buyers.List({ sortBy: ['Nope'] }));
  out.badFilter = await failure(Buyers.List({ filters: { Nope: 1 } }));

  // Patch merges xp; Save replaces; NotFound is the SDK's "{type} {id} not found".
  out.patched = await Buyers.Patch(buyers[0].ID, { xp: { Region: 'West' } });
  out.notFound = await failure(Buyers.Get(id('missing')));
  out.duplicate = await failure(Buyers.Create({ ID: buyers[0].ID, Name: 'again' }));

  // Buyer users: the password is write-only; usernames are unique across the marketplace.
  const user = {
    ID: id('ann'), Username: id('ann'), Password: 'Ann-pass-1234', FirstName: 'Ann', LastName: 'Able',
    Email: 'ann@example.com', Active: true, xp: { Team: 'Red' },
  };
  out.createdUser = await Users.Create(buyers[0].ID, user);
  await Users.Create(buyers[0].ID, { ...user, ID: id('bob'), Username: id('bob'), FirstName: 'Bob', xp: { Team: 'Blue' } });
  out.users = {
    all: ids(await Users.List(buyers[0].ID, { sortBy: ['!FirstName'] })),
    red: ids(await Users.List(buyers[0].ID, { filters: { xp: { Team: 'Red' } } })),
    search: ids(await Users.List(buyers[0].ID, { search: 'bob', searchOn: ['FirstName'] })),
    otherBuyer: ids(await Users.List(buyers[1].ID)),
  };
  out.duplicateUsername = await failure(Users.Create(buyers[1].ID, { ...user, ID: id('ann2') }));
  out.userInWrongBuyer = await failure(Users.Get(buyers[1].ID, user.ID));

  // Suppliers and their users.
  const supplier = await Suppliers.Create({ ID: id('sup'), Name: 'Supplies Inc', xp: { Rating: 4.5 } });
  out.createdSupplier = supplier;
  out.createdSupplierUser = await SupplierUsers.Create(supplier.ID, {
    ID: id('sam'), Username: id('sam'), Password: 'Sam-pass-1234', FirstName: 'Sam', LastName: 'Seller',
    Email: 'sam@example.com', Active: true,
  });
  out.suppliers = ids(await Suppliers.List({ filters: { 'xp.Rating': '>4' }, search: id('sup') }));

  // Refusals the SDK turns into OrderCloudError.
  out.wrongPassword = await failure(Auth.Login(ADMIN.username, 'not-the-password', ADMIN.clientID));
  out.unknownClient = await failure(Auth.Login(ADMIN.username, ADMIN.password, 'no-such-client'));
  const reader = await Auth.ClientCredentials(ADMIN.clientSecret, ADMIN.clientID, ['BuyerReader']);
  use(reader);
  out.readerCanList = (await Buyers.List({ ...mine })).Meta.TotalCount;
  out.readerCannotCreate = await failure(Buyers.Create({ Name: 'nope' }));
  Tokens.RemoveAccessToken();
  out.noToken = await failure(Buyers.List());

  // The public key behind the token, as the SDK fetches it.
  const kid = JSON.parse(Buffer.from(cc.access_token.split('.')[0], 'base64url').toString()).kid;
  out.publicKey = await Certs.GetPublicKey(kid);
  out.kid = kid;
  return out;
});
