// Moves the selected devices to a site, or takes them out of any site
// (POST /api/sites/assign {site_id, guids}, operator).
import { Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { notifySuccess } from '../../app/query-client';
import { useSites } from '../sites/useSites';
import { useAssignSite } from './useDevices';

const NO_SITE = '__none__';

interface AssignSiteModalProps {
  opened: boolean;
  guids: string[];
  onClose: () => void;
  onAssigned: () => void;
}

export function AssignSiteModal({ opened, guids, onClose, onAssigned }: AssignSiteModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title="Assign site">
      <AssignSiteForm guids={guids} onClose={onClose} onAssigned={onAssigned} />
    </Modal>
  );
}

function AssignSiteForm({ guids, onClose, onAssigned }: Omit<AssignSiteModalProps, 'opened'>) {
  const sites = useSites();
  const assign = useAssignSite();
  const [siteId, setSiteId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const options = [
    { value: NO_SITE, label: 'No site (unassign)' },
    ...(sites.data ?? []).map((s) => ({ value: s.id, label: s.name })),
  ];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!siteId) {
      setError('Choose a site.');
      return;
    }
    setError(null);
    const target = siteId === NO_SITE ? null : siteId;
    const name = options.find((o) => o.value === siteId)?.label ?? '';
    assign.mutate(
      { site_id: target, guids },
      {
        onSuccess: (res) => {
          notifySuccess(
            target === null
              ? `${res.updated} device(s) taken out of their site.`
              : `${res.updated} device(s) moved to ${name}.`,
          );
          onAssigned();
        },
      },
    );
  };

  return (
    <form onSubmit={submit} aria-label="Assign site">
      <Stack gap="md">
        <Text size="sm">
          {guids.length === 1 ? 'Move 1 device to:' : `Move ${guids.length} devices to:`}
        </Text>
        <Select
          label="Site"
          placeholder={sites.isPending ? 'Loading sites…' : 'Choose a site'}
          data={options}
          value={siteId}
          onChange={setSiteId}
          error={error}
          searchable
          required
          comboboxProps={{ withinPortal: true }}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" variant="gradient" loading={assign.isPending}>
            Assign
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
