/**
 * Compose files the importer is tested on. `appliesToday` is what the end-to-end test applies to
 * a real kukeond; the others need Volumes, file secrets or ports at apply time and are checked at
 * the manifest level (docs/convert.md says which).
 */

/** A web app with a database and a named volume. */
export const webAppWithDb = `name: shop
services:
  web:
    image: kukeon.test/busybox:1
    command: ["sh", "-c", "httpd -f -p 8080 -h /srv/www"]
    environment:
      DB_HOST: 127.0.0.1
      DB_PORT: "5432"
    volumes:
      - pages:/srv/www:ro
    depends_on: [db]
  db:
    image: kukeon.test/busybox:1
    entrypoint: /bin/sh -c
    command: ["echo ready > /var/lib/db/state; nc -lk -p 5432 -e cat"]
    volumes:
      - type: volume
        source: dbdata
        target: /var/lib/db
    restart: on-failure:3
volumes:
  dbdata: {}
  pages:
`;

/** A service with file secrets and published ports. */
export const secretsAndPorts = `services:
  api:
    image: kukeon.test/busybox:1
    entrypoint: ["sh", "-c", "cat /run/secrets/api_key /etc/cert.pem; httpd -f -p 80"]
    ports:
      - "8080:80"
      - target: 9000
        published: 9001
        host_ip: 127.0.0.1
        protocol: udp
      - "7000-7001:7000-7001"
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

/** One service with every key the importer supports (and a few it does not). */
export const everyKey = `version: "3.9"
name: every
services:
  all:
    image: kukeon.test/busybox:1
    entrypoint: ["/bin/sh"]
    command: -c 'echo "$$GREETING"'
    environment:
      - GREETING=hello world
      - FROM_SHELL
    env_file: [app.env]
    working_dir: /work
    user: "1000:1000"
    ports: ["127.0.0.1:8443:443"]
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
volumes:
  cache:
    driver: local
secrets:
  token:
    file: /etc/token
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
