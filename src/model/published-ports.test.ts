import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  cellPublishedPorts,
  formatPublishedPort,
  parsePublishedPort,
  portSetKey,
  portsClash,
} from './published-ports.js';

describe('parsePublishedPort', () => {
  it('reads the short syntax', () => {
    assert.deepEqual(parsePublishedPort('8080:80'), {
      hostIP: '',
      hostPort: 8080,
      containerPort: 80,
      protocol: 'tcp',
    });
    assert.deepEqual(parsePublishedPort('127.0.0.1:5353:53/udp'), {
      hostIP: '127.0.0.1',
      hostPort: 5353,
      containerPort: 53,
      protocol: 'udp',
    });
    assert.equal((parsePublishedPort('0.0.0.0:1:2') as { hostIP: string }).hostIP, '');
  });
  for (const [input, message] of [
    ['80', '"80" is not [hostIP:]hostPort:containerPort[/tcp|/udp] (a host port is required)'],
    ['0:80', '"0:80": host port 0 out of range (1-65535)'],
    ['8080:65536', '"8080:65536": container port 65536 out of range (1-65535)'],
    ['8080:80/sctp', '"8080:80/sctp": protocol "sctp" is not tcp or udp'],
    ['8000-8001:80-81', '"8000-8001:80-81": port ranges are not supported'],
    ['[::1]:80:80', '"[::1]:80:80": IPv6 host addresses are not supported (cells get IPv4 only)'],
    ['localhost:80:80', '"localhost:80:80": host address "localhost" is not an IPv4 address'],
    ['a:b', '"a:b": host port "a" is not a port number'],
    ['1:2:3:4', '"1:2:3:4" is not [hostIP:]hostPort:containerPort[/tcp|/udp]'],
  ]) {
    it(`refuses ${input}`, () => assert.equal(parsePublishedPort(input), message));
  }
});

describe('cell ports', () => {
  it('an all-addresses binding clashes with every address of the same port and protocol', () => {
    const p = (s: string) => parsePublishedPort(s) as Exclude<ReturnType<typeof parsePublishedPort>, string>;
    assert.equal(portsClash(p('80:1'), p('127.0.0.1:80:2')), true);
    assert.equal(portsClash(p('127.0.0.2:80:1'), p('127.0.0.1:80:2')), false);
    assert.equal(portsClash(p('80:1/udp'), p('80:1')), false);
  });
  it('names both containers of a duplicate', () => {
    assert.equal(
      cellPublishedPorts([
        { id: 'a', ports: ['8080:80'] },
        { id: 'b', ports: ['9090:90', '127.0.0.1:8080:81'] },
      ]),
      'container "b": ports[1] "127.0.0.1:8080:81": host port 8080/tcp is published twice in the cell (containers "a" and "b")',
    );
  });
  it('formats like docker ps and keys sets regardless of order', () => {
    const ports = cellPublishedPorts([{ id: 'a', ports: ['8080:80', '127.0.0.1:53:53/udp'] }]);
    assert.deepEqual(
      (ports as { hostPort: number }[]).map((p) => formatPublishedPort(p as never)),
      ['0.0.0.0:8080->80/tcp', '127.0.0.1:53->53/udp'],
    );
    assert.equal(
      portSetKey([
        { id: 'a', ports: ['8080:80'] },
        { id: 'b', ports: ['1:1'] },
      ]),
      portSetKey([{ id: 'b', ports: ['1:1', '8080:80'] }]),
    );
  });
});
