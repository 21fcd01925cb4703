import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseIptablesSave } from '../iptables.js';
import { renderMasqueradeRules, renderMasqueradeSync } from './space-masquerade.js';

const ctx = { postroutingChain: 'KUKEON-POSTROUTING' };
const tag = 'kukeon:main:blog';
const rules = renderMasqueradeRules('10.88.3.0/24', 'k-af3172d4', tag);
const saved = [
  '-A KUKEON-POSTROUTING -s 10.88.3.0/24 ! -o k-af3172d4 -m comment --comment "kukeon:main:blog:masquerade" -j MASQUERADE',
];
const unquoted = saved.map((l) => l.replaceAll('"', ''));

describe('space masquerade rule', () => {
  it('is one MASQUERADE for the subnet leaving by any other interface than its bridge, as iptables-save prints it', () => {
    assert.deepEqual(
      parseIptablesSave(saved.join('\n')).rules.map((r) => r.args),
      rules,
    );
  });

  it('is created with the chain and the POSTROUTING jump in one transaction', () => {
    const t = parseIptablesSave('*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n');
    assert.equal(
      renderMasqueradeSync(ctx, t, tag, rules),
      [
        '*nat',
        ':KUKEON-POSTROUTING - [0:0]',
        ...unquoted,
        '-A POSTROUTING -j KUKEON-POSTROUTING',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it('writes nothing when in place; replaces a stale rule of the space, keeping other spaces', () => {
    const current = [
      '*nat',
      ':POSTROUTING ACCEPT [0:0]',
      ':KUKEON-POSTROUTING - [0:0]',
      '-A POSTROUTING -j KUKEON-POSTROUTING',
      '-A KUKEON-POSTROUTING -s 10.88.4.0/24 ! -o k-00000000 -m comment --comment "kukeon:main:other:masquerade" -j MASQUERADE',
    ];
    assert.equal(
      renderMasqueradeSync(ctx, parseIptablesSave([...current, ...saved].join('\n')), tag, rules),
      undefined,
    );
    const stale =
      '-A KUKEON-POSTROUTING -s 10.88.9.0/24 ! -o k-af3172d4 -m comment --comment "kukeon:main:blog:masquerade" -j MASQUERADE';
    assert.equal(
      renderMasqueradeSync(ctx, parseIptablesSave([...current, stale].join('\n')), tag, rules),
      ['*nat', stale.replace('-A', '-D').replaceAll('"', ''), ...unquoted, 'COMMIT', ''].join('\n'),
    );
  });
});
