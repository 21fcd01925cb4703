import { fileURLToPath } from 'node:url';
import { isAbsolute, join } from 'node:path';
import protobuf from 'protobufjs';
import {
  makeGenericClientConstructor,
  type MethodDefinition,
  type ServiceClientConstructor,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { serializeMessage } from './bytes-pieces.js';

/** Our own .proto subset of the containerd API (proto/containerd/), copied here by the build. */
export const protoDir = fileURLToPath(new URL('./proto/', import.meta.url));

export const protoFiles = [
  'services/version.proto',
  'services/namespaces.proto',
  'services/content.proto',
  'services/leases.proto',
  'services/images.proto',
  'services/snapshots.proto',
  'services/diff.proto',
  'services/containers.proto',
  'services/tasks.proto',
  'services/events.proto',
  'events/task.proto',
  'events/other.proto',
  'events/image.proto',
  'runc/options.proto',
];

/** Short name → fully qualified gRPC service name. */
export const serviceNames = {
  version: 'containerd.services.version.v1.Version',
  namespaces: 'containerd.services.namespaces.v1.Namespaces',
  content: 'containerd.services.content.v1.Content',
  leases: 'containerd.services.leases.v1.Leases',
  images: 'containerd.services.images.v1.Images',
  snapshots: 'containerd.services.snapshots.v1.Snapshots',
  diff: 'containerd.services.diff.v1.Diff',
  containers: 'containerd.services.containers.v1.Containers',
  tasks: 'containerd.services.tasks.v1.Tasks',
  events: 'containerd.services.events.v1.Events',
} as const;

export type ServiceName = keyof typeof serviceNames;

/**
 * snake_case fields (keepCase) everywhere: the TS interfaces match the proto field names, so
 * what the spec and containerd's docs call a field is what the code calls it.
 */
export const decodeOptions = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };

export interface ProtoRegistry {
  /** protobufjs root: used to encode/decode payloads carried inside `google.protobuf.Any`. */
  root: protobuf.Root;
  services: Record<ServiceName, ServiceClientConstructor>;
  /** Milliseconds spent loading (reported by the benchmark). */
  loadMs: number;
}

let cached: ProtoRegistry | undefined;

/** A method's path and its request and response types (for a stream that frames its own messages). */
export function methodTypes(
  service: ServiceName,
  method: string,
): { path: string; request: protobuf.Type; response: protobuf.Type } {
  const svc = protoRegistry().root.lookupService(serviceNames[service]);
  const m = svc.methods[method];
  if (!m) throw new Error(`${serviceNames[service]} has no method ${method}`);
  m.resolve();
  return {
    path: `/${serviceNames[service]}/${m.name}`,
    request: m.resolvedRequestType as protobuf.Type,
    response: m.resolvedResponseType as protobuf.Type,
  };
}

/**
 * grpc-js service definition straight from the protobufjs Root: (de)serializers are the
 * protobufjs types with our decode options. This is what proto-loader would build, minus its
 * descriptor bookkeeping, which cost ~25 ms of the ~45 ms load (measured on this machine).
 */
function serviceDefinition(service: protobuf.Service): ServiceDefinition {
  const def: Record<string, MethodDefinition<object, object>> = {};
  const fullName = service.fullName.replace(/^\./, '');
  for (const m of service.methodsArray) {
    m.resolve();
    const req = m.resolvedRequestType as protobuf.Type;
    const res = m.resolvedResponseType as protobuf.Type;
    def[m.name] = {
      path: `/${fullName}/${m.name}`,
      requestStream: !!m.requestStream,
      responseStream: !!m.responseStream,
      requestSerialize: (value: object) => serializeMessage(req, value),
      requestDeserialize: (buf: Buffer) => req.toObject(req.decode(buf), decodeOptions) as object,
      responseSerialize: (value: object) => Buffer.from(res.encode(res.fromObject(value)).finish()),
      responseDeserialize: (buf: Buffer) => res.toObject(res.decode(buf), decodeOptions) as object,
      originalName: m.name,
    };
  }
  return def as ServiceDefinition;
}

/**
 * Loads the protos once per process, on first use: one protobufjs Root parsed from our .proto
 * files serves both the gRPC stubs and the decoding of `Any` payloads. Measured here: ~20 ms
 * (a prebuilt JSON descriptor would save another ~10 ms: not worth a build step).
 */
export function protoRegistry(): ProtoRegistry {
  if (cached) return cached;
  const t0 = performance.now();
  const root = new protobuf.Root();
  // google/protobuf/* resolve to protobufjs's bundled well-known types.
  root.resolvePath = (_origin, target) =>
    target.startsWith('google/protobuf/') || isAbsolute(target) ? target : join(protoDir, target);
  root.loadSync(
    protoFiles.map((f) => join(protoDir, f)),
    { keepCase: true },
  );
  root.resolveAll();
  const services = {} as Record<ServiceName, ServiceClientConstructor>;
  for (const [short, full] of Object.entries(serviceNames) as [ServiceName, string][]) {
    const svc = root.lookupService(full);
    services[short] = makeGenericClientConstructor(serviceDefinition(svc), short);
  }
  cached = { root, services, loadMs: performance.now() - t0 };
  return cached;
}
