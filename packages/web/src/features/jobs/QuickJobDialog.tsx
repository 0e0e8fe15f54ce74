// Quick Job dialog (reference §10), opened from the device list's selection and the device page:
// pick a script assembly, the execution context (System / Current user), fill its variables
// (typed inputs), check the targets — the chosen devices, or a device filter — then POST
// /api/scripts/quick_run and open the live output view of the new job.
import type { AssemblySummary, PresenceStatus, RunMode } from '@borealis/protocol';
import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Text,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { ApiError, errorMessage } from '../../api/client';
import { notifySuccess } from '../../app/query-client';
import { hasRole } from '../../lib/roles';
import { useAssemblyList } from '../assemblies/useAssemblies';
import { useMe } from '../auth/useSession';
import { useCredentials } from '../credentials/useCredentials';
import { FilterTarget } from './FilterTarget';
import {
  initialRunValues,
  RunVariableInput,
  runValuesBody,
  type RunValue,
} from './RunVariableInput';
import { TargetPreview } from './TargetPreview';
import { useQuickRun, type QuickRunBody } from './useJobs';

export interface TargetDevice {
  guid: string;
  hostname: string;
  /** Presence when known. */
  status: PresenceStatus | null;
}

interface QuickJobDialogProps {
  opened: boolean;
  onClose: () => void;
  /** The devices chosen where the dialog was opened (may be empty: then a filter is the target). */
  devices: TargetDevice[];
}

const DOMAIN_LABELS = { user: 'User', community: 'Community', official: 'Official' } as const;
const EXPIRY_CHOICES = [
  { value: '3600', label: '1 hour' },
  { value: '86400', label: '24 hours' },
  { value: '604800', label: '7 days' },
];

export function QuickJobDialog({ opened, onClose, devices }: QuickJobDialogProps) {
  return (
    <Modal opened={opened} onClose={onClose} title="Run script" size="xl">
      <QuickJobForm devices={devices} onClose={onClose} />
    </Modal>
  );
}

function assemblyOptions(items: AssemblySummary[]) {
  return (['user', 'community', 'official'] as const)
    .map((domain) => ({
      group: DOMAIN_LABELS[domain],
      items: items
        .filter((a) => a.domain === domain && a.assembly_kind === 'script')
        .map((a) => ({ value: a.assembly_guid, label: a.display_name })),
    }))
    .filter((g) => g.items.length > 0);
}

interface Errors {
  assembly?: string;
  targets?: string;
  variables?: Record<string, string>;
  form?: string;
}

