// Key fingerprints (SHA-256 of the agent's SPKI, hex) shortened for tables: the first 16 hex
// digits in groups of four, enough to compare with what the agent's machine shows.
export function shortFingerprint(fp: string | null | undefined): string {
  if (!fp) return '—';
  const hex = fp.replace(/[^0-9a-f]/gi, '').toLowerCase();
  if (hex.length === 0) return '—';
  return `${(hex.slice(0, 16).match(/.{1,4}/g) ?? []).join(':')}${hex.length > 16 ? '…' : ''}`;
}
