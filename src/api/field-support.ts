/**
 * What this build does with every field of every v1beta1 kind: the one table to edit when a
 * field's feature lands (docs/manifests.md, "Field support"). Every field is
 *
 * - `applied` — it takes effect, and the named tests prove it (on the host where it acts there);
 * - `refused` — `kuke apply` (and CreateCell/CreateRealm, and kukeond for its configuration)
 *   rejects a document that sets it, naming the document, the container and the field, and
 *   changes nothing (`refusedFields`);
 * - `stamped` — written by kukeon (status, generation, derived paths); a value in a manifest is
 *   replaced by kukeon's, as `kuke get -o yaml | kuke apply -f -` needs.
 *
 * `src/api/field-support.test.ts` walks every schema and fails on a field missing here, on an
 * entry naming no field, and on a proof whose file or test title does not exist. To apply a field
 * that is refused today: build it, prove it in a test, and replace its `refused(...)` with
 * `applied(...)` naming that test.
 *
 * Keys: `<Kind>.<path>`, list items `[]`; the fields of a container (in a Cell or a Container
 * document) are keyed once, `ContainerSpec.<field>`. A `refused` or `stamped` entry on an object
 * covers everything below it; `applied` entries name every leaf.
 */

/** A test that shows the field at work: the file, the test's title as written, and for a
 *  table-driven test the text of the row (e.g. `field: 'user'`). */
export interface Proof {
  file: string;
  test: string;
  row?: string;
}

/** A value of an applied field that this build does not support (e.g. `kind: volume`). */
export interface Exception {
  when: (value: unknown) => boolean;
  hint: string;
}

export type FieldSupport =
  | { status: 'applied'; proofs: Proof[]; except?: Exception }
  | {
      status: 'refused';
      /** Refused only for these values (default: whenever the field is set). */
      when?: (value: unknown) => boolean;
      /** Shown after "not supported by this build": what to do instead. */
      hint?: string;
    }
  | { status: 'stamped'; why: string };

const e2e = (file: string, test: string, row?: string): Proof => ({
  file: `test/e2e/${file}.test.ts`,
  test,
  ...(row !== undefined && { row }),
});
const unit = (file: string, test: string, row?: string): Proof => ({
  file: `src/${file}.test.ts`,
  test,
  ...(row !== undefined && { row }),
});
const applied = (...proofs: Proof[]): FieldSupport => ({ status: 'applied', proofs });
const refused = (hint?: string, when?: (value: unknown) => boolean): FieldSupport => ({
  status: 'refused',
  ...(hint && { hint }),
  ...(when && { when }),
});
const stamped = (why: string): FieldSupport => ({ status: 'stamped', why });

// Proofs used by several fields.
const secretRefProof = e2e(
  'container-secrets',
  'secretRef reaches the container as env and as a 0400 file; nothing staged is left after the cell is deleted',
);
const secretKind = e2e(
  'cli-secrets',
  'create secret, apply a Secret and a cell using both; get never shows the data',
);
const secretUnit = unit(
  'runner/cell/container-secrets',
  'secretRef reads the Secret at its exact coordinates; mountPath makes a file; revisions name no value',
);
const scopesOnHost = e2e(
  'runner-scopes',
  'create realm → space → stack lands exactly in containerd, cgroups, CNI conflist and metadata',
);
const scopeUpdates = e2e('runner-scopes', 'compatible updates are saved; breaking ones are refused');
const applyLabels = e2e(
  'daemon-kukeond',
  'apply: created, unchanged on re-apply, updated on a label change, breaking → failed',
);
const parsing = unit('api/parse-manifest', 'parses the spec example (4 documents, indices in order)');
const registryCredentials = [
  e2e(
    'images-pull-auth',
    "a realm's registryCredentials are used for its pulls: the exact server first, then the default entry",
  ),
];
const registryTrust = [
  unit(
    'daemon/serve/daemon-settings',
    'registryCertsDir and insecureRegistries: file, then env, then the flag; the runner gets them',
  ),
  e2e(
    'registry-daemon-tls',
    'kukeond pulls over TLS with a CA from NODE_EXTRA_CA_CERTS, from its certs dir, and from an insecure-listed registry; an unknown CA fails',
  ),
];
const cellOnHost = e2e(
  'runner-cells',
  'a cell with a default root and two workloads starts; they share the network and reach each other',
);
const cellApply = e2e(
  'daemon-kukeond',
  'cells: apply creates and starts, re-apply is unchanged, an env change updates, delete -f removes',
);
const workload = (row: string) =>
  e2e(
    'runner-cell-updates',
    'workload ${c.field}: the running container has the new setting, the cell is Ready',
    `field: '${row}'`,
  );
