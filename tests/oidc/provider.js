// A real OpenID provider (panva/oidc-provider) on loopback for tests/test_oidc.py; never deployed.
//
//   node provider.js PORT [--publish-jwks-of ISSUER_URL]
//
// Fresh signing keys per start (so a second instance signs with other keys); with --publish-jwks-of
// the discovery document points at another instance's JWKS: tokens then carry a signature the
// published keys do not verify. Login is non-interactive: GET /interaction/UID?login=ACCOUNT signs
// in that test account (?abort=1: the person cancels), consent is granted at once.
// Prints "ready ISSUER" when it listens.
import { generateKeyPairSync } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const jwksOf = process.argv.indexOf('--publish-jwks-of') > 0
  ? process.argv[process.argv.indexOf('--publish-jwks-of') + 1] : null;
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  // Standesamt Plauen: two mapped groups and one the mapping does not know
  sabine: { name: 'Sabine Berger', email: 'sabine.berger@plauen.example', preferred_username: 'sberger',
    groups: ['cn=standesamt,ou=plauen', 'cn=poststelle,ou=plauen', 'cn=kantine,ou=plauen'] },
  gerd: { name: 'Gerd Weber', email: 'gerd.weber@plauen.example', preferred_username: 'gweber',
    groups: ['cn=gewerbe-leitung,ou=plauen'] },
  // groups of two municipalities: Amtsweg refuses rather than mix them
  doppelt: { name: 'Dora Doppel', preferred_username: 'ddoppel',
    groups: ['cn=standesamt,ou=plauen', 'cn=buergerbuero,ou=musterstadt'] },
  // signed in at the IdP, but nothing in Amtsweg's mapping
  kantine: { name: 'Karl Koch', preferred_username: 'kkoch', groups: ['cn=kantine,ou=plauen'] },
  betrieb: { name: 'Bea Betrieb', preferred_username: 'bbetrieb', groups: ['cn=amtsweg-betrieb'] },
};

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: `test-${port}`, alg: 'RS256', use: 'sig' };

const client = (id, secret) => ({
  client_id: id,
  client_secret: secret,
  redirect_uris: ['http://localhost/anmelden/dienst/rueckkehr'],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
});

const provider = new Provider(issuer, {
  clients: [client('amtsweg', 'amtsweg-test-secret'), client('nachbar', 'nachbar-test-secret')],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['amtsweg-test-cookie-key'] },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email'],
    groups: ['groups'],
  },
  scopes: ['openid', 'profile', 'email', 'groups'],
  conformIdTokenClaims: false, // the ID token carries the scopes' claims (groups), as Keycloak's or ADFS's do
  pkce: { required: () => true }, // without a code_challenge the provider refuses the request
  features: { devInteractions: { enabled: false } },
  async findAccount(_ctx, sub) {
    if (!ACCOUNTS[sub]) return undefined;
    return { accountId: sub, async claims() { return { sub, ...ACCOUNTS[sub] }; } };
  },
  async renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
});

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)$/);
  if (!match) {
    await next();
    if (jwksOf && ctx.path === '/.well-known/openid-configuration' && ctx.body) {
      ctx.body = { ...ctx.body, jwks_uri: `${jwksOf}/jwks` };
    }
    return;
  }
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  let result;
  if (ctx.query.abort) {
    result = { error: 'access_denied', error_description: 'Anmeldung abgebrochen' };
  } else if (details.prompt.name === 'login') {
    const login = ctx.query.login;
    if (!login) {
      ctx.type = 'html';
      ctx.body = `<form method="get"><input name="login"><button>Anmelden</button></form>`;
      return;
    }
    if (!ACCOUNTS[login]) {
      ctx.status = 400;
      ctx.body = `unknown test account ${login}`;
      return;
    }
    result = { login: { accountId: login } };
  } else if (details.prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    result = { consent: { grantId: await grant.save() } };
  } else {
    ctx.status = 400;
    ctx.body = `unexpected prompt ${details.prompt.name}`;
    return;
  }
  const target = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
  ctx.redirect(target);
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
