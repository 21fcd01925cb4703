/**
 * Compose files the importer is tested on: the unit test checks their translation, the
 * end-to-end test (test/e2e/compose-kubernetes.test.ts) applies each to a real kukeond and checks
 * the workloads do what the file says. `{{dir}}` is the project directory and `{{port}}`,
 * `{{port2}}` host ports of the test's own (`composeFile` fills them in).
 */

/** The fixture with its placeholders filled in. */
export function composeFile(text: string, o: { dir: string; port: number }): string {
  return text
    .replaceAll('{{dir}}', o.dir)
    .replaceAll('{{port2}}', String(o.port + 1))
    .replaceAll('{{port}}', String(o.port));
}

/**
 * A web app with a database and named volumes: `db` appends to a file in its volume on every
 * start and writes the page `web` serves (read-only) from the shared `pages` volume on a
 * published port.
 */
export const webAppWithDb = `name: shop
services:
  web:
    image: kukeon.test/busybox:1
    command: ["sh", "-c", "echo \\"db=$$DB_HOST:$$DB_PORT\\"; echo done; exec httpd -f -p 8080 -h /srv/www"]
    environment:
      DB_HOST: 127.0.0.1
      DB_PORT: "5432"
    ports: ["{{port}}:8080"]
    volumes:
      - pages:/srv/www:ro
    depends_on: [db]
  db:
    image: kukeon.test/busybox:1
    entrypoint: /bin/sh -c
    command: ["date >> /var/lib/db/starts; echo \\"starts=$$(wc -l < /var/lib/db/starts)\\"; echo \\"$$PAGE\\" > /pages/index.html; echo done; trap 'exit 0' TERM; sleep 3600 & wait"]
    environment: ["PAGE=served from the pages volume"]
    volumes:
      - type: volume
        source: dbdata
        target: /var/lib/db
      - pages:/pages
    restart: on-failure:3
volumes:
  dbdata: {}
  pages:
`;

/**
 * A service with secrets (one in a file, one from the environment) and published ports: its page
 * shows what it reads from the secret files.
 */
export const secretsAndPorts = `services:
  api:
    image: kukeon.test/busybox:1
    entrypoint: ["sh", "-c", "mkdir -p /tmp/www && { echo \\"key=$$(cat /run/secrets/api_key) mode=$$(stat -c %a /run/secrets/api_key)\\"; echo \\"cert=$$(cat /etc/cert.pem)\\"; } > /tmp/www/index.html && exec httpd -f -p 80 -h /tmp/www"]
    ports:
      - "{{port}}:80"
      - target: 9000
        published: {{port2}}
        host_ip: 127.0.0.1
        protocol: udp
    secrets:
      - api_key
      - source: cert
        target: /etc/cert.pem
        mode: 0440
secrets:
  api_key:
    file: ./secrets/api_key.txt
  cert:
    environment: CERT_PEM
`;

/**
 * One service with every key the importer translates (and some it does not, which are notes);
 * it prints what it sees, then serves a page on a published port until stopped with its
 * stop_signal.
 */
export const everyKey = `version: "3.9"
name: every
services:
  all:
    image: kukeon.test/busybox:1
    entrypoint: ["/bin/sh"]
    command:
      - -c
      - |
        echo "env=$$GREETING/$$FROM_FILE"
        echo "conf=$$(cat /etc/app/message)"
        echo "secret=$$(cat /run/secrets/token) mode=$$(stat -c %a /run/secrets/token)"
        echo "cwd=$$(pwd) id=$$(id -u):$$(id -g)"
        date >> /cache/starts
        echo "starts=$$(wc -l < /cache/starts)"
        echo "rootfs=$$(touch /rootfs-file 2>/dev/null && echo writable || echo read-only)"
        echo "tmpfs=$$(grep -E ' /(run|scratch) ' /proc/mounts | cut -d' ' -f2,3 | tr '\\n' ',')"
        echo "caps=$$(grep CapBnd /proc/self/status | cut -f2)"
        mkdir -p /scratch/www && echo "every key" > /scratch/www/index.html
        echo done
        trap 'exit 0' INT TERM
        httpd -f -p 8443 -h /scratch/www & wait
    environment:
      - GREETING=hello world
      - FROM_SHELL
    env_file: [app.env]
    working_dir: /cache
    user: "1000:1000"
    ports: ["127.0.0.1:{{port}}:8443"]
    volumes:
      - ./conf:/etc/app:ro
      - cache:/cache
      - type: tmpfs
        target: /scratch
        tmpfs: { size: 1m }
      - /anonymous
    secrets: [token]
    restart: unless-stopped
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    privileged: false
    read_only: true
    tmpfs: ["/run:size=64k,noexec"]
    devices: ["/dev/null", "/dev/zero:/dev/myzero"]
    mem_limit: 128m
    cpus: 1.5
    pids_limit: 50
    deploy:
      resources:
        limits: { memory: 64m, pids: 40 }
        reservations: { memory: 8m }
      replicas: 2
    stop_signal: SIGINT
    stop_grace_period: 1m30s
    depends_on: { other: { condition: service_started } }
    healthcheck: { test: ["CMD", "true"], interval: 10s }
    labels: { team: core }
    networks: [back]
    x-custom: 1
  other:
    image: kukeon.test/busybox:1
    command: ["sh", "-c", "echo other; echo done; trap 'exit 0' TERM; sleep 3600 & wait"]
volumes:
  cache:
    driver: local
secrets:
  token:
    file: {{dir}}/token
networks:
  back: {}
x-shared: { a: 1 }
`;

/**
 * What applies on this build: env (map, list, env_file), entrypoint/command, files through bind
 * mounts, tmpfs, limits, capabilities, working dir, user, restart, stop signal and grace period. `{{dir}}` is replaced by the
 * test with the directory holding the bind-mounted file and the env file.
 */
export const appliesToday = `name: today
services:
  app:
    image: kukeon.test/busybox:1
    entrypoint: ["sh", "-c"]
    command: ["echo \\"env=$$GREETING/$$FROM_FILE/$$LISTED\\"; echo \\"file=$$(cat /conf/message)\\"; echo \\"cwd=$$(pwd)\\"; echo \\"id=$$(id -u):$$(id -g)\\"; echo \\"tmp=$$(grep ' /scratch ' /proc/mounts | cut -d' ' -f3)\\"; echo done; trap 'exit 0' TERM; sleep 3600 & wait"]
    environment:
      GREETING: hello
    env_file: app.env
    working_dir: /tmp
    user: "1000:1000"
    volumes:
      - {{dir}}/conf:/conf:ro
    tmpfs: /scratch
    mem_limit: 64m
    pids_limit: 64
    cap_drop: [NET_RAW]
    restart: "no"
  side:
    image: kukeon.test/busybox:1
    command: ["sh", "-c", "echo side=$$LISTED; echo done; trap 'exit 0' TERM; sleep 3600 & wait"]
    environment: ["LISTED=from-list"]
    stop_signal: SIGTERM
    stop_grace_period: 5s
`;
