/** OCI and docker media types the importer recognises. */
export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export function isIndex(mediaType: string): boolean {
  return mediaType === MediaType.ociIndex || mediaType === MediaType.dockerManifestList;
}

export function isManifest(mediaType: string): boolean {
  return mediaType === MediaType.ociManifest || mediaType === MediaType.dockerManifest;
}

/** Labels containerd's garbage collector follows. */
export const GcLabel = {
  expire: 'containerd.io/gc.expire',
  config: 'containerd.io/gc.ref.content.config',
  layer: (i: number) => `containerd.io/gc.ref.content.l.${i}`,
  manifest: (i: number) => `containerd.io/gc.ref.content.m.${i}`,
  snapshot: (snapshotter: string) => `containerd.io/gc.ref.snapshot.${snapshotter}`,
  uncompressed: 'containerd.io/uncompressed',
  snapshotRef: 'containerd.io/snapshot.ref',
} as const;

export const NameAnnotation = {
  containerd: 'io.containerd.image.name',
  oci: 'org.opencontainers.image.ref.name',
} as const;
