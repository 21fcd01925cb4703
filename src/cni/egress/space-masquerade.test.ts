import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseIptablesSave } from '../iptables.js';
import { renderMasqueradeRule, renderMasqueradeSync } from './space-masquerade.js';

const ctx = { postroutingChain: 'KUKEON-POSTROUTING' };
const tag = 'kukeon:main:blog';
const rule = renderMasqueradeRule('10.88.3.0/24', 'k-af3172d4', tag);

describe('space masquerade rule', () => {
  it('is one MASQUERADE for the subnet leaving by any other interface than its bridge, as iptables-save prints it', () => {
    const saved =
      '-A KUKEON-POSTROUTING -s 10.88.3.0/24 ! -o k-af3172d4 -m comment --comment "kukeon:main:blog:masquerade" -j MASQUERADE';
    assert.deepEqual(parseIptablesSave(saved).rules[0].args, rule);
  });

  it('creates the chain, the rule and the POSTROUTING jump in one transaction', () => {
    const t = parseIptablesSave('*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n');
    assert.equal(
      renderMasqueradeSync(ctx, t, tag, rule),
      [
        '*nat',
        ':KUKEON-POSTROUTING - [0:0]',
        '-A KUKEON-POSTROUTING -s 10.88.3.0/24 ! -o k-af3172d4 -m comment --comment kukeon:main:blog:masquerade -j MASQUERADE',
        '-A POSTROUTING -j KUKEON-POSTROUTING',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it('writes nothing when the rule and the jump are there; replaces a stale rule of the space, keeping others', () => {
    const current = [
      '*nat',
      ':POSTROUTING ACCEPT [0:0]',
      ':KUKEON-POSTROUTING - [0:0]',
      '-A POSTROUTING -j KUKEON-POSTROUTING',
      '-A KUKEON-POSTROUTING -s 10.88.4.0/24 ! -o k-00000000 -m comment --comment "kukeon:main:other:masquerade" -j MASQUERADE',
    ];
    const ok = parseIptablesSave(
      [
        ...current,
        '-A KUKEON-POSTROUTING -s 10.88.3.0/24 ! -o k-af3172d4 -m comment --comment "kukeon:main:blog:masquerade" -j MASQUERADE',
      ].join('\n'),
    );
    assert.equal(renderMasqueradeSync(ctx, ok, tag, rule), undefined);
    const stale = parseIptablesSave(
      [
        ...current,
        '-A KUKEON-POSTROUTING -s 10.88.9.0/24 ! -o k-af3172d4 -m comment --comment "kukeon:main:blog:masquerade" -j MASQUERADE',
      ].join('\n'),
    );
    assert.equal(
      renderMasqueradeSync(ctx, stale, tag, rule),
      [
        '*nat',
        '-D KUKEON-POSTROUTING -s 10.88.9.0/24 ! -o k-af3172d4 -m comment --comment kukeon:main:blog:masquerade -j MASQUERADE',
        '-A KUKEON-POSTROUTING -s 10.88.3.0/24 ! -o k-af3172d4 -m comment --comment kukeon:main:blog:masquerade -j MASQUERADE',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });
});
