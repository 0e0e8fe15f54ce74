// Editor tab "Targets": devices (searched by hostname, IP, …), whole sites and device filters,
// resolved by the engine on every occurrence. Shows the chosen targets and, for a saved job, the
// devices it resolves to now (GET /api/scheduled_jobs/:id/devices) with presence and last status.
import type { ScheduledTarget } from '@borealis/protocol';
import {
  Badge,
  CloseButton,
  Group,
  MultiSelect,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { useState } from 'react';
import { useDeviceFilters } from '../filters/useDeviceFilters';
import { useSites } from '../sites/useSites';
import { sameTarget } from './job-draft';
import { ScheduledStatusBadge } from './ScheduledStatusBadge';
import { useDeviceSearch, useScheduledDevices } from './useScheduledJobs';

interface TargetsTabProps {
  jobId: string | null;
  targets: ScheduledTarget[];
  onChange: (targets: ScheduledTarget[]) => void;
  readOnly: boolean;
  error?: string;
}

type Kind = 'device' | 'site' | 'filter';

export function TargetsTab({ jobId, targets, onChange, readOnly, error }: TargetsTabProps) {
  const [kind, setKind] = useState<Kind>('site');
  const [q, setQ] = useState('');
  const sites = useSites();
  const filters = useDeviceFilters();
  const found = useDeviceSearch(q.trim());
  const resolved = useScheduledDevices(jobId);
  // Hostnames of device targets: from searches and from the saved job's resolved devices.
  const [picked, setNames] = useState<Record<string, string>>({});
  const names: Record<string, string> = { ...picked };
  for (const d of resolved.data?.devices ?? []) if (d.guid) names[d.guid] ??= d.hostname;

  const add = (t: ScheduledTarget) => {
    if (!targets.some((x) => sameTarget(x, t))) onChange([...targets, t]);
  };
  const labelOf = (t: ScheduledTarget): string => {
    if (typeof t === 'string') return `Host ${t}`;
    if (t.kind === 'device') return `Device ${names[t.guid] ?? t.guid}`;
    if (t.kind === 'site') {
      const site = sites.data?.find((s) => s.id === t.site_id);
      return site ? `Site ${site.name} (${site.device_count} devices)` : `Site ${t.site_id}`;
    }
    const filter = filters.data?.find((f) => f.id === t.filter_id);
    return filter
      ? `Filter ${filter.name} (${filter.match_count} match now)`
      : `Filter ${t.filter_id}`;
  };
  const siteIds = targets.flatMap((t) =>
    typeof t !== 'string' && t.kind === 'site' ? [t.site_id] : [],
  );

  return (
    <Stack gap="md">
      <Stack gap={6}>
        <Text size="sm" fw={500}>
          Chosen targets
        </Text>
        <Group gap={6} data-testid="chosen-targets">
          {targets.length === 0 && (
            <Text size="sm" c="dimmed">
              None yet.
            </Text>
          )}
          {targets.map((t) => (
            <Badge
              key={JSON.stringify(t)}
              size="lg"
              variant="light"
              tt="none"
              rightSection={
                readOnly ? null : (
                  <CloseButton
                    size="xs"
                    aria-label={`Remove ${labelOf(t)}`}
                    onClick={() => onChange(targets.filter((x) => !sameTarget(x, t)))}
                  />
                )
              }
            >
              {labelOf(t)}
            </Badge>
          ))}
        </Group>
        {error && (
          <Text size="sm" c="red">
            {error}
          </Text>
        )}
      </Stack>
      {!readOnly && (
        <Stack gap="sm" className="glass" p="md">
          <SegmentedControl
            aria-label="Target kind"
            w={360}
            data={[
              { value: 'site', label: 'Sites' },
              { value: 'device', label: 'Devices' },
              { value: 'filter', label: 'Device filters' },
            ]}
            value={kind}
            onChange={(v) => setKind(v)}
          />
          {kind === 'site' && (
            <MultiSelect
              label="Target sites"
              description="Every device of the site when the job fires."
              data={(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
              value={siteIds}
              onChange={(ids) =>
                onChange([
                  ...targets.filter((t) => typeof t === 'string' || t.kind !== 'site'),
                  ...ids.map((site_id) => ({ kind: 'site' as const, site_id })),
                ])
              }
              searchable
            />
          )}
          {kind === 'device' && (
            <Select
              label="Add device"
              placeholder="Search hostname, IP, user…"
              searchable
              searchValue={q}
              onSearchChange={setQ}
              filter={({ options }) => options}
              data={(found.data ?? []).map((d) => ({
                value: d.guid,
                label: `${d.hostname} (${d.status}${d.site_name ? `, ${d.site_name}` : ''})`,
              }))}
              value={null}
              onChange={(guid) => {
                const device = found.data?.find((d) => d.guid === guid);
                if (!device) return;
                setNames((prev) => ({ ...prev, [device.guid]: device.hostname }));
                add({ kind: 'device', guid: device.guid });
                setQ('');
              }}
              nothingFoundMessage="No device matches"
            />
          )}
          {kind === 'filter' && (
            <Select
              label="Add device filter"
              data={(filters.data ?? []).map((f) => ({
                value: f.id,
                label: `${f.name} (${f.match_count} match now)`,
              }))}
              value={null}
              onChange={(id) => id && add({ kind: 'filter', filter_id: id })}
              searchable
              nothingFoundMessage="No device filter"
            />
          )}
        </Stack>
      )}
      {jobId && (
        <Stack gap={6}>
          <Text size="sm" fw={500}>
            Devices targeted now (as saved)
          </Text>
          <Table className="glass" data-testid="resolved-devices">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Hostname</Table.Th>
                <Table.Th>Site</Table.Th>
                <Table.Th>Presence</Table.Th>
                <Table.Th>Job status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(resolved.data?.devices ?? []).map((d) => (
                <Table.Tr key={d.guid ?? d.hostname}>
                  <Table.Td>{d.hostname}</Table.Td>
                  <Table.Td>{d.site || '—'}</Table.Td>
                  <Table.Td>
                    <Badge variant="dot" color={d.online ? 'green' : 'gray'}>
                      {d.online ? 'Online' : 'Offline'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <ScheduledStatusBadge status={d.job_status} />
                  </Table.Td>
                </Table.Tr>
              ))}
              {resolved.data?.devices.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={4}>
                    <Text size="sm" c="dimmed">
                      The saved targets match no device now.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
    </Stack>
  );
}
