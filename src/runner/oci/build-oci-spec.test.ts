import { ErrorCode } from '../../error-codes.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasCode } from '../../errors.js';
import { buildOciSpec, CNI_CONFIG_ANNOTATION, SHIM_GROUP_ANNOTATION } from './build-oci-spec.js';
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import type { ContainerSpecInput } from './container-spec-input.js';
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS } from './default-spec.js';
import { DEFAULT_PATH_ENV } from './env.js';
import type { DeviceNode, HostFacts } from './host-facts.js';
import type { OciSpec } from './oci-spec.js';

const base: ContainerSpecInput = {
  role: 'workload',
  containerdId: 'sp_st_cell_web',
  namespace: 'main.kukeon.io',
  imageConfig: { Cmd: ['sh'] },
};

const passwd = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n';
const group = 'root:x:0:\nwheel:x:10:app\napp:x:1000:\nstaff:x:50:app,other\n';
const rootfs: HostFacts['readRootfsFile'] = (p) =>
  p === '/etc/passwd' ? passwd : p === '/etc/group' ? group : undefined;

function build(over: Partial<ContainerSpecInput> = {}, facts: HostFacts = {}): OciSpec {
  return buildOciSpec({ ...base, ...over }, { readRootfsFile: rootfs, ...facts });
}

function mount(spec: OciSpec, dest: string) {
  return spec.mounts.filter((m) => m.destination === dest);
}

function code(c: string) {
  return (err: unknown) => hasCode(err, c);
}

describe('base spec', () => {
  const spec = build();
  it('root user, cwd /, no-new-privileges, nofile 1024', () => {
    assert.deepEqual(spec.process.user, { uid: 0, gid: 0 });
    assert.equal(spec.process.cwd, '/');
    assert.equal(spec.process.noNewPrivileges, true);
    assert.deepEqual(spec.process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }]);
    assert.equal(spec.process.terminal, undefined);
    assert.equal(spec.root.path, 'rootfs');
    assert.equal(spec.root.readonly, undefined);
  });
  it("containerd's 14 default capabilities in all three sets", () => {
    assert.equal(DEFAULT_CAPABILITIES.length, 14);
    for (const set of ['bounding', 'effective', 'permitted'] as const) {
      assert.deepEqual(spec.process.capabilities[set], DEFAULT_CAPABILITIES);
    }
    assert.ok(!spec.process.capabilities.bounding.includes('CAP_SYS_ADMIN'));
  });
  it('new pid/ipc/uts/mount/network namespaces and (kukeon) a cgroup namespace', () => {
    assert.deepEqual(
      spec.linux.namespaces.map((n) => n.type),
      ['pid', 'ipc', 'uts', 'mount', 'network', 'cgroup'],
    );
    assert.ok(spec.linux.namespaces.every((n) => n.path === undefined));
  });
  it('masked and read-only paths, deny-all device cgroup', () => {
    assert.deepEqual(spec.linux.maskedPaths, DEFAULT_MASKED_PATHS);
    assert.ok(spec.linux.maskedPaths?.includes('/sys/devices/virtual/powercap'));
    assert.deepEqual(spec.linux.readonlyPaths, DEFAULT_READONLY_PATHS);
    assert.deepEqual(spec.linux.resources.devices, [{ allow: false, access: 'rwm' }]);
  });
  it('the seven default mounts in order', () => {
    assert.deepEqual(
      spec.mounts.map((m) => `${m.destination}:${m.type}`),
      [
        '/proc:proc',
        '/dev:tmpfs',
        '/dev/pts:devpts',
        '/dev/shm:tmpfs',
        '/dev/mqueue:mqueue',
        '/sys:sysfs',
        '/run:tmpfs',
      ],
    );
    assert.deepEqual(mount(spec, '/sys')[0].options, ['nosuid', 'noexec', 'nodev', 'ro']);
    assert.deepEqual(mount(spec, '/dev/pts')[0].options, [
      'nosuid',
      'noexec',
      'newinstance',
      'ptmxmode=0666',
      'mode=0620',
      'gid=5',
    ]);
  });
  it('default cgroupsPath is /<namespace>/<containerdId>; no hostname, no annotations, no seccomp', () => {
    assert.equal(spec.linux.cgroupsPath, '/main.kukeon.io/sp_st_cell_web');
    assert.equal(spec.hostname, undefined);
    assert.equal(spec.annotations, undefined);
    assert.equal(spec.linux.seccomp, undefined);
  });
  it('is JSON (what containerd stores) and round-trips', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec);
  });
});