const rootChange = e2e(
  'runner-cell-updates',
  'root ${c.field}: new root task with the setting, workload rejoined its network, cell Ready',
);
const stopGrace = e2e(
  'cli-stop-grace',
  "a container's stopSignal and stopGracePeriodSeconds: delete sends that signal and waits that long",
);
const fields = (test: string) => e2e('container-fields', test);
const identityProof = fields('every container gets the KUKEON_* identity variables and its git identity');
const spaceDefaults = [
  unit('model/space-defaults', 'fills every unset field'),
  fields('space container defaults reach the containers of its cells'),
];
const tmpfsVolumes = e2e(
  'oci-spec-run',
  'read-only rootfs refuses writes; tmpfs and tmpfs volumes are writable with their options',
);
const volumeKind = e2e('volumes', 'create, get, apply and delete volumes through kuke');
const volumeData = e2e(
  'volumes',
  'data written by one cell is read by the next cell mounting the same volume; a running one holds it',
);
const volumeEnsure = e2e(
  'volumes',
  'ensure creates the volume on first use, owned by the user the container runs as; volumeRef and readOnly',
);
const volumeRetain = e2e('volumes', 'a Retain volume survives delete realm --cascade and is found again');
const settings = unit('daemon/serve/daemon-settings', 'precedence: flag > env > file > default');
const daemonOnHost = e2e('cli-daemon', 'init provisions the instance and starts a daemon that answers');
const status = stamped('written by kukeon; the status in a manifest is replaced by the observed one');
const generation = stamped('counted by kukeon on every change');
const templatesKind = e2e(
  'blueprints',
  'blueprints and configs: apply, get (table, wide, yaml, json), delete; create config scaffolds one',
);
const fromBlueprint = e2e(
  'blueprints',
  'run --from-blueprint: a required and a defaulted parameter, with and without --param, in the container env',
);
const blueprintRefusals = e2e(
  'blueprints',
  'unknown blueprint, undeclared param and missing required param are refused and create nothing',
);
const fromConfig = e2e(
  'blueprints',
  'a config fills values and a secret slot; ten cells from it at once get ten names and all run',
);
const configDrift = e2e(
  'blueprints',
  'changing the config marks exactly its cells OutOfSync; a restart re-materialises them',
);
const cloneProof = e2e('blueprints', '--clone of a running cell makes a new cell from the same source');
const isSet = (v: unknown) => v !== undefined && v !== null && v !== '' && v !== false && v !== 0;

/** The ContainerSpec fields a blueprint container has (all but the stamped ones and the restart counters). */
const BLUEPRINT_CONTAINER_FIELDS = new Set([
  'id',
  'root',
  'image',
  'command',
  'args',
  'workingDir',
  'env',
  'ports',
  'volumes',
  'networks',
  'networksAliases',
  'privileged',
  'hostNetwork',
  'hostPID',
  'hostCgroup',
  'user',
  'readOnlyRootFilesystem',
  'capabilities',
  'securityOpts',
  'devices',
  'tmpfs',
  'resources',
  'repos',
  'git',
  'restartPolicy',
  'attachable',
  'tty',
]);

