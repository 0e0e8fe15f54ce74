// Log Management page (admin): log families with sizes and rotations, a live tail of one log,
// the retention policy editor, and truncate/delete.
import type { LogFamily } from '@borealis/protocol';
import { Alert, Button, Center, Loader, Stack } from '@mantine/core';
import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { notifySuccess } from '../../app/query-client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { PageHeader } from '../../components/PageHeader';
import { LogFamiliesTable } from './LogFamiliesTable';
import { LogTail } from './LogTail';
import { RetentionModal } from './RetentionModal';
import { useDeleteLog, useLogFamilies } from './useLogs';

type PendingDelete = { family: LogFamily; scope: 'file' | 'family' } | null;

export function LogManagementPage() {
  const list = useLogFamilies();
  const remove = useDeleteLog();
  const [tailing, setTailing] = useState<string | null>('engine');
  const [editing, setEditing] = useState(false);
  const [pending, setPending] = useState<PendingDelete>(null);
  const families = list.data?.logs ?? [];
  const selected = families.some((f) => f.name === tailing) ? tailing : null;

  const confirmDelete = () => {
    if (!pending) return;
    remove.mutate(
      { name: pending.family.name, scope: pending.scope },
      {
        onSuccess: (res) => {
          const parts = [
            res.deleted.length ? `deleted ${res.deleted.join(', ')}` : '',
            res.truncated.length ? `cleared ${res.truncated.join(', ')}` : '',
          ].filter(Boolean);
          notifySuccess(parts.length ? `${parts.join('; ')}.` : 'Nothing to remove.');
          setPending(null);
        },
      },
    );
  };

  return (
    <>
      <PageHeader
        title="Log Management"
        subtitle="Engine, API and service logs under Engine/Logs. Rotated daily; kept unless a retention policy says otherwise."
        actions={
          <Button variant="gradient" onClick={() => setEditing(true)} disabled={!list.data}>
            Retention policy
          </Button>
        }
      />
      <Stack gap="lg">
        <div className="glass">
          {list.isPending && (
            <Center py="lg">
              <Loader size="sm" aria-label="Loading logs" />
            </Center>
          )}
          {list.isError && (
            <Alert color="red" m="md">
              {errorMessage(list.error)}
            </Alert>
          )}
          {list.data && (
            <LogFamiliesTable
              families={families}
              tailing={selected}
              onTail={setTailing}
              onDelete={(family, scope) => setPending({ family, scope })}
            />
          )}
        </div>
        <LogTail families={families} selected={selected} onSelect={setTailing} />
      </Stack>
      {list.data && (
        <RetentionModal
          opened={editing}
          families={families}
          defaultDays={list.data.default_retention_days}
          overrides={list.data.overrides}
          onClose={() => setEditing(false)}
        />
      )}
      <ConfirmDialog
        opened={pending !== null}
        title={pending?.scope === 'family' ? 'Delete log family' : 'Clear log file'}
        confirmLabel={pending?.scope === 'family' ? 'Delete files' : 'Clear file'}
        loading={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setPending(null)}
      >
        {pending?.scope === 'family'
          ? `Delete ${pending.family.file} and all its rotated files? This cannot be undone.`
          : `Empty ${pending?.family.file ?? ''}? New lines keep being written to it.`}
      </ConfirmDialog>
    </>
  );
}
