// Create an expiring installer code: lifetime (1–24 h), how many installs may use it (1–10),
// and optionally the site its devices join. Shows the new code once created.
import { InstallerCodeCreateSchema } from '@borealis/protocol';
import { Alert, Button, Group, Modal, NumberInput, Select, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { CopyButton } from '../../components/CopyButton';
import { validate, type FieldErrors } from '../../lib/validation';
import { useSites } from '../sites/useSites';
import { useCreateInstallerCode } from './useInstallerCodes';

export function CreateCodeModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="New installer code">
      <CreateCodeForm onClose={onClose} />
    </Modal>
  );
}

function CreateCodeForm({ onClose }: { onClose: () => void }) {
  const sites = useSites();
  const create = useCreateInstallerCode();
  const [ttl, setTtl] = useState<number | string>(24);
  const [maxUses, setMaxUses] = useState<number | string>(2);
  const [siteId, setSiteId] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const result = validate(InstallerCodeCreateSchema, {
      ttl_hours: Number(ttl),
      max_uses: Number(maxUses),
      site_id: siteId,
    });
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    const body = {
      ttl_hours: result.data.ttl_hours,
      max_uses: result.data.max_uses,
      site_id: result.data.site_id ?? null,
    };
    create.mutate(body);
  };

  const created = create.data?.code;
  if (created) {
    return (
      <Stack gap="md">
        <Alert color="green" variant="light" title="Installer code created">
          Pass it to the agent installer. It stops working when it expires or runs out of uses.
        </Alert>
        <Group gap="sm" wrap="nowrap">
          <Text className="mono code-text" data-testid="new-installer-code">
            {created}
          </Text>
          <CopyButton value={created} label="Copy new installer code" />
        </Group>
        <Group justify="flex-end">
          <Button onClick={onClose}>Done</Button>
        </Group>
      </Stack>
    );
  }

  return (
    <form onSubmit={submit} aria-label="Create installer code">
      <Stack gap="md">
        <NumberInput
          label="Valid for (hours)"
          min={1}
          max={24}
          allowDecimal={false}
          value={ttl}
          onChange={setTtl}
          error={errors.ttl_hours}
          required
        />
        <NumberInput
          label="Maximum uses"
          min={1}
          max={10}
          allowDecimal={false}
          value={maxUses}
          onChange={setMaxUses}
          error={errors.max_uses}
          required
        />
        <Select
          label="Site"
          placeholder="No site (assign later)"
          data={(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
          value={siteId}
          onChange={setSiteId}
          error={errors.site_id}
          clearable
          searchable
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" variant="gradient" loading={create.isPending}>
            Create code
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