describe('image config', () => {
  it('ENTRYPOINT+CMD, WORKDIR, env over the default PATH', () => {
    const spec = build({
      imageConfig: { Entrypoint: ['/bin/app'], Cmd: ['--serve'], WorkingDir: '/srv', Env: ['A=1'] },
    });
    assert.deepEqual(spec.process.args, ['/bin/app', '--serve']);
    assert.equal(spec.process.cwd, '/srv');
    assert.deepEqual(spec.process.env, [DEFAULT_PATH_ENV, 'A=1']);
  });
  it("the image's PATH replaces the default", () => {
    const spec = build({ imageConfig: { Cmd: ['x'], Env: ['PATH=/opt/bin', 'B=2'] } });
    assert.deepEqual(spec.process.env, ['PATH=/opt/bin', 'B=2']);
  });
  it("the image's USER is resolved against its /etc/passwd", () => {
    const spec = build({ imageConfig: { Cmd: ['x'], User: 'app' } });
    assert.deepEqual(spec.process.user, { uid: 1000, gid: 1000, additionalGids: [10, 50] });
  });
  it('no command anywhere is a typed error', () => {
    assert.throws(() => build({ imageConfig: {} }), code(ErrorCode.OCI_NO_COMMAND));
    assert.throws(() => build({ imageConfig: undefined }), code(ErrorCode.OCI_NO_COMMAND));
  });
});