function QuickJobForm({ devices, onClose }: { devices: TargetDevice[]; onClose: () => void }) {
  const navigate = useNavigate();
  const { data: me } = useMe();
  const isAdmin = hasRole(me?.role, 'Admin');
  const assemblies = useAssemblyList();
  const credentials = useCredentials(isAdmin);
  const run = useQuickRun();
  const [assemblyGuid, setAssemblyGuid] = useState<string | null>(null);
  const [runMode, setRunMode] = useState<RunMode>('system');
  const [values, setValues] = useState<Record<string, RunValue>>({});
  const [target, setTarget] = useState<'devices' | 'filter'>(
    devices.length > 0 ? 'devices' : 'filter',
  );
  const [filterId, setFilterId] = useState<string | null>(null);
  const [expiry, setExpiry] = useState('86400');
  const [errors, setErrors] = useState<Errors>({});

  const assembly = assemblies.data?.find((a) => a.assembly_guid === assemblyGuid) ?? null;
  const variables = assembly?.variables ?? [];

  const pickAssembly = (guid: string | null) => {
    setAssemblyGuid(guid);
    const picked = assemblies.data?.find((a) => a.assembly_guid === guid);
    setValues(initialRunValues(picked?.variables ?? []));
    setErrors({});
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!assembly) return setErrors({ assembly: 'Pick the script to run.' });
    if (target === 'filter' && !filterId) return setErrors({ targets: 'Pick a device filter.' });
    const body: QuickRunBody = {
      assembly_guid: assembly.assembly_guid,
      run_mode: runMode,
      variable_values: runValuesBody(variables, values),
      expires_in_seconds: Number(expiry),
      ...(target === 'devices' ? { guids: devices.map((d) => d.guid) } : {}),
      ...(target === 'filter' && filterId ? { filter_id: filterId } : {}),
    };
    setErrors({});
    run.mutate(body, {
      onSuccess: (res) => {
        const n = res.results.length;
        notifySuccess(`${assembly.display_name} sent to ${n} ${n === 1 ? 'device' : 'devices'}.`);
        onClose();
        void navigate(`/jobs/${encodeURIComponent(res.job_id)}`);
      },
      onError: (err) => {
        const field = err instanceof ApiError ? (err.field ?? '') : '';
        const message = errorMessage(err);
        if (field.startsWith('variable_values.')) {
          setErrors({ variables: { [field.slice('variable_values.'.length)]: message } });
        } else if (field === 'assembly_guid') setErrors({ assembly: message });
        else if (['guids', 'filter_id', 'hostnames'].includes(field))
          setErrors({ targets: message });
        else setErrors({ form: message });
      },
    });
  };

  return (
    <form onSubmit={submit} aria-label="Run script">
      <Stack gap="md">
        <Select
          label="Assembly"
          placeholder={assemblies.isPending ? 'Loading…' : 'Search scripts'}
          data={assemblyOptions(assemblies.data ?? [])}
          value={assemblyGuid}
          onChange={pickAssembly}
          error={errors.assembly}
          searchable
          nothingFoundMessage="No script matches"
          required
          data-autofocus
        />
        {assembly && (
          <Group gap="xs" wrap="nowrap" align="flex-start">
            <Badge variant="light" color="orchid">
              {assembly.assembly_type}
            </Badge>
            <Text size="sm" c="dimmed">
              {assembly.summary || 'No summary.'} Times out after {assembly.timeout_seconds} s.
            </Text>
          </Group>
        )}
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            Execution context
          </Text>
          <SegmentedControl
            aria-label="Execution context"
            data={[
              { value: 'system', label: 'System' },
              { value: 'current_user', label: 'Current user' },
            ]}
            value={runMode}
            onChange={(v) => setRunMode(v === 'current_user' ? 'current_user' : 'system')}
          />
          <Text size="xs" c="dimmed">
            {runMode === 'system'
              ? 'Runs as the agent service account (root on Linux).'
              : 'Runs in the signed-in user’s session; fails on devices where nobody is signed in.'}
          </Text>
        </Stack>
        {variables.length > 0 && (
          <Stack gap="sm" className="glass" p="md">
            <Text size="sm" fw={700}>
              Variables
            </Text>
            {variables.map((v) => (
              <RunVariableInput
                key={v.name}
                variable={v}
                value={values[v.name] ?? null}
                onChange={(value) => setValues((prev) => ({ ...prev, [v.name]: value }))}
                error={errors.variables?.[v.name]}
                credentials={isAdmin ? (credentials.data ?? []) : null}
              />
            ))}
          </Stack>
        )}
        <Stack gap="xs">
          <Group justify="space-between">
            <Text size="sm" fw={500}>
              Targets
            </Text>
            {devices.length > 0 && (
              <SegmentedControl
                size="xs"
                aria-label="Target"
                data={[
                  { value: 'devices', label: `Chosen devices (${devices.length})` },
                  { value: 'filter', label: 'Device filter' },
                ]}
                value={target}
                onChange={(v) => setTarget(v === 'filter' ? 'filter' : 'devices')}
              />
            )}
          </Group>
          {target === 'devices' ? (
            <TargetPreview devices={devices} />
          ) : (
            <FilterTarget value={filterId} onChange={setFilterId} />
          )}
          {errors.targets && (
            <Text size="sm" c="red">
              {errors.targets}
            </Text>
          )}
        </Stack>
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            Offline devices wait up to
          </Text>
          <SegmentedControl
            aria-label="Offline devices wait up to"
            data={EXPIRY_CHOICES}
            value={expiry}
            onChange={setExpiry}
            w={320}
          />
          <Text size="xs" c="dimmed">
            An offline device runs the job when it reconnects within this time; after that its run
            is Expired.
          </Text>
        </Stack>
        {errors.form && (
          <Alert color="red" variant="light" title="Not sent">
            {errors.form}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" variant="gradient" loading={run.isPending}>
            Run script
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
