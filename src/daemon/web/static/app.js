// kukeond's read-only web view (docs/web-view.md): preact components written with htm tagged
// templates, so the page runs as served, with no build step. Everything arrives by server-sent
// events: /api/stream (the hierarchy with figures, and the events) and /api/log (one container's
// output). CPU % is computed here from two consecutive samples, as `kuke top` does.
/* global EventSource, URLSearchParams, document -- a browser module */
import { html, render, useEffect, useRef, useState } from './vendor/preact-htm.js';

const MAX_EVENTS = 300;
const MAX_LOG_CHARS = 256 * 1024;
/** Samples closer than this (an event-triggered one right after a periodic one) keep the last CPU %. */
const MIN_CPU_WINDOW_S = 0.5;

const keyOf = (...parts) => parts.join('/');

function formatBytes(n) {
  if (n === undefined || n === null) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}
const formatCpu = (v) => (v === undefined ? '-' : `${v.toFixed(1)}%`);
const memory = (u) =>
  `${formatBytes(u.memoryBytes)} / ${u.memoryLimitBytes === undefined ? 'unlimited' : formatBytes(u.memoryLimitBytes)}`;

/** Every CPU counter of a sample by key: cells and their containers. */
function cpuCounters(tree) {
  const m = new Map();
  for (const r of tree.realms)
    for (const s of r.spaces)
      for (const t of s.stacks)
        for (const c of t.cells) {
          const k = keyOf(r.name, s.name, t.name, c.name);
          m.set(k, c.usage.cpuUsageNs);
          for (const x of c.usage.containers) m.set(keyOf(k, x.id), x.cpuUsageNs);
        }
  return m;
}

/** The /api/stream feed: the latest tree, CPU % per key, the events (newest first), liveness. */
function useStream() {
  const [state, setState] = useState({ tree: undefined, cpu: new Map(), events: [], live: false });
  const last = useRef(undefined);
  useEffect(() => {
    const es = new EventSource('/api/stream');
    es.onopen = () => setState((s) => ({ ...s, live: true }));
    es.onerror = () => setState((s) => ({ ...s, live: false }));
    es.addEventListener('tree', (m) => {
      const tree = JSON.parse(m.data);
      const counters = cpuCounters(tree);
      const was = last.current;
      const seconds = was ? (tree.sampledAt - was.at) / 1000 : 0;
      let cpu;
      if (was && seconds >= MIN_CPU_WINDOW_S) {
        cpu = new Map();
        for (const [k, now] of counters) {
          const then = was.counters.get(k);
          if (now !== undefined && then !== undefined)
            cpu.set(k, (Math.max(0, now - then) / 1e9 / seconds) * 100);
        }
        last.current = { at: tree.sampledAt, counters };
      } else if (!was) last.current = { at: tree.sampledAt, counters };
      setState((s) => ({ ...s, tree, live: true, cpu: cpu ?? s.cpu }));
    });
    es.addEventListener('events', (m) =>
      setState((s) => ({ ...s, events: JSON.parse(m.data).reverse().slice(0, MAX_EVENTS) })),
    );
    es.addEventListener('event', (m) =>
      setState((s) => ({ ...s, events: [JSON.parse(m.data), ...s.events].slice(0, MAX_EVENTS) })),
    );
    return () => es.close();
  }, []);
  return state;
}

const State = ({ state }) => html`<span class="state" data-state=${state}>${state}</span>`;

function Cell({ realm, space, stack, cell, cpu, selected, onSelect }) {
  const key = keyOf(realm, space, stack, cell.name);
  const u = cell.usage;
  return html`<div class="cell" data-cell=${key} data-state=${cell.state}>
    <div class="cell-head">
      <span class="name">${cell.name}</span>
      <${State} state=${cell.state} />
      <span class="figures">
        <span title="CPU over the last sample">CPU ${formatCpu(cpu.get(key))}</span>
        <span title="memory in use / limit">${memory(u)}</span>
        <span>${u.pids ?? '-'} pids</span>
        <span title="network received / sent"
          >↓ ${formatBytes(u.netRxBytes)} ↑ ${formatBytes(u.netTxBytes)}</span
        >
        <span>${u.restarts} restarts</span>
      </span>
    </div>
    <table class="containers">
      <tbody>
        ${u.containers.map((c) => {
          const ck = keyOf(key, c.id);
          return html`<tr key=${ck} data-container=${ck} class=${selected === ck ? 'selected' : ''}>
            <td class="name">${c.id}</td>
            <td><${State} state=${c.state} /></td>
            <td class="num">${formatCpu(cpu.get(ck))}</td>
            <td class="num">${memory(c)}</td>
            <td class="num">${c.pids ?? '-'} pids</td>
            <td class="num">${c.restarts} restarts</td>
            <td>
              <button
                data-log=${ck}
                onClick=${() => onSelect({ realm, space, stack, cell: cell.name, container: c.id })}
              >
                log
              </button>
            </td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}

