// Quick-run targets: the union of explicit GUIDs, hostnames (case-insensitive), a site's devices
// and a device filter's matches. Named devices must exist (400 unknown_targets) and be active
// (403 out_of_scope_hostnames for revoked or quarantined ones); site and filter members that are
// not active are skipped. An empty result is 400 no_targets.
import type { QuickRunRequest } from '@borealis/protocol';
import type { TargetDevice } from '../db/repositories/quick-job.repository.js';
import { badRequest, forbidden, notFound } from '../http/errors.js';

export interface TargetSources {
  devices: {
    devicesByGuids(guids: readonly string[]): Promise<TargetDevice[]>;
    devicesByLowerHostnames(lowered: readonly string[]): Promise<TargetDevice[]>;
    devicesBySite(siteId: string): Promise<TargetDevice[]>;
    siteExists(siteId: string): Promise<boolean>;
  };
  filters: { matches(filterId: string): Promise<TargetDevice[]> };
}

/** Lowercases A–Z only (what SQL lower() does on both dialects). */
const asciiLower = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/** "a, b, c and 7 more": error messages list what was wrong without growing unbounded. */
function listOf(items: readonly string[], max = 20): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

export async function resolveTargets(
  input: QuickRunRequest,
  src: TargetSources,
): Promise<TargetDevice[]> {
  const guids = [...new Set(input.guids ?? [])];
  const hostnames = [...new Set(input.hostnames ?? [])];
  if (!guids.length && !hostnames.length && !input.site_id && !input.filter_id) {
    throw badRequest(
      'no_targets',
      'Name at least one target: guids, hostnames, site_id or filter_id.',
    );
  }

  const named = new Map<string, TargetDevice>();
  const unknown: string[] = [];
  if (guids.length) {
    const found = new Map((await src.devices.devicesByGuids(guids)).map((d) => [d.guid, d]));
    for (const g of guids) {
      const d = found.get(g);
      if (d) named.set(d.guid, d);
      else unknown.push(g);
    }
  }
  if (hostnames.length) {
    const byName = new Map<string, TargetDevice[]>();
    const lowered = [...new Set(hostnames.map(asciiLower))];
    for (const d of await src.devices.devicesByLowerHostnames(lowered)) {
      const key = asciiLower(d.hostname);
      byName.set(key, [...(byName.get(key) ?? []), d]);
    }
    for (const h of hostnames) {
      const matches = byName.get(asciiLower(h));
      if (matches) for (const d of matches) named.set(d.guid, d);
      else unknown.push(h);
    }
  }
  if (unknown.length) {
    const field = guids.includes(unknown[0]!) ? 'guids' : 'hostnames';
    throw badRequest('unknown_targets', `Unknown targets: ${listOf(unknown)}.`, field);
  }
  const blocked = [...named.values()].filter((d) => d.status !== 'active');
  if (blocked.length) {
    throw forbidden(
      'out_of_scope_hostnames',
      `Jobs cannot run on ${listOf(blocked.map((d) => `${d.hostname} (${d.status})`))}.`,
    );
  }

  const all = new Map(named);
  const addActive = (devices: readonly TargetDevice[]) => {
    for (const d of devices) if (d.status === 'active') all.set(d.guid, d);
  };
  if (input.site_id) {
    if (!(await src.devices.siteExists(input.site_id))) {
      throw notFound('site_not_found', `No site with id ${input.site_id}.`);
    }
    addActive(await src.devices.devicesBySite(input.site_id));
  }
  if (input.filter_id) addActive(await src.filters.matches(input.filter_id));
  if (all.size === 0) throw badRequest('no_targets', 'No eligible device matches the targets.');
  return [...all.values()];
}
