import { protoRegistry, decodeOptions } from './proto-registry.js';
import type { Any } from './types.js';

export const SPEC_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/Spec';
export const PROCESS_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/Process';
export const RESOURCES_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/LinuxResources';
export const RUNC_OPTIONS_TYPE = 'containerd.runc.v1.Options';

/** An Any whose value is JSON (OCI spec, process, resources): containerd stores it as is. */
export function jsonAny(typeUrl: string, value: unknown): Any {
  return { type_url: typeUrl, value: Buffer.from(JSON.stringify(value), 'utf8') };
}

export function parseJsonAny<T = unknown>(any: Any | null | undefined): T | undefined {
  if (!any || !any.value || any.value.length === 0) return undefined;
  return JSON.parse(Buffer.from(any.value).toString('utf8')) as T;
}

/** Encodes `value` as the protobuf message `typeName` from our protos, wrapped in an Any. */
export function protoAny(typeName: string, value: object): Any {
  const type = protoRegistry().root.lookupType(typeName);
  const err = type.verify(value);
  if (err) throw new Error(`invalid ${typeName}: ${err}`);
  return { type_url: typeName, value: Buffer.from(type.encode(type.fromObject(value)).finish()) };
}

/** Type name of an Any: the part of the URL after the last `/`. */
export function anyTypeName(any: Any): string {
  const i = any.type_url.lastIndexOf('/');
  return i >= 0 ? any.type_url.slice(i + 1) : any.type_url;
}

/** Decodes a protobuf Any with our protos; undefined when the type is not one we define. */
export function decodeProtoAny(any: Any): Record<string, unknown> | undefined {
  const name = anyTypeName(any);
  let type;
  try {
    type = protoRegistry().root.lookupType(name);
  } catch {
    return undefined;
  }
  const msg = type.decode(any.value);
  return type.toObject(msg, decodeOptions) as Record<string, unknown>;
}
