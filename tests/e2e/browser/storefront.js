// A guest's checkout through the official SDK, in the browser, against ordercore on another origin:
// anonymous token and cart, sign-in with cart transfer, addresses, purchase-order payment, submit.
// Settings come in the query string; the outcome goes to POST /result (same origin as this page).
const { Configuration, Auth, Tokens, Me, Cart } = window.OrderCloud;
const params = new URLSearchParams(window.location.search);
const setting = (name) => {
  const value = params.get(name);
  if (!value) throw new Error(`missing query parameter ${name}`);
  return value;
};

const claims = (token) => JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));

async function failure(promise) {
  try {
    await promise;
  } catch (err) {
    return { status: err.status ?? null, errorCode: err.errorCode ?? null, message: String(err.message) };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

async function checkout() {
  const clientID = setting('client');
  Configuration.Set({ baseApiUrl: setting('api'), apiVersion: 'v1', clientID, timeoutInMilliseconds: 15000 });
  const roles = ['Shopper', 'MeAdmin', 'MeAddressAdmin'];
  const out = { origin: window.location.origin };

  // A guest: the token says it is anonymous the way OrderCloud's does (an orderid claim).
  const anon = await Auth.Anonymous(clientID, roles);
  Tokens.SetAccessToken(anon.access_token);
  out.anonOrderID = claims(anon.access_token).orderid ?? null;
  out.emptyWorksheetOrderID = (await Cart.GetOrderWorksheet()).Order.ID;
  const products = await Me.ListProducts();
  out.productIDs = products.Items.map((p) => p.ID);
  await Cart.CreateLineItem({ ProductID: setting('product'), Quantity: 2 });
  out.guestCartID = (await Cart.Get()).ID;
  // An error answer must reach the SDK too (status and ErrorCode), not a bare network error.
  out.missingLine = await failure(Cart.GetLineItem('no-such-line'));

  // Sign-in: the guest's cart becomes the user's.
  const user = await Auth.Login(setting('username'), setting('password'), clientID, roles);
  Tokens.SetAccessToken(user.access_token);
  out.userOrderIDClaim = claims(user.access_token).orderid ?? null;
  await Me.TransferAnonUserOrder({ anonUserToken: anon.access_token });
  const cart = await Cart.Get();
  out.userCart = { ID: cart.ID, LineItemCount: cart.LineItemCount, FromUserID: cart.FromUserID };

  // Addresses: a saved one to ship to, a one-time one to bill.
  const address = { FirstName: 'Ann', LastName: 'Lee', Street1: '1 Market St', City: 'Springfield', State: 'IL',
    Zip: '62701', Country: 'US' };
  const saved = await Me.CreateAddress({ ...address, AddressName: 'Home', Shipping: true, Billing: true });
  await Cart.SetShippingAddress({ ID: saved.ID });
  const billed = await Cart.SetBillingAddress(address);
  out.billingCity = billed.BillingAddress.City;

  // A Shopper's purchase order, without Accepted, then submit.
  const payment = await Cart.CreatePayment({ Type: 'PurchaseOrder', Amount: billed.Total });
  out.payment = { Type: payment.Type, Amount: payment.Amount, Accepted: payment.Accepted };
  const submitted = await Cart.Submit();
  out.submitted = { ID: submitted.ID, Status: submitted.Status, Total: submitted.Total };
  return out;
}

async function report(body) {
  document.getElementById('result').textContent = JSON.stringify(body);
  await fetch('/result', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

checkout().then(
  (out) => report({ ok: true, ...out }),
  (err) => report({ ok: false, error: String(err?.message ?? err), status: err?.status ?? null,
    errorCode: err?.errorCode ?? null, stack: String(err?.stack ?? '') }),
);