function Tree({ tree, cpu, selected, onSelect }) {
  if (!tree) return html`<p class="muted">waiting for the first sample…</p>`;
  if (tree.realms.length === 0) return html`<p class="muted">no realms</p>`;
  return tree.realms.map(
    (r) =>
      html`<section class="realm" key=${r.name} data-realm=${r.name}>
        <h2><span class="kind">realm</span> ${r.name}</h2>
        ${r.spaces.map(
          (s) =>
            html`<section class="space" key=${s.name}>
              <h3><span class="kind">space</span> ${s.name}</h3>
              ${s.stacks.map(
                (t) =>
                  html`<section class="stack" key=${t.name}>
                    <h4><span class="kind">stack</span> ${t.name}</h4>
                    ${t.cells.length === 0 ? html`<p class="muted">no cells</p>` : null}
                    ${t.cells.map(
                      (c) =>
                        html`<${Cell}
                          key=${c.name}
                          realm=${r.name}
                          space=${s.name}
                          stack=${t.name}
                          cell=${c}
                          cpu=${cpu}
                          selected=${selected}
                          onSelect=${onSelect}
                        />`,
                    )}
                  </section>`,
              )}
            </section>`,
        )}
      </section>`,
  );
}

// Terminal output carries escape sequences and carriage returns: shown as plain text.
/* eslint-disable no-control-regex -- the escape sequences are what is removed */
const plain = (s) =>
  s
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b\][^\x07]*\x07/g, '')
    .replace(/\r(?!\n)/g, '');
/* eslint-enable no-control-regex */

function LogTail({ target }) {
  const [text, setText] = useState('');
  const [status, setStatus] = useState('');
  const pre = useRef(undefined);
  useEffect(() => {
    setText('');
    if (!target) return undefined;
    setStatus('connecting');
    const es = new EventSource(`/api/log?${new URLSearchParams(target)}`);
    // Every connection starts with the last lines again: after a reconnect (kukeond restarted)
    // the tail is replaced, not appended twice.
    es.onopen = () => {
      setText('');
      setStatus('following');
    };
    es.addEventListener('log', (m) =>
      setText((t) => {
        const next = t + plain(JSON.parse(m.data));
        return next.length > MAX_LOG_CHARS ? next.slice(next.length - MAX_LOG_CHARS) : next;
      }),
    );
    // An `error` event with data is the daemon's answer (an unknown container): final. One
    // without is the connection: the browser reconnects by itself.
    es.addEventListener('error', (m) => {
      if (m.data) {
        setStatus(JSON.parse(m.data));
        es.close();
      } else setStatus('reconnecting');
    });
    return () => es.close();
  }, [target && keyOf(target.realm, target.space, target.stack, target.cell, target.container)]);
  useEffect(() => {
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [text]);
  return html`<section class="pane log-pane">
    <h2>
      log
      <span class="muted" id="log-target">
        ${target ? ` ${target.realm}/${target.space}/${target.stack}/${target.cell} · ${target.container}` : ' (choose a container)'}
      </span>
      <span class="muted" id="log-status">${target ? ` — ${status}` : ''}</span>
    </h2>
    <pre id="log" ref=${pre}>${text}</pre>
  </section>`;
}

function objectOf(e) {
  const kind = e.kind.toLowerCase();
  if (e.kind === 'Container') return `${kind}/${e.cell ?? '?'}/${e.container ?? e.name}`;
  if (e.kind === 'Cell') return `${kind}/${e.cell ?? e.name}`;
  if (e.kind === 'Stack') return `${kind}/${e.stack ?? e.name}`;
  if (e.kind === 'Space') return `${kind}/${e.space ?? e.name}`;
  if (e.kind === 'Realm') return `${kind}/${e.realm ?? e.name}`;
  return e.name ? `${kind}/${e.name}` : kind;
}

function Events({ events }) {
  return html`<section class="pane events-pane">
    <h2>events</h2>
    <ol id="events">
      ${events.map(
        (e) =>
          html`<li key=${e.seq} data-type=${e.type} data-reason=${e.reason}>
            <time datetime=${e.time}>${e.time.slice(11, 19)}</time>
            <span class="reason">${e.reason}</span>
            <span class="object">${objectOf(e)}</span>
            <span class="message">${e.message}</span>
          </li>`,
      )}
    </ol>
  </section>`;
}

function App() {
  const { tree, cpu, events, live } = useStream();
  const [target, setTarget] = useState(undefined);
  const selected = target && keyOf(target.realm, target.space, target.stack, target.cell, target.container);
  return html`<header>
      <h1>kukeon</h1>
      <span id="live" data-live=${String(live)}>${live ? 'live' : 'disconnected'}</span>
      <span class="muted">${tree ? `sampled ${new Date(tree.sampledAt).toLocaleTimeString()}` : ''}</span>
    </header>
    <main>
      <div class="tree"><${Tree} tree=${tree} cpu=${cpu} selected=${selected} onSelect=${setTarget} /></div>
      <div class="side">
        <${LogTail} target=${target} />
        <${Events} events=${events} />
      </div>
    </main>`;
}

const root = document.getElementById('app');
root.textContent = ''; // the "loading…" placeholder: preact appends to what is there
render(html`<${App} />`, root);
