// Device list columns (reference §10): the default set, the optional ones, which can be sorted
// and filtered server-side, and how each cell renders. Agent-reported values are text nodes only.
import type { Device, DeviceFilterField, DeviceSortField } from '@borealis/protocol';
import { Anchor, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { formatDuration, formatTime } from '../../lib/format';
import { DescriptionCell } from './DescriptionCell';
import { DeviceStatusBadge } from './DeviceStatusBadge';

export interface CellContext {
  canEdit: boolean;
}

export interface DeviceColumn {
  id: string;
  label: string;
  sortField?: DeviceSortField;
  filterField?: DeviceFilterField;
  /** Keeps short values on one line. */
  nowrap?: boolean;
  render: (d: Device, ctx: CellContext) => ReactNode;
}

const dash = (
  <Text span c="dimmed" size="sm">
    —
  </Text>
);

function text(value: string | null): ReactNode {
  return value ? value : dash;
}

function mono(value: string | null): ReactNode {
  return value ? <span className="mono">{value}</span> : dash;
}

function percent(value: number | null): ReactNode {
  return value === null ? dash : `${Math.round(value)}%`;
}

export const DEVICE_COLUMNS: DeviceColumn[] = [
  {
    id: 'status',
    label: 'Status',
    sortField: 'status',
    nowrap: true,
    render: (d) => <DeviceStatusBadge status={d.status} deviceStatus={d.device_status} />,
  },
  {
    id: 'site',
    label: 'Site',
    sortField: 'site_name',
    filterField: 'site_name',
    nowrap: true,
    render: (d) => text(d.site_name),
  },
  {
    id: 'hostname',
    label: 'Hostname',
    sortField: 'hostname',
    filterField: 'hostname',
    render: (d) => (
      <Anchor component={Link} to={`/devices/${encodeURIComponent(d.guid)}`} fw={600} size="sm">
        {d.hostname}
      </Anchor>
    ),
  },
  {
    id: 'description',
    label: 'Description',
    filterField: 'description',
    render: (d, ctx) => <DescriptionCell device={d} canEdit={ctx.canEdit} />,
  },
  {
    id: 'last_user',
    label: 'Last User',
    sortField: 'last_user',
    filterField: 'last_user',
    nowrap: true,
    render: (d) => text(d.last_user),
  },
  {
    id: 'type',
    label: 'Type',
    sortField: 'device_type',
    filterField: 'device_type',
    nowrap: true,
    render: (d) => text(d.device_type),
  },
  {
    id: 'os',
    label: 'OS',
    sortField: 'operating_system',
    filterField: 'operating_system',
    render: (d) => text(d.operating_system),
  },
  {
    id: 'internal_ip',
    label: 'Internal IP',
    sortField: 'internal_ip',
    filterField: 'internal_ip',
    nowrap: true,
    render: (d) => mono(d.internal_ip),
  },
  {
    id: 'external_ip',
    label: 'External IP',
    sortField: 'external_ip',
    filterField: 'external_ip',
    nowrap: true,
    render: (d) => mono(d.external_ip),
  },
  {
    id: 'last_reboot',
    label: 'Last Reboot',
    nowrap: true,
    render: (d) => (d.last_reboot === null ? dash : formatTime(d.last_reboot)),
  },
  {
    id: 'created',
    label: 'Created',
    sortField: 'created_at',
    nowrap: true,
    render: (d) => formatTime(d.created_at),
  },
  {
    id: 'last_seen',
    label: 'Last Seen',
    sortField: 'last_seen',
    nowrap: true,
    render: (d) =>
      d.status === 'Online' ? (
        <Text span c="green" size="sm">
          Currently Online
        </Text>
      ) : (
        formatTime(d.last_seen)
      ),
  },
  {
    id: 'agent_id',
    label: 'Agent ID',
    filterField: 'agent_id',
    render: (d) => mono(d.agent_id),
  },
  {
    id: 'agent_guid',
    label: 'Agent GUID',
    filterField: 'guid',
    nowrap: true,
    render: (d) => mono(d.agent_guid),
  },
  {
    id: 'agent_build',
    label: 'Agent Build',
    filterField: 'agent_build_id',
    render: (d) => mono(d.agent_build_id),
  },
  {
    id: 'domain',
    label: 'Domain',
    filterField: 'domain',
    render: (d) => text(d.domain),
  },
  {
    id: 'uptime',
    label: 'Uptime',
    nowrap: true,
    render: (d) => (d.uptime === null ? dash : formatDuration(d.uptime)),
  },
  { id: 'cpu', label: 'CPU %', nowrap: true, render: (d) => percent(d.cpu_percent) },
  { id: 'memory', label: 'Memory %', nowrap: true, render: (d) => percent(d.memory_percent) },
];

export const COLUMNS_BY_ID = new Map(DEVICE_COLUMNS.map((c) => [c.id, c]));

export const DEFAULT_COLUMN_IDS = [
  'status',
  'site',
  'hostname',
  'description',
  'last_user',
  'type',
  'os',
];

/** Known ids only, no duplicates; the defaults when nothing is left. */
export function sanitizeColumnIds(ids: readonly string[]): string[] {
  const valid = [...new Set(ids)].filter((id) => COLUMNS_BY_ID.has(id));
  return valid.length > 0 ? valid : [...DEFAULT_COLUMN_IDS];
}
