/** Shared manifest fixtures for api tests. */
import { stringify } from 'yaml';

export function realmYaml(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'v1beta1', kind: 'Realm', metadata: { name: 'lab' }, spec: {}, ...over };
}

export function cellObj(): Record<string, unknown> {
  return {
    apiVersion: 'v1beta1',
    kind: 'Cell',
    metadata: { name: 'shop', labels: { app: 'shop' } },
    spec: {
      id: 'shop',
      realmId: 'lab',
      spaceId: 'agents',
      stackId: 'web',
      containers: [
        { id: 'sandbox', root: true, image: 'registry.k8s.io/pause:3.9' },
        { id: 'frontend', image: 'nginx', restartPolicy: 'always' },
      ],
    },
  };
}

export function containerObj(): Record<string, unknown> {
  return {
    apiVersion: 'v1beta1',
    kind: 'Container',
    metadata: { name: 'worker' },
    spec: { realmId: 'lab', spaceId: 'agents', stackId: 'web', cellId: 'shop', image: 'busybox' },
  };
}

export const toYamlText = (...docs: unknown[]) => docs.map((d) => stringify(d)).join('---\n');

/** Set `value` at a dotted path (`spec.containers.1.image`), creating objects as needed. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const segs = path.split('.');
  let cur: Record<string, unknown> = obj;
  for (const s of segs.slice(0, -1)) {
    if (cur[s] === undefined || cur[s] === null) cur[s] = {};
    cur = cur[s] as Record<string, unknown>;
  }
  const last = segs[segs.length - 1];
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return obj;
}

/** The example of verbatim. */
export const specExample = `# 1. Realm
apiVersion: v1beta1
kind: Realm
metadata:
  name: lab
  labels:
    owner: platform-team
spec:
  registryCredentials:
    - username: ci-bot
      password: example-token
      serverAddress: ghcr.io
---
apiVersion: v1beta1
kind: Space
metadata:
  name: agents
spec:
  realmId: lab
  network:
    egress:
      default: deny
      allow:
        - host: api.example.com
          ports: [443]
        - cidr: 10.0.0.0/8
  defaults:
    container:
      user: "1000:1000"
      capabilities:
        drop: ["ALL"]
      securityOpts:
        - no-new-privileges
      tmpfs:
        - path: /tmp
          sizeBytes: 67108864
      resources:
        memoryLimitBytes: 536870912
        pidsLimit: 256
---
apiVersion: v1beta1
kind: Stack
metadata:
  name: web
spec:
  id: web
  realmId: lab
  spaceId: agents
---
apiVersion: v1beta1
kind: Cell
metadata:
  name: shop
  labels:
    app: shop
spec:
  id: shop
  realmId: lab
  spaceId: agents
  stackId: web
  containers:
    - id: sandbox
      root: true
      image: registry.k8s.io/pause:3.9
    - id: frontend
      image: docker.io/library/nginx:1.27-alpine
      user: "0:0"
      capabilities:
        drop: ["ALL"]
        add: ["CHOWN", "SETUID", "SETGID", "NET_BIND_SERVICE"]
      volumes:
        - source: /srv/shop/html
          target: /usr/share/nginx/html
          readOnly: true
        - kind: tmpfs
          target: /var/cache/nginx
          sizeBytes: 33554432
          mode: 0755
      restartPolicy: always
      restartBackoffSeconds: 10
    - id: worker
      image: docker.io/library/busybox:1.36
      command: /bin/sh
      args:
        - -c
        - "while true; do date; sleep 30; done"
      env:
        - LOG_LEVEL=info
      restartPolicy: on-failure
      restartMaxRetries: 3
`;
