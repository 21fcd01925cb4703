/** A content descriptor in the image layer's own (camelCase) shape; see toWire/fromWire. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** containerd's wire descriptor (snake_case, as src/containerd loads the protos). */
export interface WireDescriptor {
  media_type: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export function toWire(d: Descriptor): WireDescriptor {
  return { media_type: d.mediaType, digest: d.digest, size: d.size, annotations: d.annotations ?? {} };
}

export function fromWire(d: WireDescriptor): Descriptor {
  const out: Descriptor = { mediaType: d.media_type, digest: d.digest, size: Number(d.size) };
  if (d.annotations && Object.keys(d.annotations).length) out.annotations = d.annotations;
  return out;
}
