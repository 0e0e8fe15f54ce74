// Retention policy editor: a default number of days for rotated files (empty = keep forever) and
// per-log overrides. Saving prunes rotated files older than the policy; live files are never pruned.
import type { LogFamily } from '@borealis/protocol';
import { Button, Checkbox, Group, Modal, NumberInput, Stack, Table, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { notifySuccess } from '../../app/query-client';
import { useUpdateRetention, type RetentionInput } from './useLogs';

interface RetentionModalProps {
  opened: boolean;
  families: LogFamily[];
  defaultDays: number | null;
  overrides: Record<string, number | null>;
  onClose: () => void;
}

export function RetentionModal({ opened, onClose, ...policy }: RetentionModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title="Log retention" size="lg">
      <RetentionForm {...policy} onClose={onClose} />
    </Modal>
  );
}

type Override = { forever: boolean; days: number | string };

function RetentionForm({
  families,
  defaultDays,
  overrides,
  onClose,
}: Omit<RetentionModalProps, 'opened'>) {
  const update = useUpdateRetention();
  const [days, setDays] = useState<number | string>(defaultDays ?? '');
  const [rows, setRows] = useState<Record<string, Override>>(() =>
    Object.fromEntries(
      families.map((f) => {
        const has = Object.hasOwn(overrides, f.name);
        const value = overrides[f.name];
        return [
          f.name,
          { forever: has && value === null, days: has && value != null ? value : '' },
        ];
      }),
    ),
  );

  const setRow = (name: string, patch: Partial<Override>) =>
    setRows((r) => ({ ...r, [name]: { forever: false, days: '', ...r[name], ...patch } }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body: RetentionInput = {
      default_days: days === '' ? null : Number(days),
      overrides: {},
    };
    for (const [name, row] of Object.entries(rows)) {
      if (row.forever) body.overrides[name] = null;
      else if (row.days !== '') body.overrides[name] = Number(row.days);
    }
    update.mutate(body, {
      onSuccess: (res) => {
        notifySuccess(
          res.pruned.length
            ? `Removed ${res.pruned.join(', ')}.`
            : 'No rotated files were old enough to remove.',
          'Retention saved',
        );
        onClose();
      },
    });
  };

  return (
    <form onSubmit={submit} aria-label="Log retention">
      <Stack gap="md">
        <NumberInput
          label="Default retention (days)"
          description="Rotated files older than this are deleted. Leave empty to keep everything."
          min={1}
          max={3650}
          allowDecimal={false}
          value={days}
          onChange={setDays}
        />
        <Text size="sm" fw={600}>
          Per-log overrides
        </Text>
        <Table fz="sm" verticalSpacing={6}>
          <Table.Tbody>
            {families.map((f) => {
              const row = rows[f.name] ?? { forever: false, days: '' };
              return (
                <Table.Tr key={f.name}>
                  <Table.Td className="mono">{f.file}</Table.Td>
                  <Table.Td>
                    <NumberInput
                      aria-label={`Retention days for ${f.file}`}
                      placeholder="Default"
                      min={1}
                      max={3650}
                      allowDecimal={false}
                      size="xs"
                      w={120}
                      value={row.days}
                      disabled={row.forever}
                      onChange={(v) => setRow(f.name, { days: v })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Checkbox
                      label="Keep forever"
                      checked={row.forever}
                      onChange={(e) => setRow(f.name, { forever: e.currentTarget.checked })}
                    />
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" variant="gradient" loading={update.isPending}>
            Save policy
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
