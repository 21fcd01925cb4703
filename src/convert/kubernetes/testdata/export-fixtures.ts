/** v1beta1 manifests the Kubernetes export is tested on (each must export to valid objects). */
import { specExample } from '../../../api/testdata/fixtures.js';

/** A cell using every container field the export translates or notes. */
export const everyFieldCell = `apiVersion: v1beta1
kind: Cell
metadata:
  name: Every.Field
  labels: { app: every }
  annotations: { team: core }
spec:
  realmId: default
  spaceId: default
  stackId: default
  autoDelete: true
  containers:
    - id: root
      root: true
      image: registry.k8s.io/pause:3.9
    - id: api
      image: docker.io/library/busybox:1.36
      command: /bin/sh
      args: [-c, 'echo $(date) $(MODE) $$ $HOME']
      workingDir: /srv
      env: [MODE=prod, 'QUOTED=a $(b) c $(MODE)', EMPTY=]
      ports: ['8080:80', '127.0.0.1:5353:53/udp']
      privileged: true
      user: '1000:2000'
      readOnlyRootFilesystem: true
      capabilities: { drop: [all], add: [cap_net_admin, CHOWN] }
      securityOpts: [no-new-privileges, 'seccomp=unconfined', 'apparmor=custom']
      devices: [/dev/fuse]
      hostPID: true
      tmpfs: [{ path: /tmp, sizeBytes: 1048576, options: [noexec] }]
      resources: { memoryLimitBytes: 268435456, cpuShares: 512, pidsLimit: 64 }
      volumes:
        - { source: /srv/data, target: /data, readOnly: true }
        - { kind: tmpfs, target: /cache, sizeBytes: 2097152, mode: 0700 }
        - { kind: volume, source: pgdata, target: /var/lib/pg }
        - { kind: volume, volumeRef: { name: shared, realm: default }, target: /shared, readOnly: true }
      secrets:
        - { name: TOKEN, fromEnv: API_TOKEN }
        - { name: tls.key, fromFile: /etc/ssl/private/tls.key, mountPath: /run/secrets/tls.key }
        - { name: DB, secretRef: { name: db-pass, realm: default } }
      restartPolicy: on-failure
      restartMaxRetries: 3
      stopSignal: sigint
      stopGracePeriodSeconds: 5
      attachable: true
      networks: [front]
    - id: sidecar
      image: docker.io/library/busybox:1.36
      args: [sleep, '3600']
      user: nobody
      restartPolicy: always
      restartBackoffSeconds: 5
      stopSignal: '3'
      stopGracePeriodSeconds: 30
`;

/** Two workloads and nothing else: exactly one Pod. */
export const plainCell = `apiVersion: v1beta1
kind: Cell
metadata: { name: hello }
spec:
  realmId: default
  spaceId: web
  stackId: default
  containers:
    - { id: web, image: kukeon.test/busybox:1, command: sh, args: [-c, 'httpd -f -p 8080'], env: [GREETING=hi] }
    - { id: probe, image: kukeon.test/busybox:1, command: sh, args: [-c, 'sleep 3600'] }
`;

/** A space whose egress policy allows a CIDR on ports and a host name. */
export const denySpace = `apiVersion: v1beta1
kind: Space
metadata: { name: Agents, labels: { tier: ai } }
spec:
  realmId: lab
  network:
    egress:
      default: deny
      allow:
        - { cidr: 10.0.0.0/8, ports: [443, 8443] }
        - { cidr: 192.168.0.0/16 }
        - { host: api.example.com, ports: [443] }
`;

export const exportFixtures: Record<string, string> = {
  'spec example': specExample,
  'every field': everyFieldCell,
  'plain cell': plainCell,
  'deny space': denySpace,
};