describe('options in the order of docs/oci-spec.md', () => {
  it('2: /etc/hosts and /etc/hostname (+ resolv.conf) bound read-only from the cell dir', () => {
    const spec = build({
      etcHostsPath: '/c/etc-hosts',
      etcHostnamePath: '/c/etc-hostname',
      etcResolvConfPath: '/c/etc-resolv.conf',
    });
    assert.deepEqual(spec.mounts.slice(7), [
      { destination: '/etc/hosts', type: 'bind', source: '/c/etc-hosts', options: ['rbind', 'ro'] },
      { destination: '/etc/hostname', type: 'bind', source: '/c/etc-hostname', options: ['rbind', 'ro'] },
      {
        destination: '/etc/resolv.conf',
        type: 'bind',
        source: '/c/etc-resolv.conf',
        options: ['rbind', 'ro'],
      },
    ]);
  });
  it('2: host-network containers keep their own /etc/hosts and resolv.conf, still get /etc/hostname', () => {
    const spec = build({
      hostNetwork: true,
      etcHostsPath: '/c/etc-hosts',
      etcHostnamePath: '/c/etc-hostname',
      etcResolvConfPath: '/c/etc-resolv.conf',
    });
    assert.equal(mount(spec, '/etc/hosts').length, 0);
    assert.equal(mount(spec, '/etc/resolv.conf').length, 0);
    assert.equal(mount(spec, '/etc/hostname').length, 1);
  });
  it('3: command + args replace ENTRYPOINT+CMD; args alone replace both; nothing keeps the image', () => {
    const imageConfig = { Entrypoint: ['/ep'], Cmd: ['c1'] };
    assert.deepEqual(build({ imageConfig, command: '/bin/x', args: ['-a'] }).process.args, ['/bin/x', '-a']);
    assert.deepEqual(build({ imageConfig, args: ['y', 'z'] }).process.args, ['y', 'z']);
    assert.deepEqual(build({ imageConfig, args: [] }).process.args, ['/ep', 'c1']);
  });
  it('4: workingDir overrides the image WORKDIR', () => {
    assert.equal(
      build({ imageConfig: { Cmd: ['x'], WorkingDir: '/img' }, workingDir: '/mine' }).process.cwd,
      '/mine',
    );
  });
  it('5: env precedence image < defaults < container env < runtime env; bare KEY removes', () => {
    const spec = build({
      imageConfig: { Cmd: ['x'], Env: ['PATH=/img', 'LEVEL=image', 'IMG_ONLY=1', 'DROP=me'] },
      identityEnv: ['KUKEON_CELL_NAME=cell', 'KUKEON_STACK=st'],
      defaultEnv: ['LEVEL=default', 'DEF_ONLY=1'],
      env: ['LEVEL=container', 'CTR_ONLY=1', 'DROP', 'KUKEON_STACK=mine'],
      secretEnv: ['TOKEN=s3cret'],
      runtimeEnv: ['CTR_ONLY=runtime'],
    });
    assert.deepEqual(spec.process.env, [
      'PATH=/img',
      'LEVEL=container',
      'IMG_ONLY=1',
      'KUKEON_CELL_NAME=cell',
      'DEF_ONLY=1',
      'CTR_ONLY=runtime',
      'KUKEON_STACK=mine',
      'TOKEN=s3cret',
    ]);
  });
  it('6: privileged gets the daemon capabilities, no masks, rw sysfs, allow-all devices and host devices', () => {
    const dev: DeviceNode = {
      path: '/dev/null',
      type: 'c',
      major: 1,
      minor: 3,
      fileMode: 0o666,
      uid: 0,
      gid: 0,
    };
    const spec = build(
      { privileged: true, nestedCgroupRuntime: true },
      { currentCapabilities: ['CAP_CHOWN', 'CAP_SYS_ADMIN'], hostDevices: () => [dev] },
    );
    assert.deepEqual(spec.process.capabilities.bounding, ['CAP_CHOWN', 'CAP_SYS_ADMIN']);
    assert.deepEqual(spec.process.capabilities.effective, ['CAP_CHOWN', 'CAP_SYS_ADMIN']);
    assert.equal(spec.linux.maskedPaths, undefined);
    assert.equal(spec.linux.readonlyPaths, undefined);
    assert.deepEqual(mount(spec, '/sys')[0].options, ['nosuid', 'noexec', 'nodev', 'rw']);
    assert.deepEqual(spec.linux.resources.devices, [
      { allow: false, access: 'rwm' },
      { allow: true, access: 'rwm' },
    ]);
    assert.deepEqual(spec.linux.devices, [
      { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
    ]);
    assert.equal(spec.process.noNewPrivileges, true);
  });
  it('6: privileged without a known daemon set gets every capability up to cap_last_cap', () => {
    const spec = build({ privileged: true }, { capLastCap: 40 });
    assert.equal(spec.process.capabilities.bounding.length, 41);
  });
  it('6 before 14: privileged then a capability drop; an explicit device replaces the host copy', () => {
    const kvm: DeviceNode = {
      path: '/dev/kvm',
      type: 'c',
      major: 10,
      minor: 232,
      fileMode: 0o600,
      uid: 0,
      gid: 0,
    };
    const spec = build(
      { privileged: true, capabilities: { drop: ['ALL'], add: ['CAP_KILL'] }, devices: ['/dev/kvm'] },
      { hostDevices: () => [kvm], statDevice: () => ({ ...kvm, fileMode: 0o660 }) },
    );
    assert.deepEqual(spec.process.capabilities.bounding, ['CAP_KILL']);
    assert.deepEqual(spec.linux.devices, [{ ...kvm, fileMode: 0o660 }]);
  });
  it('7–9: hostNetwork / hostPID remove namespaces; hostCgroup keeps the host cgroup ns', () => {
    const types = (o: Partial<ContainerSpecInput>) => build(o).linux.namespaces.map((n) => n.type);
    assert.deepEqual(types({ hostNetwork: true }), ['pid', 'ipc', 'uts', 'mount', 'cgroup']);
    assert.deepEqual(types({ hostPID: true }), ['ipc', 'uts', 'mount', 'network', 'cgroup']);
    assert.deepEqual(types({ hostCgroup: true }), ['pid', 'ipc', 'uts', 'mount', 'network']);
  });
  it('10: nested cgroup runtime mounts cgroup rw at /sys/fs/cgroup, unless hostCgroup', () => {
    assert.deepEqual(mount(build({ nestedCgroupRuntime: true }), '/sys/fs/cgroup'), [
      {
        destination: '/sys/fs/cgroup',
        type: 'cgroup',
        source: 'cgroup',
        options: ['rw', 'nosuid', 'noexec', 'nodev'],
      },
    ]);
    assert.equal(mount(build({ nestedCgroupRuntime: true, hostCgroup: true }), '/sys/fs/cgroup').length, 0);
  });
  it('11: volumes in order: bind ro/rw, resolved volume, tmpfs with size and %04o mode', () => {
    const spec = build({
      volumes: [
        { source: '/host/a', target: '/a', readOnly: true },
        { kind: 'volume', source: '/opt/kukeon/data/r/volumes/v', target: '/v' },
        { kind: 'tmpfs', target: '/t', sizeBytes: 1048576, mode: 0o1777 },
        { kind: 'tmpfs', target: '/t2', readOnly: true },
      ],
    });
    assert.deepEqual(spec.mounts.slice(7), [
      { destination: '/a', type: 'bind', source: '/host/a', options: ['rbind', 'ro'] },
      { destination: '/v', type: 'bind', source: '/opt/kukeon/data/r/volumes/v', options: ['rbind', 'rw'] },
      { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['size=1048576', 'mode=1777', 'rw'] },
      { destination: '/t2', type: 'tmpfs', source: 'tmpfs', options: ['ro'] },
    ]);
  });
  it('11: bad volumes are typed errors (not silently skipped)', () => {
    assert.throws(
      () => build({ volumes: [{ source: '/a', target: '' }] }),
      code(ErrorCode.OCI_INVALID_MOUNT),
    );
    assert.throws(() => build({ volumes: [{ target: '/a' }] }), code(ErrorCode.OCI_INVALID_MOUNT));
    assert.throws(
      () => build({ volumes: [{ source: 'rel', target: '/a' }] }),
      code(ErrorCode.OCI_INVALID_MOUNT),
    );
    assert.throws(
      () => build({ volumes: [{ kind: 'nfs', source: '/a', target: '/a' }] }),
      code(ErrorCode.OCI_INVALID_MOUNT),
    );
    assert.throws(
      () => build({ volumes: [{ kind: 'tmpfs', target: '/a', sizeBytes: -1 }] }),
      code(ErrorCode.OCI_INVALID_VALUE),
    );
  });
  it('12: devices from the stat callback, with a device-cgroup allow rule', () => {
    const statDevice = (p: string): DeviceNode | undefined =>
      p === '/dev/kvm'
        ? { path: p, type: 'c', major: 10, minor: 232, fileMode: 0o660, uid: 0, gid: 108 }
        : undefined;
    const spec = build({ devices: ['/dev/kvm'] }, { statDevice });
    assert.deepEqual(spec.linux.devices, [
      { path: '/dev/kvm', type: 'c', major: 10, minor: 232, fileMode: 0o660, uid: 0, gid: 108 },
    ]);
    assert.deepEqual(spec.linux.resources.devices[1], {
      allow: true,
      type: 'c',
      major: 10,
      minor: 232,
      access: 'rwm',
    });
    assert.throws(
      () => build({ devices: ['/dev/nope'] }, { statDevice }),
      (e: unknown) =>
        hasCode(e, ErrorCode.OCI_DEVICE_NOT_FOUND) && (e as Error).message.includes('/dev/nope'),
    );
  });
  it('13: cgroupsPath = <cell cgroup>/<containerdId>, always absolute', () => {
    assert.equal(
      build({ cellCgroupPath: '/kukeon/r/s/st/cell/' }).linux.cgroupsPath,
      '/kukeon/r/s/st/cell/sp_st_cell_web',
    );
    assert.throws(() => build({ cellCgroupPath: 'kukeon/r' }), code(ErrorCode.OCI_INVALID_CGROUPS_PATH));
  });
  it('14: read-only rootfs', () => {
    assert.equal(build({ readOnlyRootFilesystem: true }).root.readonly, true);
  });
  it('14: capabilities drop then add, normalised', () => {
    const caps = build({ capabilities: { drop: ['chown', 'CAP_KILL'], add: ['net_admin', 'CAP_CHOWN'] } })
      .process.capabilities;
    assert.ok(!caps.bounding.includes('CAP_KILL'));
    assert.ok(caps.bounding.includes('CAP_CHOWN'));
    assert.equal(caps.bounding.at(-1), 'CAP_CHOWN');
    assert.ok(caps.effective.includes('CAP_NET_ADMIN'));
    assert.deepEqual(caps.bounding, caps.permitted);
  });
  it('14: drop ALL then add one', () => {
    const caps = build({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }).process.capabilities;
    assert.deepEqual(caps.bounding, ['CAP_NET_BIND_SERVICE']);
  });
  it('14: security opts: no-new-privileges=false, seccomp profile and unconfined', () => {
    assert.equal(build({ securityOpts: ['no-new-privileges=false'] }).process.noNewPrivileges, false);
    const profile = { defaultAction: 'SCMP_ACT_ALLOW' };
    const withProfile = build(
      { securityOpts: ['seccomp=/p.json'] },
      { readSeccompProfile: () => JSON.stringify(profile) },
    );
    assert.deepEqual(withProfile.linux.seccomp, profile);
    const unconfined = build(
      { securityOpts: ['seccomp=/p.json', 'seccomp:unconfined'] },
      { readSeccompProfile: () => JSON.stringify(profile) },
    );
    assert.equal(unconfined.linux.seccomp, undefined);
    assert.throws(
      () => build({ securityOpts: ['seccomp=/p.json'] }, { readSeccompProfile: () => '[1]' }),
      code(ErrorCode.OCI_INVALID_SECCOMP_PROFILE),
    );
    assert.throws(
      () => build({ securityOpts: ['seccomp=/p.json'] }, { readSeccompProfile: () => 'nope' }),
      code(ErrorCode.OCI_INVALID_SECCOMP_PROFILE),
    );
    assert.throws(() => build({ securityOpts: ['apparmor=x'] }), code(ErrorCode.OCI_INVALID_SECURITY_OPT));
  });
  it('14: tmpfs entries after volumes: nosuid,nodev,size then user options', () => {
    const spec = build({
      volumes: [{ source: '/h', target: '/v' }],
      tmpfs: [{ path: '/scratch', sizeBytes: 4096, options: ['noexec', 'mode=0700'] }],
    });
    assert.deepEqual(spec.mounts.slice(7), [
      { destination: '/v', type: 'bind', source: '/h', options: ['rbind', 'rw'] },
      {
        destination: '/scratch',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'nodev', 'size=4096', 'noexec', 'mode=0700'],
      },
    ]);
  });
  it('11: a mount inside another comes after it, whatever list it came from (tmpfs /run, secret /run/secrets/x)', () => {
    const spec = build({
      volumes: [
        { source: '/h/data', target: '/run/data' },
        { source: '/h/a', target: '/a' },
      ],
      secretMounts: [{ name: 'token', source: '/staged/token', target: '/run/secrets/token' }],
      tmpfs: [{ path: '/run' }],
    });
    assert.deepEqual(
      spec.mounts.slice(7).map((m) => m.destination),
      ['/a', '/run', '/run/data', '/run/secrets/token'],
    );
  });
  it('14: resources memory, cpu shares, pids; zero means unset; negatives are errors', () => {
    const r = build({ resources: { memoryLimitBytes: 64 << 20, cpuShares: 512, pidsLimit: 32 } }).linux
      .resources;
    assert.deepEqual(r.memory, { limit: 64 << 20 });
    assert.deepEqual(r.cpu, { shares: 512 });
    assert.deepEqual(r.pids, { limit: 32 });
    const none = build({ resources: { memoryLimitBytes: 0, cpuShares: 0, pidsLimit: 0 } }).linux.resources;
    assert.equal(none.memory, undefined);
    assert.equal(none.cpu, undefined);
    assert.equal(none.pids, undefined);
    assert.throws(() => build({ resources: { pidsLimit: -1 } }), code(ErrorCode.OCI_INVALID_VALUE));
    assert.throws(() => build({ resources: { memoryLimitBytes: 1.5 } }), code(ErrorCode.OCI_INVALID_VALUE));
  });
  it('14: user resolution of the container overrides the image USER', () => {
    assert.deepEqual(build({ imageConfig: { Cmd: ['x'], User: 'app' }, user: '0:0' }).process.user, {
      uid: 0,
      gid: 0,
    });
    assert.throws(() => build({ user: 'ghost' }), code(ErrorCode.OCI_USER_NOT_FOUND));
  });
  it('15: the kukeon group GID is appended once, after user resolution', () => {
    assert.deepEqual(build({ user: 'app', kukeonGroupGid: 990 }).process.user.additionalGids, [10, 50, 990]);
    assert.deepEqual(build({ user: 'app', kukeonGroupGid: 50 }).process.user.additionalGids, [10, 50]);
    assert.deepEqual(build({ kukeonGroupGid: 990 }).process.user, { uid: 0, gid: 0, additionalGids: [990] });
    assert.deepEqual(
      build({ user: 'app', kukeonGroupGid: 990, supplementaryGids: [4242, 990] }).process.user.additionalGids,
      [10, 50, 990, 4242],
    );
  });
  it('16: the daemon default memory limit only when the container sets none', () => {
    assert.deepEqual(build({ defaultMemoryLimitBytes: 1 << 30 }).linux.resources.memory, { limit: 1 << 30 });
    assert.deepEqual(
      build({ defaultMemoryLimitBytes: 1 << 30, resources: { memoryLimitBytes: 1 << 20 } }).linux.resources
        .memory,
      {
        limit: 1 << 20,
      },
    );
  });
  it('17: attachable runs on a terminal with a TERM, and keeps a TERM the user set', () => {
    const spec = build({ command: 'sh', terminal: true });
    assert.equal(spec.process.terminal, true);
    assert.ok(spec.process.env.includes('TERM=xterm'));
    assert.deepEqual(spec.process.args, ['sh']);
    const own = build({ command: 'sh', terminal: true, env: ['TERM=screen'] });
    assert.deepEqual(
      own.process.env.filter((e) => e.startsWith('TERM=')),
      ['TERM=screen'],
    );
    assert.notEqual(build({ command: 'sh' }).process.terminal, true);
  });
  it('18: CNI config annotation plus user annotations', () => {
    const spec = build({ cniConfigPath: '/opt/kukeon/data/r/s/network.conflist', annotations: { a: 'b' } });
    assert.deepEqual(spec.annotations, {
      a: 'b',
      [CNI_CONFIG_ANNOTATION]: '/opt/kukeon/data/r/s/network.conflist',
    });
  });
  it('18: the shim group annotation names the shim the container shares', () => {
    assert.deepEqual(build({ shimGroup: 's_t_c_root' }).annotations, {
      [SHIM_GROUP_ANNOTATION]: 's_t_c_root',
    });
  });
});

