import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkEgressPolicy, isIPv4Cidr, normaliseEgressPolicy } from './egress-rules.js';

describe('egress policy rules', () => {
  const bad: [unknown, string][] = [
    [{ default: 'block' }, "egress default must be 'allow' or 'deny'"],
    [{ allow: [{}] }, 'egress allow rule 0: requires exactly one of host or cidr'],
    [
      { allow: [{ host: 'a.com', cidr: '10.0.0.0/8' }] },
      'egress allow rule 0: must not set both host and cidr',
    ],
    [
      { allow: [{ cidr: '10.0.0.0/8' }, { host: 'a b' }] },
      'egress allow rule 1: host must not contain whitespace or / (got "a b")',
    ],
    [
      { allow: [{ host: 'a.com/x' }] },
      'egress allow rule 0: host must not contain whitespace or / (got "a.com/x")',
    ],
    [
      { allow: [{ host: '.a.com' }] },
      'egress allow rule 0: host must not start or end with a dot (got ".a.com")',
    ],
    [
      { allow: [{ host: 'a..com' }] },
      'egress allow rule 0: host must not contain empty labels (got "a..com")',
    ],
    [
      { allow: [{ cidr: '10.0.0.0/33' }] },
      'egress allow rule 0: cidr "10.0.0.0/33" is not a valid IPv4 CIDR',
    ],
    [
      { allow: [{ cidr: '300.0.0.0/8' }] },
      'egress allow rule 0: cidr "300.0.0.0/8" is not a valid IPv4 CIDR',
    ],
    [{ allow: [{ host: 'a.com', ports: [0] }] }, 'egress allow rule 0: port 0 out of range (1-65535)'],
    [
      { allow: [{ host: 'a.com', ports: [65536] }] },
      'egress allow rule 0: port 65536 out of range (1-65535)',
    ],
  ];
  for (const [policy, msg] of bad) it(msg, () => assert.equal(checkEgressPolicy(policy as never), msg));

  it('accepts valid policies; default is case-insensitive', () => {
    assert.equal(checkEgressPolicy(undefined), undefined);
    assert.equal(
      checkEgressPolicy({
        default: ' DENY ',
        allow: [{ host: 'api.example.com', ports: [443] }, { cidr: '10.0.0.0/8' }],
      }),
      undefined,
    );
    assert.ok(isIPv4Cidr('0.0.0.0/0'));
    assert.ok(!isIPv4Cidr('010.0.0.0/8'));
  });

  it('normalises: lower-case default, empty = allow, ports de-duplicated and sorted', () => {
    assert.deepEqual(
      normaliseEgressPolicy({ default: 'Deny', allow: [{ host: ' a.com ', ports: [443, 80, 443] }] }),
      {
        default: 'deny',
        allow: [{ host: 'a.com', ports: [80, 443] }],
      },
    );
    assert.equal(normaliseEgressPolicy(undefined).default, 'allow');
  });
});
