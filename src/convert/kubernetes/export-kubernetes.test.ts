import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { parse, parseAllDocuments } from 'yaml';
import { parseManifestStream } from '../../api/index.js';
import { hasCode } from '../../errors.js';
import {
  exportToKubernetes,
  kubernetesErrorCodes,
  kubernetesYaml,
  type KubernetesObject,
  type KukeonCell,
  type KukeonSpace,
} from './export-kubernetes.js';
import { everyFieldCell, exportFixtures, plainCell } from './testdata/export-fixtures.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function exportOf(yaml: string, includeValues = false) {
  const docs = parseManifestStream(yaml);
  return exportToKubernetes(
    {
      spaces: docs.filter((d) => d.kind === 'Space').map((d) => d.doc as KukeonSpace),
      cells: docs.filter((d) => d.kind === 'Cell').map((d) => d.doc as KukeonCell),
    },
    includeValues ? { secretValue: (k) => `value-of-${k.key}` } : {},
  );
}

const models = { Namespace, NetworkPolicy, Pod, Secret, PersistentVolumeClaim } as Record<
  string,
  new (d: never) => { validate(): void }
>;

for (const [name, yaml] of Object.entries(exportFixtures)) {
  test(`export fixture "${name}": every object validates against the Kubernetes schema, as printed`, () => {
    const r = exportOf(yaml);
    assert.ok(r.objects.length > 0);
    // What is printed, read back, validates again (no field lost between model and YAML).
    const printed = parseAllDocuments(kubernetesYaml(r.objects)).map((d) => d.toJS() as KubernetesObject);
    assert.equal(printed.length, r.objects.length);
    for (const o of printed) {
      const Model = models[o.kind!];
      assert.ok(Model, `unexpected kind ${o.kind}`);
      new Model(o as never).validate();
    }
  });
}

test('a cell without secrets or volumes is exactly one Pod: root dropped, names, argv, env, pull policy', () => {
  const r = exportOf(plainCell);
  assert.equal(r.objects.length, 1);
  const pod = r.objects[0] as Json;
  assert.equal(pod.kind, 'Pod');
  assert.deepEqual(pod.metadata.name, 'hello');
  assert.equal(pod.metadata.namespace, 'web');
  assert.equal(pod.metadata.labels['kukeon.io/cell'], 'hello');
  assert.deepEqual(
    pod.spec.containers.map((c: Json) => c.name),
    ['web', 'probe'],
  );
  const web = pod.spec.containers[0];
  assert.deepEqual(web.command, ['sh']);
  assert.deepEqual(web.args, ['-c', 'httpd -f -p 8080']);
  assert.deepEqual(web.env, [{ name: 'GREETING', value: 'hi' }]);
  assert.equal(web.imagePullPolicy, 'IfNotPresent');
  assert.equal(pod.spec.restartPolicy, 'Never');
  assert.deepEqual(r.notes, []);
});

test("a container's imagePullPolicy is exported as it is; unset is IfNotPresent", () => {
  const r = exportOf(
    plainCell.replace('env: [GREETING=hi] }', 'env: [GREETING=hi], imagePullPolicy: Always }'),
  );
  const [web, probe] = (r.objects[0] as Json).spec.containers;
  assert.equal(web.imagePullPolicy, 'Always');
  assert.equal(probe.imagePullPolicy, 'IfNotPresent');
});