export const fieldSupport: Record<string, FieldSupport> = {
  // Realm
  'Realm.apiVersion': applied(parsing),
  'Realm.kind': applied(parsing),
  'Realm.metadata.name': applied(scopesOnHost),
  'Realm.metadata.labels': applied(scopesOnHost, applyLabels),
  'Realm.metadata.generation': generation,
  'Realm.spec.namespace': applied(
    scopesOnHost,
    unit('api/parse-manifest', 'an explicit realm namespace must be a valid containerd namespace'),
  ),
  'Realm.spec.registryCredentials[].username': applied(...registryCredentials),
  'Realm.spec.registryCredentials[].password': applied(...registryCredentials),
  'Realm.spec.registryCredentials[].serverAddress': applied(...registryCredentials),
  'Realm.spec.registryCredentials[].passwordSecret': applied(
    ...registryCredentials,
    unit(
      'runner/images/realm-credentials',
      'apply: the same inline password is no change, a new one is written, a removed entry takes its Secret',
    ),
  ),
  'Realm.status': status,

  // Space
  'Space.apiVersion': applied(parsing),
  'Space.kind': applied(parsing),
  'Space.metadata.name': applied(scopesOnHost),
  'Space.metadata.labels': applied(scopeUpdates),
  'Space.metadata.generation': generation,
  'Space.spec.realmId': applied(scopesOnHost),
  'Space.spec.cniConfigPath': stamped('the path of the conflist kukeon writes for the space'),
  'Space.spec.network.egress.default': applied(
    e2e('egress-policy', 'default deny (updateSpace + ensureSpace) blocks TCP and ICMP to the outside'),
    e2e(
      'host-isolation',
      'a cell of a deny space does not: neither through its gateway nor on another host address',
    ),
  ),
  'Space.spec.network.egress.allow[].host': applied(
    e2e(
      'egress-policy',
      'host rules are resolved first; a failed lookup leaves the rules in force untouched',
    ),
  ),
  'Space.spec.network.egress.allow[].cidr': applied(
    e2e('egress-policy', 'an allow CIDR with a port lets exactly that through'),
  ),
  'Space.spec.network.egress.allow[].ports': applied(
    e2e('egress-policy', 'an allow CIDR with a port lets exactly that through'),
  ),
  'Space.spec.network.isolation': applied(
    e2e(
      'cell-isolation',
      'with isolation on, a cell cannot reach another cell of the space; its published port still answers',
    ),
    e2e('cell-isolation', 'a changed setting is applied on re-apply of the space, both ways'),
  ),
  'Space.spec.defaults.container.user': applied(...spaceDefaults),
  'Space.spec.defaults.container.readOnlyRootFilesystem': applied(...spaceDefaults),
  'Space.spec.defaults.container.capabilities.drop': applied(...spaceDefaults),
  'Space.spec.defaults.container.capabilities.add': applied(...spaceDefaults),
  'Space.spec.defaults.container.securityOpts': applied(...spaceDefaults),
  'Space.spec.defaults.container.tmpfs[].path': applied(...spaceDefaults),
  'Space.spec.defaults.container.tmpfs[].sizeBytes': applied(...spaceDefaults),
  'Space.spec.defaults.container.tmpfs[].options': applied(...spaceDefaults),
  'Space.spec.defaults.container.resources.memoryLimitBytes': applied(...spaceDefaults),
  'Space.spec.defaults.container.resources.cpuShares': applied(...spaceDefaults),
  'Space.spec.defaults.container.resources.pidsLimit': applied(...spaceDefaults),
  'Space.status': status,

  // Stack
  'Stack.apiVersion': applied(parsing),
  'Stack.kind': applied(parsing),
  'Stack.metadata.name': applied(scopesOnHost),
  'Stack.metadata.labels': applied(scopeUpdates),
  'Stack.metadata.generation': generation,
  'Stack.spec.id': applied(
    unit('api/convert', 'spec.id defaults to metadata.name for cells and stacks; names are trimmed'),
    scopesOnHost,
  ),
  'Stack.spec.realmId': applied(scopesOnHost),
  'Stack.spec.spaceId': applied(scopesOnHost),
  'Stack.status': status,

  // Cell
  'Cell.apiVersion': applied(parsing),
  'Cell.kind': applied(parsing),
  'Cell.metadata.name': applied(cellOnHost, cellApply),
  'Cell.metadata.labels': applied(
    unit(
      'model/naming/container-labels',
      'root labels: cell labels first, kukeon keys win, container-type last',
    ),
    fields('cell labels and annotations are kept; labels reach the root container record'),
  ),
  'Cell.metadata.annotations': applied(
    fields('cell labels and annotations are kept; labels reach the root container record'),
  ),
  'Cell.metadata.generation': generation,
  'Cell.spec.id': applied(cellOnHost),
  'Cell.spec.realmId': applied(cellOnHost),
  'Cell.spec.spaceId': applied(cellOnHost),
  'Cell.spec.stackId': applied(cellOnHost),
  'Cell.spec.rootContainerId': applied(rootChange),
  'Cell.spec.tty.default': applied(
    unit(
      'cli/commands/attach',
      'run attaches to --container, else spec.tty.default, else the first attachable one',
    ),
  ),
  'Cell.spec.autoDelete': applied(
    e2e('runner-cells', 'an AutoDelete cell whose workloads exit is removed by reconcile'),
  ),
  'Cell.spec.nestedCgroupRuntime': applied(
    e2e('runner-cell-updates', 'nestedCgroupRuntime toggled: the cell is recreated and Ready'),
    e2e(
      'oci-spec-run',
      'nested cgroup runtime: its own cgroup subtree at /sys/fs/cgroup (cgroup namespace), limits visible',
    ),
  ),
  'Cell.spec.provenance.bindingKind': applied(fromConfig, configDrift),
  'Cell.spec.provenance.bindingRef.name': applied(fromConfig, configDrift),
  'Cell.spec.provenance.bindingRef.realm': applied(fromConfig, configDrift),
  'Cell.spec.provenance.bindingRef.space': applied(templatesKind, configDrift),
  'Cell.spec.provenance.bindingRef.stack': applied(templatesKind, configDrift),
  'Cell.spec.provenance.params': applied(cloneProof),
  'Cell.spec.provenance.envOverrides': applied(fromConfig),
  'Cell.spec.provenance.generation': applied(configDrift),
  'Cell.spec.provenance.blueprintGeneration': applied(configDrift),
  'Cell.spec.runtimeEnv': applied(e2e('attach', 'kuke run <cell> --env injects env into that start only')),
  'Cell.spec.ignoreDiskPressure': refused('this build has no disk-pressure guard to bypass'),
  'Cell.status': status,

  // Secret (docs/secrets.md)
  'Secret.apiVersion': applied(parsing),
  'Secret.kind': applied(parsing),
  'Secret.metadata.name': applied(secretKind),
  'Secret.metadata.realm': applied(secretKind),
  'Secret.metadata.space': applied(secretKind, secretRefProof),
  'Secret.metadata.stack': applied(secretRefProof),
  'Secret.metadata.cell': applied(
    e2e(
      'container-secrets',
      'a cell-scoped Secret reaches a container of its cell and is removed with the cell',
    ),
  ),
  'Secret.spec.data': applied(secretKind, secretRefProof),

  // Volume (docs/volumes.md)
  'Volume.apiVersion': applied(parsing),
  'Volume.kind': applied(parsing),
  'Volume.metadata.name': applied(volumeKind),
  'Volume.metadata.realm': applied(volumeKind),
  'Volume.metadata.space': applied(volumeKind),
  'Volume.metadata.stack': applied(volumeEnsure),
  'Volume.spec.reclaimPolicy': applied(volumeKind, volumeRetain),
  'Volume.status': status,

  // Container (a container added to an existing cell); its spec is ContainerSpec below.
  'Container.apiVersion': applied(parsing),
  'Container.kind': applied(parsing),
  'Container.metadata.name': applied(
    unit('api/convert', 'standalone Container: spec.id defaults to metadata.name'),
    fields('a Container document adds a workload to a running cell'),
  ),
  'Container.metadata.labels': refused('labels belong to the cell', (v) => isNonEmpty(v)),
  'Container.status': status,

  // ContainerSpec: every container, in a Cell or in a Container document.
  'ContainerSpec.id': applied(cellOnHost),
  'ContainerSpec.containerdId': stamped('derived from the names: <space>_<stack>_<cell>_<container>'),
  'ContainerSpec.realmId': applied(cellOnHost),
  'ContainerSpec.spaceId': applied(cellOnHost),
  'ContainerSpec.stackId': applied(cellOnHost),
  'ContainerSpec.cellId': applied(cellOnHost),
  'ContainerSpec.root': applied(rootChange),
  'ContainerSpec.image': applied(workload('image')),
  'ContainerSpec.imagePullPolicy': applied(
    e2e(
      'cli-pull',
      'imagePullPolicy: Never refuses an image the realm lacks; Always follows a moved tag that IfNotPresent keeps',
    ),
  ),
  'ContainerSpec.command': applied(workload('command')),
  'ContainerSpec.args': applied(workload('args')),
  'ContainerSpec.workingDir': applied(workload('workingDir')),
  'ContainerSpec.env': applied(workload('env')),
  'ContainerSpec.ports': applied(
    e2e('published-ports', 'a published port answers on 127.0.0.1 from the host'),
    e2e(
      'published-ports',
      'the same host port in another realm is refused, naming port and holder, and leaves nothing',
    ),
  ),
  'ContainerSpec.volumes[].kind': applied(workload('volumes'), tmpfsVolumes, volumeData),
  'ContainerSpec.volumes[].source': applied(workload('volumes'), volumeData),
  'ContainerSpec.volumes[].target': applied(workload('volumes'), tmpfsVolumes, volumeData),
  'ContainerSpec.volumes[].volumeRef.name': applied(volumeEnsure),
  'ContainerSpec.volumes[].volumeRef.realm': applied(volumeEnsure),
  'ContainerSpec.volumes[].volumeRef.space': applied(volumeEnsure),
  'ContainerSpec.volumes[].volumeRef.stack': applied(volumeEnsure),
  'ContainerSpec.volumes[].readOnly': applied(
    workload('volumes'),
    e2e('oci-spec-run', 'bind volumes: read-only and read-write'),
    volumeEnsure,
  ),
  'ContainerSpec.volumes[].sizeBytes': applied(tmpfsVolumes),
  'ContainerSpec.volumes[].mode': applied(tmpfsVolumes),
  'ContainerSpec.volumes[].ensure': applied(volumeEnsure),
  'ContainerSpec.networks': refused('a cell is attached to the network of its space only'),
  'ContainerSpec.networksAliases': refused('a cell is reached by its name in /etc/hosts and its IP'),
  'ContainerSpec.privileged': applied(workload('privileged')),
  'ContainerSpec.hostNetwork': applied(workload('hostNetwork')),
  'ContainerSpec.hostPID': applied(workload('hostPID')),
  'ContainerSpec.hostCgroup': applied(workload('hostCgroup')),
  'ContainerSpec.user': applied(workload('user')),
  'ContainerSpec.readOnlyRootFilesystem': applied(workload('readOnlyRootFilesystem')),
  'ContainerSpec.capabilities.drop': applied(workload('capabilities')),
  'ContainerSpec.capabilities.add': applied(workload('capabilities')),
  'ContainerSpec.securityOpts': applied(
    workload('securityOpts (no-new-privileges=false)'),
    workload('securityOpts (seccomp profile)'),
  ),
  'ContainerSpec.devices': applied(workload('devices')),
  'ContainerSpec.tmpfs[].path': applied(workload('tmpfs')),
  'ContainerSpec.tmpfs[].sizeBytes': applied(workload('tmpfs')),
  'ContainerSpec.tmpfs[].options': applied(tmpfsVolumes),
  'ContainerSpec.resources.memoryLimitBytes': applied(workload('resources')),
  'ContainerSpec.resources.cpuShares': applied(workload('resources')),
  'ContainerSpec.resources.pidsLimit': applied(workload('resources')),
  'ContainerSpec.secrets[].name': applied(
    e2e('runner-cell-updates', 'workload secrets (fromEnv): the secret reaches the container env'),
  ),
  'ContainerSpec.secrets[].fromEnv': applied(
    e2e('runner-cell-updates', 'workload secrets (fromEnv): the secret reaches the container env'),
  ),
  'ContainerSpec.secrets[].fromFile': applied(
    unit('runner/cell/container-secrets', 'fromEnv and fromFile become NAME=value entries, in order'),
    e2e(
      'runner-cells',
      'a cell whose secret cannot be resolved is refused, naming the secret, and leaves nothing',
    ),
  ),
  'ContainerSpec.secrets[].secretRef.name': applied(secretRefProof, secretUnit),
  'ContainerSpec.secrets[].secretRef.realm': applied(secretRefProof, secretUnit),
  'ContainerSpec.secrets[].secretRef.space': applied(secretRefProof, secretUnit),
  'ContainerSpec.secrets[].secretRef.stack': applied(secretRefProof, secretUnit),
  'ContainerSpec.secrets[].secretRef.cell': applied(
    e2e(
      'container-secrets',
      'a cell-scoped Secret reaches a container of its cell and is removed with the cell',
    ),
    secretUnit,
    unit(
      'store/secret-store',
      'a secret is one 0600 file under 0700 directories; absent levels are `_`, so names never meet scopes',
    ),
  ),
  'ContainerSpec.secrets[].mountPath': applied(secretRefProof, secretUnit),
  'ContainerSpec.repos': refused('clone the repository in the image or in the command of the container'),
  'ContainerSpec.git.author.name': applied(identityProof),
  'ContainerSpec.git.author.email': applied(identityProof),
  'ContainerSpec.git.committer.name': applied(identityProof),
  'ContainerSpec.git.committer.email': applied(identityProof),
  'ContainerSpec.git.signingKey': applied(identityProof),
  'ContainerSpec.git.sign': applied(identityProof),
  'ContainerSpec.git.allowedSigners': applied(identityProof),
  'ContainerSpec.cniConfigPath': stamped('the conflist of the space of the cell'),
  'ContainerSpec.restartPolicy': applied(
    e2e(
      'fault-external-changes',
      'a SIGKILLed workload with restartPolicy always, beside a running one, is restarted by the loop',
    ),
    e2e(
      'runner-cell-updates',
      'workload restartPolicy: persisted without a new task, and the next reconcile honours it',
    ),
  ),
  'ContainerSpec.restartBackoffSeconds': applied(
    fields('on-failure restarts wait restartBackoffSeconds and stop after restartMaxRetries'),
  ),
  'ContainerSpec.restartMaxRetries': applied(
    fields('on-failure restarts wait restartBackoffSeconds and stop after restartMaxRetries'),
  ),
  'ContainerSpec.attachable': applied(
    e2e('attach', 'kuke run -f attaches to a shell: input, output, window size and resize'),
  ),
  'ContainerSpec.tty.prompt': refused('the terminal runs the shell of the image'),
  'ContainerSpec.tty.onInit': refused('run set-up steps in the command of the container'),
  'ContainerSpec.tty.logFile': refused('this build has no in-container terminal wrapper to log'),
  'ContainerSpec.tty.logLevel': refused('this build has no in-container terminal wrapper to log'),
  'ContainerSpec.stopSignal': applied(stopGrace),
  'ContainerSpec.stopGracePeriodSeconds': applied(stopGrace),
  'ContainerSpec.kukeonGroupGID': applied(
    fields("kukeonGroupGID and the daemon's kukeon group are supplementary groups of the process"),
  ),

  // CellBlueprint (docs/blueprints.md); its containers' fields are added below, from ContainerSpec's.
  'CellBlueprint.apiVersion': applied(parsing),
  'CellBlueprint.kind': applied(parsing),
  'CellBlueprint.metadata.name': applied(templatesKind),
  'CellBlueprint.metadata.realm': applied(templatesKind),
  'CellBlueprint.metadata.space': applied(templatesKind),
  'CellBlueprint.metadata.stack': applied(templatesKind),
  'CellBlueprint.metadata.labels': applied(fromBlueprint),
  'CellBlueprint.metadata.generation': generation,
  'CellBlueprint.spec.prefix': applied(fromBlueprint, fromConfig),
  'CellBlueprint.spec.parameters[].name': applied(fromBlueprint, blueprintRefusals),
  'CellBlueprint.spec.parameters[].description': applied(templatesKind),
  'CellBlueprint.spec.parameters[].default': applied(fromBlueprint),
  'CellBlueprint.spec.parameters[].required': applied(fromBlueprint, blueprintRefusals),
  'CellBlueprint.spec.cell.tty.default': applied(
    unit(
      'controller/materialise-cell',
      'a config fills values, secret slots, labels, and records its generations',
    ),
    fromBlueprint,
  ),
  'CellBlueprint.spec.cell.autoDelete': applied(
    unit(
      'controller/materialise-cell',
      'copies the cell fields, labels and provenance; ${KEY} in values only',
    ),
    e2e('runner-cells', 'an AutoDelete cell whose workloads exit is removed by reconcile'),
  ),
  'CellBlueprint.spec.cell.nestedCgroupRuntime': applied(
    unit(
      'controller/materialise-cell',
      'a config fills values, secret slots, labels, and records its generations',
    ),
    e2e('runner-cell-updates', 'nestedCgroupRuntime toggled: the cell is recreated and Ready'),
  ),
  'CellBlueprint.spec.cell.containers[].secrets[].name': applied(fromConfig),
  'CellBlueprint.spec.cell.containers[].secrets[].mode': applied(fromConfig),
  'CellBlueprint.spec.cell.containers[].secrets[].envName': applied(fromConfig),
  'CellBlueprint.spec.cell.containers[].secrets[].mountPath': applied(fromConfig),
  'CellBlueprint.spec.cell.containers[].secrets[].required': applied(fromConfig),

  // CellConfig (docs/blueprints.md)
  'CellConfig.apiVersion': applied(parsing),
  'CellConfig.kind': applied(parsing),
  'CellConfig.metadata.name': applied(templatesKind),
  'CellConfig.metadata.realm': applied(templatesKind),
  'CellConfig.metadata.space': applied(templatesKind),
  'CellConfig.metadata.stack': applied(templatesKind),
  'CellConfig.metadata.labels': applied(fromConfig),
  'CellConfig.metadata.annotations': applied(templatesKind),
  'CellConfig.metadata.generation': generation,
  'CellConfig.spec.prefix': applied(fromConfig),
  'CellConfig.spec.blueprint.name': applied(fromConfig),
  'CellConfig.spec.blueprint.realm': applied(fromConfig),
  'CellConfig.spec.blueprint.space': applied(templatesKind),
  'CellConfig.spec.blueprint.stack': applied(templatesKind),
  'CellConfig.spec.values': applied(fromConfig),
  'CellConfig.spec.repos': refused(
    'this build does not clone repositories, so blueprints have no repository slots',
  ),
  'CellConfig.spec.secrets': applied(fromConfig),

  // ServerConfiguration: kukeond's configuration file (never applied; read at daemon start).
  'ServerConfiguration.apiVersion': applied(
    unit('api/server-configuration', 'reads every field and trims a trailing / of cgroupRoot'),
  ),
  'ServerConfiguration.kind': applied(
    unit('api/server-configuration', 'reads every field and trims a trailing / of cgroupRoot'),
  ),
  'ServerConfiguration.metadata': stamped(
    'informational: names the file, changes nothing (as in the original)',
  ),
  'ServerConfiguration.spec.socket': applied(settings, daemonOnHost),
  'ServerConfiguration.spec.socketGID': applied(settings, daemonOnHost),
  'ServerConfiguration.spec.runPath': applied(settings, daemonOnHost),
  'ServerConfiguration.spec.containerdSocket': applied(settings, daemonOnHost),
  'ServerConfiguration.spec.logLevel': applied(settings, daemonOnHost),
  'ServerConfiguration.spec.kukettyLogLevel': refused(
    'this build has no in-container terminal wrapper to log',
    (v) => isSet(v) && v !== 'info',
  ),
  'ServerConfiguration.spec.reconcileInterval': applied(settings, daemonOnHost),
  'ServerConfiguration.spec.kukeondImage': refused('kukeond runs as a host process, not in a cell'),
  'ServerConfiguration.spec.containerdNamespaceSuffix': applied(settings, daemonOnHost),
  'ServerConfiguration.spec.cgroupRoot': applied(settings, daemonOnHost),
  'ServerConfiguration.spec.podSubnetCIDR': applied(settings, daemonOnHost),
  'ServerConfiguration.spec.metricsAddress': applied(
    unit('daemon/serve/daemon-settings', 'metricsAddress: off by default; file, then env, then the flag'),
    e2e(
      'observe-metrics',
      'cells by state, container CPU/memory/restarts, reconcile and RPC histograms, RSS',
    ),
  ),
  'ServerConfiguration.spec.httpAddress': applied(
    unit(
      'daemon/serve/daemon-settings',
      'httpAddress: off by default; file, env, flag; the token only from the file; not loopback needs it',
    ),
    e2e('observe-web', 'a cell, its state change without a reload, a log line in the tail, the events'),
  ),
  'ServerConfiguration.spec.registryCertsDir': applied(...registryTrust),
  'ServerConfiguration.spec.insecureRegistries': applied(...registryTrust),
  'ServerConfiguration.spec.httpToken': applied(
    unit(
      'daemon/web/web-view',
      'with a token: refused without it, served with the bearer header or the cookie the query sets',
    ),
    unit(
      'daemon/web/web-access',
      'any address but loopback is refused without a token, and a short token always',
    ),
    e2e('observe-web', 'a cell, its state change without a reload, a log line in the tail, the events'),
  ),
  'ServerConfiguration.spec.defaultMemoryLimitBytes': applied(
    settings,
    fields('defaultMemoryLimitBytes of kukeond.yaml caps containers that set no memory limit'),
  ),
};