describe('rlimits', () => {
  it('clamps RLIMIT_NOFILE to the host hard limit (fake host at 512)', () => {
    assert.deepEqual(build({}, { hardRlimits: { RLIMIT_NOFILE: 512 } }).process.rlimits, [
      { type: 'RLIMIT_NOFILE', hard: 512, soft: 512 },
    ]);
  });
  it('keeps the default when the host allows more (or is unlimited)', () => {
    assert.deepEqual(build({}, { hardRlimits: { RLIMIT_NOFILE: 20000 } }).process.rlimits[0], {
      type: 'RLIMIT_NOFILE',
      hard: 1024,
      soft: 1024,
    });
    assert.deepEqual(build({}, { hardRlimits: { RLIMIT_NOFILE: Infinity } }).process.rlimits[0].hard, 1024);
  });
});

describe('root vs workload', () => {
  it('the root names the cell: hostname = input hostname, else the containerd ID', () => {
    assert.equal(build({ role: 'root', hostname: 'cell' }).hostname, 'cell');
    assert.equal(build({ role: 'root' }).hostname, 'sp_st_cell_web');
  });
  it('a workload never sets a hostname, even if given one', () => {
    assert.equal(build({ hostname: 'x' }).hostname, undefined);
  });
  it('a joiner gets the namespace paths and no hostname', () => {
    const spec = build({
      role: 'root',
      hostname: 'cell',
      joinNamespaces: { network: '/proc/42/ns/net', ipc: '/proc/42/ns/ipc', uts: '/proc/42/ns/uts' },
    });
    assert.equal(spec.hostname, undefined);
    assert.deepEqual(spec.linux.namespaces, [
      { type: 'pid' },
      { type: 'ipc', path: '/proc/42/ns/ipc' },
      { type: 'uts', path: '/proc/42/ns/uts' },
      { type: 'mount' },
      { type: 'network', path: '/proc/42/ns/net' },
      { type: 'cgroup' },
    ]);
  });
  it('a host-network workload still joins the root netns (appended)', () => {
    const spec = build({ hostNetwork: true, joinNamespaces: { network: '/proc/7/ns/net' } });
    assert.deepEqual(spec.linux.namespaces.at(-1), { type: 'network', path: '/proc/7/ns/net' });
  });
});

describe('purity', () => {
  it('does not modify its input and gives equal output for equal input', () => {
    const input: ContainerSpecInput = {
      ...base,
      env: ['A=1'],
      volumes: [{ source: '/a', target: '/a' }],
      terminal: true,
    };
    const before = structuredClone(input);
    const a = buildOciSpec(input, {});
    a.mounts.at(-1)?.options.push('mutated');
    assert.deepEqual(input, before);
    assert.deepEqual(buildOciSpec(input, {}).mounts.at(-1)?.options, a.mounts.at(-1)?.options.slice(0, -1));
  });
});