test('every field: securityContext, resources, ports, volumes, secrets without values, notes', () => {
  const r = exportOf(everyFieldCell);
  const kinds = r.objects.map((o) => `${o.kind}/${o.metadata?.name}`);
  assert.deepEqual(kinds, [
    'Secret/every.field-secrets',
    'Secret/db-pass',
    'PersistentVolumeClaim/pgdata',
    'PersistentVolumeClaim/shared',
    'Pod/every.field',
  ]);
  const pod = r.objects[4] as Json;
  assert.equal(pod.spec.hostPID, true);
  // Stop settings: the signal by name, the Pod's grace period the longest.
  assert.deepEqual(pod.spec.containers[0].lifecycle, { stopSignal: 'SIGINT' });
  assert.deepEqual(pod.spec.containers[1].lifecycle, { stopSignal: 'SIGQUIT' });
  assert.equal(pod.spec.terminationGracePeriodSeconds, 30);
  assert.deepEqual(pod.spec.os, { name: 'linux' });
  assert.equal(pod.spec.restartPolicy, 'OnFailure');
  const api = pod.spec.containers[0];
  assert.equal(api.name, 'api');
  // $$ and $(NAME) of a variable the container has are escaped so Kubernetes does not expand
  // them; $(date) is no variable reference Kubernetes could resolve, so it stays.
  assert.deepEqual(api.args, ['-c', 'echo $(date) $$(MODE) $$$$ $HOME']);
  assert.deepEqual(api.env.slice(0, 3), [
    { name: 'MODE', value: 'prod' },
    { name: 'QUOTED', value: 'a $(b) c $$(MODE)' },
    { name: 'EMPTY', value: '' },
  ]);
  assert.deepEqual(api.env[3], {
    name: 'TOKEN',
    valueFrom: { secretKeyRef: { name: 'every.field-secrets', key: 'api.TOKEN' } },
  });
  assert.deepEqual(api.env[4], { name: 'DB', valueFrom: { secretKeyRef: { name: 'db-pass', key: 'data' } } });
  assert.equal(api.workingDir, '/srv');
  assert.deepEqual(api.ports, [
    { containerPort: 80, protocol: 'TCP', hostPort: 8080 },
    { containerPort: 53, protocol: 'UDP', hostPort: 5353, hostIP: '127.0.0.1' },
  ]);
  assert.deepEqual(api.securityContext, {
    privileged: true,
    readOnlyRootFilesystem: true,
    capabilities: { add: ['NET_ADMIN', 'CHOWN'], drop: ['ALL'] },
    runAsUser: 1000,
    runAsGroup: 2000,
    allowPrivilegeEscalation: false,
    seccompProfile: { type: 'Unconfined' },
  });
  assert.deepEqual(api.resources, { limits: { memory: '268435456' }, requests: { cpu: '500m' } });
  assert.equal(api.stdin, true);
  assert.equal(api.tty, true);
  const volumes = Object.fromEntries((pod.spec.volumes as Json[]).map((v) => [v.name, v]));
  const mountOf = (path: string) => api.volumeMounts.find((m: Json) => m.mountPath === path);
  assert.deepEqual(volumes[mountOf('/data').name].hostPath, { path: '/srv/data' });
  assert.equal(mountOf('/data').readOnly, true);
  assert.deepEqual(volumes[mountOf('/cache').name].emptyDir, { medium: 'Memory', sizeLimit: '2097152' });
  assert.deepEqual(volumes[mountOf('/tmp').name].emptyDir, { medium: 'Memory', sizeLimit: '1048576' });
  assert.deepEqual(volumes[mountOf('/var/lib/pg').name].persistentVolumeClaim, { claimName: 'pgdata' });
  assert.deepEqual(volumes[mountOf('/shared').name].persistentVolumeClaim, { claimName: 'shared' });
  const tls = mountOf('/run/secrets/tls.key');
  assert.equal(tls.subPath, 'api.tls.key');
  assert.equal(volumes[tls.name].secret.secretName, 'every.field-secrets');
  // No values without --include-secret-values: the keys are named in an annotation.
  const secret = r.objects[0] as Json;
  assert.equal(secret.data, undefined);
  assert.equal(secret.stringData, undefined);
  assert.equal(secret.metadata.annotations['kukeon.io/keys-without-values'], 'api.TOKEN,api.tls.key');
  const notes = r.notes.map((n) => `${n.where}: ${n.reason}`).join('\n');
  for (const expected of [
    /cell "Every.Field": name "Every.Field" has upper case letters/,
    /container "api" resources.pidsLimit/,
    /container "api" args\[1\]: has \$\$ or \$\(VAR\)/,
    /container "api" env QUOTED: has \$\$ or \$\(VAR\)/,
    /container "api" securityOpts "apparmor=custom"/,
    /container "api" devices/,
    /container "api" networks/,
    /container "api" restartMaxRetries/,
    /container "api" volumes\[1\].mode/,
    /container "api" tmpfs "\/tmp" options/,
    /container "sidecar" user: "nobody" is a name/,
    /container "sidecar" restartBackoffSeconds/,
    /cell "Every.Field" restartPolicy: containers differ/,
    /cell "Every.Field" stopGracePeriodSeconds: containers differ; the Pod waits the longest \(30 s\)/,
    /cell "Every.Field" hostPID/,
    /cell "Every.Field" autoDelete/,
    /cell "Every.Field" secrets: exported without values/,
    /cell "Every.Field" volumes: kukeon Volumes have no size/,
  ])
    assert.match(notes, expected);
  // The pause root is dropped without a note.
  assert.doesNotMatch(notes, /container "root"/);
});

