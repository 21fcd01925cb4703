import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One call a fake plugin recorded. */
export interface FakeCall {
  command: string;
  plugin: string;
  containerId: string;
  netns: string;
  ifName: string;
  cniPath: string;
  cniArgs: string;
  stdin: Record<string, unknown>;
}

/**
 * A temp directory of fake CNI plugins (bash scripts) that log every call (env + stdin) to
 * calls.log, so unit tests can assert order, environment and prevResult chaining.
 */
export class FakePlugins {
  readonly dir = mkdtempSync(join(tmpdir(), `kukeon-cni-fake-${process.pid}-`));

  /** A plugin that succeeds; on ADD it prints a result whose IP is 10.0.0.<octet>/24. */
  ok(name: string, octet: number): this {
    return this.script(
      name,
      `if [ "$CNI_COMMAND" = ADD ]; then echo '{"cniVersion":"0.4.0","interfaces":[{"name":"${name}"}],"ips":[{"version":"4","address":"10.0.0.${octet}/24","gateway":"10.0.0.1"}]}'; fi
if [ "$CNI_COMMAND" = VERSION ]; then echo '{"cniVersion":"0.4.0","supportedVersions":["0.3.1","0.4.0"]}'; fi`,
    );
  }

  /** A plugin that fails with a CNI error object. */
  failing(name: string, code: number, msg: string, details: string): this {
    return this.script(
      name,
      `echo '{"cniVersion":"0.4.0","code":${code},"msg":"${msg}","details":"${details}"}'; exit 1`,
    );
  }

  /** A plugin that fails with something that is not JSON. */
  garbage(name: string): this {
    return this.script(name, `echo 'segfault, probably'; echo 'oops' >&2; exit 2`);
  }

  /** A plugin that supports only old CNI versions. */
  old(name: string): this {
    return this.script(name, `echo '{"cniVersion":"0.3.1","supportedVersions":["0.3.0","0.3.1"]}'`);
  }

  script(name: string, body: string): this {
    const path = join(this.dir, name);
    writeFileSync(
      path,
      `#!/bin/bash
in=$(cat)
printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$CNI_COMMAND" "${name}" "$CNI_CONTAINERID" "$CNI_NETNS" "$CNI_IFNAME" "$CNI_PATH" "$CNI_ARGS" "$in" >> "${join(this.dir, 'calls.log')}"
${body}
`,
    );
    chmodSync(path, 0o755);
    return this;
  }

  calls(): FakeCall[] {
    let text: string;
    try {
      text = readFileSync(join(this.dir, 'calls.log'), 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [command, plugin, containerId, netns, ifName, cniPath, cniArgs, stdin] = l.split('\t');
        return { command, plugin, containerId, netns, ifName, cniPath, cniArgs, stdin: JSON.parse(stdin) };
      });
  }

  clearCalls(): void {
    rmSync(join(this.dir, 'calls.log'), { force: true });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
