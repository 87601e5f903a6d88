// A real OpenID provider for tests/oidc_e2e.rs: node's oidc-provider on 127.0.0.1 (port 0
// unless PORT is set), issuing JWT access tokens (RS256) through the client credentials grant
// with a resource indicator (RFC 8707). Keys are generated at start and published at /jwks,
// named by /.well-known/openid-configuration.
//
// Prints one line `OIDC_PROVIDER_READY <issuer>` on stdout once it listens, and exits when its
// stdin closes (so it never outlives the test that started it).

import crypto from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'e2e-client';
export const CLIENT_SECRET = 'e2e-client-secret-for-loopback-tests-only';
export const RESOURCE = 'https://api.jwt-guard.test';

function signingKey(type, options, kid, alg) {
  const { privateKey } = crypto.generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

const server = http.createServer();
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    jwks: {
      keys: [
        signingKey('rsa', { modulusLength: 2048 }, 'rs-1', 'RS256'),
        signingKey('ec', { namedCurve: 'P-256' }, 'es-1', 'ES256'),
      ],
    },
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      },
    ],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== RESOURCE) {
            throw new Error(`unknown resource ${resource}`);
          }
          return {
            scope: 'read admin',
            audience: RESOURCE,
            accessTokenTTL: 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
  });
  server.on('request', provider.callback());
  process.stdout.write(`OIDC_PROVIDER_READY ${issuer}\n`);
});

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
