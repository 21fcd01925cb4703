import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { splitRuleLine } from '../iptables.js';
import {
  quoteToken,
  renderCellRules,
  renderChainReplacement,
  renderDispatchRule,
  renderForwardChain,
  renderHostChain,
  renderSpaceChain,
} from './render-egress.js';

const tag = 'kukeon:main:blog';

describe('renderSpaceChain', () => {
  it('admit-all: established then a terminal ACCEPT', () => {
    assert.deepEqual(renderSpaceChain({ default: 'allow', rules: [] }, tag), [
      [
        '-m',
        'conntrack',
        '--ctstate',
        'RELATED,ESTABLISHED',
        '-m',
        'comment',
        '--comment',
        `${tag}:established`,
        '-j',
        'ACCEPT',
      ],
      ['-m', 'comment', '--comment', `${tag}:default`, '-j', 'ACCEPT'],
    ]);
  });

  it('deny with a CIDR rule (all ports) and a host rule with ports, in policy order', () => {
    const rules = renderSpaceChain(
      {
        default: 'deny',
        rules: [
          { index: 0, label: 'cidr=10.0.0.0/8', destinations: ['10.0.0.0/8'], ports: [] },
          {
            index: 1,
            label: 'host=db.local',
            destinations: ['192.0.2.1/32', '192.0.2.2/32'],
            ports: [53, 443],
          },
        ],
      },
      tag,
    );
    const lines = rules.map((r) => r.join(' '));
    assert.equal(lines.length, 1 + 1 + 2 * 2 * 2 + 1);
    assert.equal(lines[1], `-d 10.0.0.0/8 -m comment --comment ${tag}:allow[0]:cidr=10.0.0.0/8 -j ACCEPT`);
    assert.equal(
      lines[2],
      `-d 192.0.2.1/32 -p tcp -m tcp --dport 53 -m comment --comment ${tag}:allow[1]:host=db.local -j ACCEPT`,
    );
    assert.equal(
      lines[3],
      `-d 192.0.2.1/32 -p udp -m udp --dport 53 -m comment --comment ${tag}:allow[1]:host=db.local -j ACCEPT`,
    );
    assert.equal(
      lines[9],
      `-d 192.0.2.2/32 -p udp -m udp --dport 443 -m comment --comment ${tag}:allow[1]:host=db.local -j ACCEPT`,
    );
    assert.equal(lines.at(-1), `-m comment --comment ${tag}:default -j DROP`);
    assert.match(lines[0], /--ctstate RELATED,ESTABLISHED .*:established -j ACCEPT$/);
  });

  it('allow default with rules still ends in ACCEPT', () => {
    const rules = renderSpaceChain(
      {
        default: 'allow',
        rules: [{ index: 0, label: 'cidr=1.2.3.4/32', destinations: ['1.2.3.4/32'], ports: [] }],
      },
      tag,
    );
    assert.deepEqual(rules.at(-1)?.slice(-2), ['-j', 'ACCEPT']);
  });
});

describe('dispatch and forward rules', () => {
  it('dispatch matches the bridge and jumps to the space chain', () => {
    assert.deepEqual(renderDispatchRule('k-1a2b3c4d', tag, 'KUKE-EGR-0000abcd'), [
      '-i',
      'k-1a2b3c4d',
      '-m',
      'comment',
      '--comment',
      `${tag}:dispatch`,
      '-j',
      'KUKE-EGR-0000abcd',
    ]);
  });
  it('forward admission: return traffic and traffic towards (not between) bridges', () => {
    assert.deepEqual(
      renderForwardChain('k-+').map((r) => r.join(' ')),
      [
        '-m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment kukeon-forward:established -j ACCEPT',
        '! -i k-+ -o k-+ -m comment --comment kukeon-forward:ingress -j ACCEPT',
      ],
    );
  });
});

describe('renderChainReplacement', () => {
  it('declares the chain (flush in --noflush mode), appends rules and extras, one COMMIT', () => {
    const text = renderChainReplacement(
      'KUKE-EGR-0000abcd',
      [['-j', 'ACCEPT']],
      [{ chain: 'KUKEON-EGRESS', args: ['-i', 'k-x', '-j', 'KUKE-EGR-0000abcd'] }],
    );
    assert.equal(
      text,
      '*filter\n:KUKE-EGR-0000abcd - [0:0]\n-A KUKE-EGR-0000abcd -j ACCEPT\n-A KUKEON-EGRESS -i k-x -j KUKE-EGR-0000abcd\nCOMMIT\n',
    );
  });
  it('quotes tokens so iptables-save style splitting gives them back', () => {
    for (const t of ['plain', 'a b', 'say "hi"', 'back\\slash', '', "it's"]) {
      assert.deepEqual(splitRuleLine(`-A X --comment ${quoteToken(t)} -j Y`), [
        '-A',
        'X',
        '--comment',
        t,
        '-j',
        'Y',
      ]);
    }
  });
});

describe('renderHostChain', () => {
  it('returns what the policy allows and DNS to the nameservers, drops the rest; never accepts', () => {
    const rules = renderHostChain(
      {
        default: 'deny',
        rules: [
          { index: 0, label: 'cidr=10.0.0.1/32', destinations: ['10.0.0.1/32'], ports: [8080] },
          { index: 1, label: 'cidr=192.168.0.0/16', destinations: ['192.168.0.0/16'], ports: [] },
        ],
      },
      tag,
      ['192.168.1.1', '2001:db8::1', '192.168.1.1'],
    ).map((r) => r.join(' '));
    assert.deepEqual(rules, [
      `-m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment ${tag}:host:established -j RETURN`,
      `-d 10.0.0.1/32 -p tcp -m tcp --dport 8080 -m comment --comment ${tag}:host:allow[0]:cidr=10.0.0.1/32 -j RETURN`,
      `-d 10.0.0.1/32 -p udp -m udp --dport 8080 -m comment --comment ${tag}:host:allow[0]:cidr=10.0.0.1/32 -j RETURN`,
      `-d 192.168.0.0/16 -m comment --comment ${tag}:host:allow[1]:cidr=192.168.0.0/16 -j RETURN`,
      `-d 192.168.1.1/32 -p udp -m udp --dport 53 -m comment --comment ${tag}:host:dns -j RETURN`,
      `-d 192.168.1.1/32 -p tcp -m tcp --dport 53 -m comment --comment ${tag}:host:dns -j RETURN`,
      `-m comment --comment ${tag}:host:default -j DROP`,
    ]);
    assert.ok(rules.every((r) => !r.endsWith('ACCEPT')));
  });
});

describe('renderCellRules', () => {
  const comment = (role: string): string[] => ['-m', 'comment', '--comment', `${tag}:cells:${role}`];
  it('isolation: cells lets only published-port (DNAT) connections back onto the bridge, drops the rest', () => {
    assert.deepEqual(renderCellRules('k-af3172d4', tag, 'cells', 'allow'), [
      ['-o', 'k-af3172d4', '-m', 'conntrack', '--ctstate', 'DNAT', ...comment('published'), '-j', 'ACCEPT'],
      ['-o', 'k-af3172d4', ...comment('isolated'), '-j', 'DROP'],
    ]);
  });
  it('without isolation a deny space keeps its cells open to each other; an allow space needs no rule', () => {
    assert.deepEqual(renderCellRules('k-af3172d4', tag, 'none', 'deny'), [
      ['-o', 'k-af3172d4', ...comment('open'), '-j', 'ACCEPT'],
    ]);
    assert.deepEqual(renderCellRules('k-af3172d4', tag, 'none', 'allow'), []);
  });
});