test('--include-secret-values puts the resolved values into data (base64, bytes as they are)', () => {
  const r = exportOf(everyFieldCell, true);
  const secret = r.objects[0] as Json;
  assert.equal(secret.stringData, undefined);
  assert.deepEqual(secret.data, {
    'api.TOKEN': Buffer.from('value-of-api.TOKEN').toString('base64'),
    'api.tls.key': Buffer.from('value-of-api.tls.key').toString('base64'),
  });
  assert.equal(secret.metadata.annotations, undefined);
});

test('a deny space: Namespace plus a NetworkPolicy with CIDR/port rules; host rules an annotation and a note', () => {
  const r = exportOf(exportFixtures['deny space']);
  const [ns, np] = r.objects as Json[];
  assert.equal(ns.kind, 'Namespace');
  assert.equal(ns.metadata.name, 'agents');
  assert.deepEqual(ns.metadata.labels, { tier: 'ai', 'kukeon.io/realm': 'lab', 'kukeon.io/space': 'Agents' });
  assert.equal(np.kind, 'NetworkPolicy');
  assert.equal(np.metadata.namespace, 'agents');
  assert.deepEqual(np.spec.policyTypes, ['Egress']);
  assert.deepEqual(np.spec.egress[0], { to: [{ podSelector: {} }] });
  assert.deepEqual(np.spec.egress[1].to, [{ ipBlock: { cidr: '10.0.0.0/8' } }]);
  assert.equal(np.spec.egress[1].ports.length, 4);
  assert.deepEqual(np.spec.egress[2], { to: [{ ipBlock: { cidr: '192.168.0.0/16' } }] });
  assert.equal(np.metadata.annotations['kukeon.io/egress-allow-hosts'], 'api.example.com:443');
  assert.match(
    r.notes.map((n) => n.reason).join('\n'),
    /host rules \(api.example.com:443\) have no NetworkPolicy form/,
  );
});

test('an isolated deny space: an ingress NetworkPolicy shutting out the namespace itself, no egress to its own Pods', () => {
  const r = exportOf(
    exportFixtures['deny space'].replace('  network:\n', '  network:\n    isolation: cells\n'),
  );
  const [ns, iso, np] = r.objects as Json[];
  assert.equal(ns.kind, 'Namespace');
  assert.deepEqual(
    [iso.kind, iso.metadata.name, iso.spec.policyTypes],
    ['NetworkPolicy', 'kukeon-isolation', ['Ingress']],
  );
  assert.deepEqual(iso.spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values, ['agents']);
  assert.deepEqual(np.spec.egress[0].to, [{ ipBlock: { cidr: '10.0.0.0/8' } }]);
  assert.match(r.notes.map((n) => n.reason).join('\n'), /admits everything but the namespace's own Pods/);
});

test('an object the schema rejects fails the whole export with KUBERNETES_EXPORT_INVALID', () => {
  const cell = parse(plainCell) as Json;
  cell.spec.containers[0].resources = { memoryLimitBytes: 1 };
  // A hostPort without a container port number cannot come from a valid manifest; force one
  // through the typed path: an image that is not a string.
  cell.spec.containers[0].image = 42;
  assert.throws(
    () => exportToKubernetes({ spaces: [], cells: [cell as KukeonCell] }),
    (err: unknown) =>
      hasCode(err, kubernetesErrorCodes.invalid) && /Pod "hello".*image/.test((err as Error).message),
  );
});
