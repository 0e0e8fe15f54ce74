// Device Approvals page (admin): agents asking to enroll, refreshed every 5 s. Approve or deny a
// pending request; a hostname held by another device with a different key opens the conflict
// dialog (overwrite vs keep both), also when the engine reports it at approve time (409).
import type { ApprovalStatus, ConflictResolution, DeviceApproval } from '@borealis/protocol';
import { Badge, Button, Group, SegmentedControl, Table, Text, Tooltip } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { notifyError, notifySuccess } from '../../app/query-client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { PageHeader } from '../../components/PageHeader';
import { TableState } from '../../components/TableState';
import { formatTime } from '../../lib/format';
import { ConflictDialog } from './ConflictDialog';
import { shortFingerprint } from './fingerprint';
import { useApprovals, useApprove, useDeny } from './useApprovals';

const FILTERS = [
  { value: 'pending', label: 'Pending' },
  { value: 'all', label: 'All' },
];
const STATUS_COLORS: Record<ApprovalStatus, string> = {
  pending: 'aurora',
  approved: 'green',
  completed: 'green',
  denied: 'red',
  expired: 'gray',
};

function ConflictBadge({ a }: { a: DeviceApproval }) {
  if (a.conflict_requires_prompt) {
    return (
      <Tooltip label="Another device holds this hostname with a different key: you choose on approve">
        <Badge variant="light" color="orange">
          Hostname in use
        </Badge>
      </Tooltip>
    );
  }
  if (a.fingerprint_match) {
    return (
      <Tooltip label="Same key as the existing device: approving merges into it">
        <Badge variant="light" color="teal">
          Same key, merges
        </Badge>
      </Tooltip>
    );
  }
  return (
    <Text size="sm" c="dimmed">
      —
    </Text>
  );
}

export function DeviceApprovalsPage() {
  const [filter, setFilter] = useState('pending');
  const approvals = useApprovals(filter === 'all' ? null : 'pending');
  const approve = useApprove();
  const deny = useDeny();
  const [conflict, setConflict] = useState<DeviceApproval | null>(null);
  const [denying, setDenying] = useState<DeviceApproval | null>(null);

  const approved = (a: DeviceApproval) => () => {
    setConflict(null);
    notifySuccess(`${a.hostname_claimed} approved. The agent gets its tokens on its next poll.`);
  };

  const onApprove = (a: DeviceApproval) => {
    if (a.conflict_requires_prompt) {
      setConflict(a);
      return;
    }
    approve.mutate(
      { id: a.id },
      {
        onSuccess: approved(a),
        onError: (err) => {
          if (err instanceof ApiError && err.code === 'conflict_resolution_required') {
            // Another device took the hostname since the list was loaded: ask now.
            void approvals.refetch().then((res) => {
              const fresh = res.data?.find((x) => x.id === a.id);
              if (fresh?.hostname_conflict) setConflict(fresh);
              else notifyError(err, 'Could not approve');
            });
          } else {
            notifyError(err, 'Could not approve');
          }
        },
      },
    );
  };

  const onResolve = (resolution: ConflictResolution) => {
    if (!conflict) return;
    const a = conflict;
    approve.mutate(
      { id: a.id, resolution },
      { onSuccess: approved(a), onError: (err) => notifyError(err, 'Could not approve') },
    );
  };

  const confirmDeny = () => {
    if (!denying) return;
    const a = denying;
    deny.mutate(a.id, {
      onSuccess: () => {
        notifySuccess(`${a.hostname_claimed} denied.`);
        setDenying(null);
      },
    });
  };

  // In the pending view every row is pending: the column only matters for "All".
  const showStatus = filter === 'all';
  const busyId = approve.isPending ? approve.variables.id : null;
  const rows = (approvals.data ?? []).map((a) => (
    <Table.Tr key={a.id} data-testid={`approval-row-${a.id}`}>
      <Table.Td miw={170}>
        <Text fw={600} size="sm" className="fact-value">
          {a.hostname_claimed}
        </Text>
      </Table.Td>
      <Table.Td>
        <Tooltip label={a.ssl_key_fingerprint_claimed} multiline maw={320}>
          <Text className="mono code-text" size="sm">
            {shortFingerprint(a.ssl_key_fingerprint_claimed)}
          </Text>
        </Tooltip>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        {a.site_name ?? (
          <Text c="dimmed" size="sm">
            —
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={a.code_kind === 'installer' ? 'orchid' : 'aurora'}>
          {a.code_kind === 'installer' ? 'installer code' : 'site code'}
        </Badge>
      </Table.Td>
      <Table.Td className="mono">{a.source_ip}</Table.Td>
      <Table.Td>{formatTime(a.created_at)}</Table.Td>
      <Table.Td>
        <ConflictBadge a={a} />
      </Table.Td>
      {showStatus && (
        <Table.Td>
          <Badge variant="light" color={STATUS_COLORS[a.status]}>
            {a.status}
          </Badge>
          {a.approved_by && (
            <Text size="xs" c="dimmed">
              by {a.approved_by}
            </Text>
          )}
        </Table.Td>
      )}
      <Table.Td>
        {a.status === 'pending' && (
          <Group gap={6} justify="flex-end" wrap="nowrap">
            <Button
              size="compact-sm"
              variant="light"
              color="green"
              aria-label={`Approve ${a.hostname_claimed}`}
              loading={busyId === a.id && conflict === null}
              onClick={() => onApprove(a)}
            >
              Approve
            </Button>
            <Button
              size="compact-sm"
              variant="subtle"
              color="red"
              aria-label={`Deny ${a.hostname_claimed}`}
              onClick={() => setDenying(a)}
            >
              Deny
            </Button>
          </Group>
        )}
      </Table.Td>
    </Table.Tr>
  ));

  return (
    <>
      <PageHeader
        title="Device Approvals"
        subtitle="Agents asking to enroll. Compare the key fingerprint with the machine when in doubt; approving issues the agent its tokens."
      />
      <Group mb="md" justify="space-between">
        <SegmentedControl
          aria-label="Filter approvals"
          data={FILTERS}
          value={filter}
          onChange={setFilter}
        />
        <Text size="xs" c="dimmed">
          Refreshes every 5 seconds
        </Text>
      </Group>
      <div className="glass">
        <Table.ScrollContainer minWidth={showStatus ? 1120 : 1000}>
          <Table aria-label="Device approvals" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Hostname</Table.Th>
                <Table.Th>Key fingerprint</Table.Th>
                <Table.Th>Site</Table.Th>
                <Table.Th>Code</Table.Th>
                <Table.Th>Source IP</Table.Th>
                <Table.Th>Requested</Table.Th>
                <Table.Th>Conflict</Table.Th>
                {showStatus && <Table.Th>Status</Table.Th>}
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows}
              <TableState
                query={approvals}
                columns={showStatus ? 9 : 8}
                empty={
                  filter === 'pending'
                    ? 'No agent is waiting for approval.'
                    : 'No enrollment requests yet.'
                }
              />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </div>
      <ConflictDialog
        approval={conflict}
        loading={approve.isPending ? (approve.variables.resolution ?? null) : null}
        onResolve={onResolve}
        onClose={() => setConflict(null)}
      />
      <ConfirmDialog
        opened={denying !== null}
        title="Deny enrollment"
        confirmLabel="Deny"
        loading={deny.isPending}
        onConfirm={confirmDeny}
        onClose={() => setDenying(null)}
      >
        {`Deny the enrollment request of ${denying?.hostname_claimed ?? ''}? The agent is told it was denied and gets no tokens.`}
      </ConfirmDialog>
    </>
  );
}
