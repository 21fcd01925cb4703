import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isRegistryCredentialSecretName,
  otherRegistryCredentialSecretName,
  registryCredentialSecretName,
} from './registry-credential-secret.js';

test('registry credential secret names: one per server, reserved prefix', () => {
  assert.equal(registryCredentialSecretName(undefined), 'registry-credential');
  assert.equal(registryCredentialSecretName(' '), 'registry-credential');
  assert.equal(registryCredentialSecretName('ghcr.io'), 'registry-credential.ghcr.io');
  assert.equal(registryCredentialSecretName('127.0.0.1:5000'), 'registry-credential.127.0.0.1:5000');
  const odd = registryCredentialSecretName('https://index.docker.io/v1/');
  assert.match(odd, /^registry-credential\.https:__index\.docker\.io_v1_\.[0-9a-f]{8}$/);
  assert.notEqual(odd, registryCredentialSecretName('https:__index.docker.io_v1_'));
  assert.ok(!odd.includes('/'));
  assert.ok(isRegistryCredentialSecretName('registry-credential'));
  assert.ok(isRegistryCredentialSecretName(odd));
  assert.ok(!isRegistryCredentialSecretName('registry-credentials'));
  assert.ok(!isRegistryCredentialSecretName('api-token'));
  // Each server's two names, each the other's other.
  assert.equal(
    otherRegistryCredentialSecretName('registry-credential.ghcr.io'),
    'registry-credential.ghcr.io_2',
  );
  assert.equal(
    otherRegistryCredentialSecretName('registry-credential.ghcr.io_2'),
    'registry-credential.ghcr.io',
  );
  assert.equal(otherRegistryCredentialSecretName(odd) === odd, false);
  assert.ok(isRegistryCredentialSecretName(otherRegistryCredentialSecretName('registry-credential')));
  assert.ok(isRegistryCredentialSecretName(otherRegistryCredentialSecretName(odd)));
});