/**
 * A blueprint container's fields are a ContainerSpec's (docs/blueprints.md), copied into the cell
 * a blueprint makes: each takes ContainerSpec's entry, an applied one with the proof that a cell
 * made from a blueprint runs. Its `secrets` are slots, keyed on their own above.
 */
const BLUEPRINT_CONTAINER = 'CellBlueprint.spec.cell.containers[].';
for (const [key, support] of Object.entries(fieldSupport)) {
  if (!key.startsWith('ContainerSpec.') || key.startsWith('ContainerSpec.secrets')) continue;
  const field = key.slice('ContainerSpec.'.length);
  if (!BLUEPRINT_CONTAINER_FIELDS.has(field.split(/[.[]/)[0])) continue;
  fieldSupport[BLUEPRINT_CONTAINER + field] =
    support.status === 'applied' ? { ...support, proofs: [...support.proofs, fromBlueprint] } : support;
}

function isNonEmpty(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && v !== null) return Object.keys(v).length > 0;
  return isSet(v);
}

/** The entry covering `key`: its own, else the nearest refused/stamped ancestor's. */
export function supportOf(key: string): { key: string; support: FieldSupport } | undefined {
  for (let k = key; k; k = parentKey(k)) {
    const support = fieldSupport[k];
    if (support && (k === key || support.status !== 'applied')) return { key: k, support };
  }
  return undefined;
}

/** `a.b[].c` → `a.b[]` → `a.b` → `a` → ''. */
export function parentKey(key: string): string {
  if (key.endsWith('[]')) return key.slice(0, -2);
  const dot = key.lastIndexOf('.');
  return dot < 0 ? '' : key.slice(0, dot);
}

/** True when a value counts as set for a refusal: not absent, empty, false or 0. */
export function isSetValue(v: unknown): boolean {
  return isNonEmpty(v);
}
