import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseIptablesSave } from '../iptables.js';
import { egressContext } from './egress-context.js';
import { LOCALNET_GUARD_COMMENT, renderGuardRepair, renderLocalnetGuard } from './input-guard.js';

describe('loopback guard', () => {
  it('drops 127.0.0.0/8 from every kukeon bridge unless the connection is established or DNATed', () => {
    assert.equal(
      renderLocalnetGuard('k-+').join(' '),
      '-d 127.0.0.0/8 -i k-+ -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -m comment --comment kukeon-input:localnet -j DROP',
    );
  });

  it('is rendered as iptables-save prints it, so an unchanged guard compares equal', () => {
    const saved = parseIptablesSave(
      '*filter\n:KUKEON-INPUT - [0:0]\n-A KUKEON-INPUT -d 127.0.0.0/8 -i k-+ -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -m comment --comment kukeon-input:localnet -j DROP\nCOMMIT\n',
    );
    assert.deepEqual(saved.rules[0].args, renderLocalnetGuard('k-+'));
  });

  it('a missing chain is created with the guard; a present one gets it first, stale guards deleted, dispatch kept', () => {
    const guard = renderLocalnetGuard('k-+');
    assert.equal(
      renderGuardRepair('KUKEON-INPUT', guard, undefined),
      `*filter\n:KUKEON-INPUT - [0:0]\n-A KUKEON-INPUT ${guard.join(' ')}\nCOMMIT\n`,
    );
    const stale = renderLocalnetGuard('old-+');
    const dispatch = ['-i', 'k-a', '-j', 'KUKE-HST-0000abcd'];
    assert.equal(
      renderGuardRepair('KUKEON-INPUT', guard, [dispatch, stale]),
      `*filter\n-D KUKEON-INPUT ${stale.join(' ')}\n-I KUKEON-INPUT 1 ${guard.join(' ')}\nCOMMIT\n`,
    );
    assert.ok(stale.includes(LOCALNET_GUARD_COMMENT));
  });

  it('the input and host chains follow the bridge prefix', () => {
    assert.equal(egressContext({ bridgePrefix: 'k-' }).inputChain, 'KUKEON-INPUT');
    assert.equal(egressContext({ bridgePrefix: 'k-' }).hostChainPrefix, 'KUKE-HST-');
    assert.equal(egressContext({ bridgePrefix: 'kt9-' }).inputChain, 'KT9-INPUT');
    assert.equal(egressContext({ bridgePrefix: 'kt9-' }).hostChainPrefix, 'KT9-HST-');
  });
});
