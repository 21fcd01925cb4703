/** Manifests and request shapes shared by the fault-tolerance e2e tests. */
export const b64 = (s: string): string => Buffer.from(s).toString('base64');

export const scopeYaml = (realm: string, space = 'web', stack = 'api'): string =>
  [
    `apiVersion: v1beta1\nkind: Realm\nmetadata:\n  name: ${realm}\n`,
    `kind: Space\nmetadata:\n  name: ${space}\nspec:\n  realmId: ${realm}\n`,
    `kind: Stack\nmetadata:\n  name: ${stack}\nspec:\n  realmId: ${realm}\n  spaceId: ${space}\n`,
  ].join('---\n');

/** A sh script that runs until SIGTERM (exit 0). */
export const FOREVER = "trap 'exit 0' TERM; sleep 3600 & wait";

export function cellYaml(
  at: { realm: string; space?: string; stack?: string },
  name: string,
  image: string,
  script: string,
  extra: {
    restartPolicy?: string;
    env?: string;
    /** Further workloads of the cell. */
    more?: { id: string; script: string; restartPolicy?: string }[];
  } = {},
): string {
  return (
    `apiVersion: v1beta1\nkind: Cell\nmetadata:\n  name: ${name}\nspec:\n  realmId: ${at.realm}\n` +
    `  spaceId: ${at.space ?? 'web'}\n  stackId: ${at.stack ?? 'api'}\n  containers:\n` +
    `    - id: main\n      image: ${image}\n      command: sh\n      args: ${JSON.stringify(['-c', script])}\n` +
    (extra.env ? `      env: ${JSON.stringify([extra.env])}\n` : '') +
    (extra.restartPolicy ? `      restartPolicy: ${extra.restartPolicy}\n` : '') +
    (extra.more ?? [])
      .map(
        (w) =>
          `    - id: ${w.id}\n      image: ${image}\n      command: sh\n` +
          `      args: ${JSON.stringify(['-c', w.script])}\n` +
          (w.restartPolicy ? `      restartPolicy: ${w.restartPolicy}\n` : ''),
      )
      .join('')
  );
}

export const cellDoc = (at: { realm: string; space?: string; stack?: string }, name: string) => ({
  Doc: {
    apiVersion: 'v1beta1',
    kind: 'Cell',
    metadata: { name },
    spec: { realmId: at.realm, spaceId: at.space ?? 'web', stackId: at.stack ?? 'api' },
  },
});
