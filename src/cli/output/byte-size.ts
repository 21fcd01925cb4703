const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** Image SIZE: `<n> B` below 1024, else one decimal with a binary unit. */
export function formatBytes(n: number): string {
  if (n < 0) return '-';
  if (n < 1024) return `${n} B`;
  let value = n / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value.toFixed(1)} ${units[i]}`;
}
