// The municipality's identity provider in tests: panva's oidc-provider (OpenID Certified) on
// loopback. Configuration comes as JSON in the file named by the first argument:
//   {port, clients: [...], accounts: {login: {claims, amr, acr}}, jwks: {keys: [...]}}
// A small login page stands in for the provider's own (any account in `accounts`, no
// password); consent is given at once. Prints "ready <issuer>" when it listens.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const accounts = config.accounts;

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: config.jwks,
  claims: {
    acr: null,
    amr: null,
    auth_time: null,
    iss: null,
    sid: null,
    // acr and amr with every ID token (real providers send them without being asked).
    openid: ['sub', 'acr', 'amr', 'auth_time'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'department', 'roles', 'pid'],
  },
  conformIdTokenClaims: false,
  subjectTypes: ['public', 'pairwise'],
  pairwiseIdentifier: async (ctx, accountId, client) => createHash('sha256')
    .update(`${client.sectorIdentifier}:${accountId}`).digest('base64url'),
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  ttl: { IdToken: 300, AccessToken: 300, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600 },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account.claims }) };
  },
});

function page(res, body, status = 200) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="nb"><head><title>Kommunens innlogging</title></head><body>${body}</body></html>`);
}

async function readForm(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return new URLSearchParams(raw);
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt, params, session, grantId } = details;
  if (prompt.name === 'login') {
    if (req.method === 'POST') {
      const login = (await readForm(req)).get('login') || '';
      const account = accounts[login];
      if (!account) {
        return page(res, `<p role="alert">Ukjent bruker</p><a href="/interaction/${uid}">Tilbake</a>`, 400);
      }
      return provider.interactionFinished(req, res, {
        login: { accountId: login, amr: account.amr || ["pwd"], acr: account.acr ?? undefined },
      }, { mergeWithLastSubmission: false });
    }
    return page(res, `<h1>Kommunens innlogging</h1>
      <form method="post" action="/interaction/${uid}">
        <label for="login">Brukernavn</label> <input id="login" name="login" autofocus>
        <button type="submit">Logg inn</button>
      </form>`);
  }
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const missing = prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, {
    mergeWithLastSubmission: true,
  });
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => page(res, `<p role="alert">${err.message}</p>`, 400));
    return;
  }
  callback(req, res);
});
server.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
