// Device filter editor (/device-filters/new, /device-filters/:id): name, scope (every site or one
// site), the AND/OR condition groups, and a live preview of the matches (debounced POST
// /api/device_filters/preview) beside them. Operators save and delete; viewers read.
import type { DeviceFilter, DeviceFilterDefinition, FilterGroup } from '@borealis/protocol';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Center,
  Grid,
  Group,
  Loader,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ApiError, errorMessage } from '../../api/client';
import { notifySuccess } from '../../app/query-client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { PageHeader } from '../../components/PageHeader';
import { hasRole } from '../../lib/roles';
import { useMe } from '../auth/useSession';
import { useSites } from '../sites/useSites';
import { ConditionGroups } from './ConditionGroups';
import { blankGroup } from './filter-fields';
import {
  useDeleteFilter,
  useDeviceFilter,
  useFilterPreview,
  useSaveFilter,
} from './useDeviceFilters';

function BackLink() {
  return (
    <Anchor component={Link} to="/device-filters" size="sm">
      ← Device Filters
    </Anchor>
  );
}

export function FilterEditorPage() {
  const { id } = useParams();
  const filter = useDeviceFilter(id ?? null);
  if (!id) return <FilterEditor filter={null} />;
  if (filter.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading filter" />
      </Center>
    );
  }
  if (filter.isError) {
    const missing = filter.error instanceof ApiError && filter.error.status === 404;
    return (
      <Stack gap="md" maw={560}>
        <BackLink />
        <Alert color={missing ? 'orange' : 'red'} variant="light" title="Filter not found">
          {missing ? 'There is no device filter with this id.' : errorMessage(filter.error)}
        </Alert>
      </Stack>
    );
  }
  return <FilterEditor key={`${filter.data.id}:${filter.data.updated_at}`} filter={filter.data} />;
}

function FilterEditor({ filter }: { filter: DeviceFilter | null }) {
  const navigate = useNavigate();
  const { data: me } = useMe();
  const canEdit = hasRole(me?.role, 'Operator');
  const sites = useSites();
  const save = useSaveFilter();
  const remove = useDeleteFilter();
  const [name, setName] = useState(filter?.name ?? '');
  const [siteId, setSiteId] = useState<string | null>(filter?.site_id ?? null);
  const [scoped, setScoped] = useState(filter?.site_scope === 'scoped');
  const [groups, setGroups] = useState<FilterGroup[]>(filter?.groups ?? [blankGroup()]);
  const [problem, setProblem] = useState<{ field?: string; message: string } | null>(null);
  const [deleting, setDeleting] = useState(false);

  const definition: DeviceFilterDefinition = {
    site_scope: scoped ? 'scoped' : 'global',
    site_id: scoped ? siteId : null,
    groups,
  };
  const preview = useFilterPreview(scoped && !siteId ? null : definition);

  const onSave = () => {
    setProblem(null);
    save.mutate(
      { id: filter?.id ?? null, body: { name, ...definition } },
      {
        onSuccess: (saved) => {
          notifySuccess(`Filter ${saved.name} saved: ${saved.match_count} matching now.`);
          if (!filter)
            void navigate(`/device-filters/${encodeURIComponent(saved.id)}`, { replace: true });
        },
        onError: (err) =>
          setProblem({
            field: err instanceof ApiError ? err.field : undefined,
            message: errorMessage(err),
          }),
      },
    );
  };

  const onDelete = () => {
    if (!filter) return;
    remove.mutate(filter.id, {
      onSuccess: () => {
        notifySuccess(`Filter ${filter.name} deleted.`);
        void navigate('/device-filters');
      },
      onError: () => setDeleting(false),
    });
  };

  const fieldError = (f: string) => (problem?.field === f ? problem.message : undefined);
  const otherProblem = problem && !['name', 'site_id'].includes(problem.field ?? '');

  return (
    <>
      <BackLink />
      <PageHeader
        title={filter ? filter.name : 'New device filter'}
        subtitle={
          filter
            ? `Last edited by ${filter.last_edited_by}. Quick jobs can target it: its matches are resolved when the job is sent.`
            : 'Conditions on device fields, all compared as case-insensitive text.'
        }
        actions={
          canEdit && (
            <>
              {filter && (
                <Button variant="light" color="red" onClick={() => setDeleting(true)}>
                  Delete
                </Button>
              )}
              <Button variant="gradient" onClick={onSave} loading={save.isPending}>
                {filter ? 'Save' : 'Create filter'}
              </Button>
            </>
          )
        }
      />
      {otherProblem && (
        <Alert color="red" variant="light" title="Not saved" mb="md">
          {problem.message}
        </Alert>
      )}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="md">
            <div className="glass form-section">
              <Stack gap="sm">
                <TextInput
                  label="Name"
                  value={name}
                  maxLength={128}
                  readOnly={!canEdit}
                  error={fieldError('name')}
                  onChange={(e) => setName(e.currentTarget.value)}
                  withAsterisk
                  maw={420}
                />
                <Stack gap={4}>
                  <Text size="sm" fw={500}>
                    Scope
                  </Text>
                  <Group gap="sm" align="flex-start">
                    <SegmentedControl
                      aria-label="Scope"
                      data={[
                        { value: 'global', label: 'All sites' },
                        { value: 'scoped', label: 'One site' },
                      ]}
                      value={scoped ? 'scoped' : 'global'}
                      disabled={!canEdit}
                      onChange={(v) => setScoped(v === 'scoped')}
                    />
                    {scoped && (
                      <Select
                        aria-label="Site"
                        placeholder="Pick a site"
                        data={(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
                        value={siteId}
                        onChange={setSiteId}
                        error={fieldError('site_id')}
                        disabled={!canEdit}
                        searchable
                        w={260}
                      />
                    )}
                  </Group>
                </Stack>
              </Stack>
            </div>
            <div className="glass form-section">
              <Title order={4} mb="sm">
                Conditions
              </Title>
              <ConditionGroups groups={groups} onChange={setGroups} readOnly={!canEdit} />
            </div>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <div className="glass form-section" data-testid="filter-preview">
            <Group justify="space-between" mb="sm">
              <Title order={4}>Matching now</Title>
              {preview.isFetching && <Loader size="xs" aria-label="Counting matches" />}
            </Group>
            {scoped && !siteId ? (
              <Text size="sm" c="dimmed">
                Pick the site first.
              </Text>
            ) : preview.isError ? (
              <Text size="sm" c="red">
                {errorMessage(preview.error)}
              </Text>
            ) : (
              <Stack gap="xs">
                <Badge size="xl" variant="light" color="aurora" data-testid="match-count">
                  {preview.data
                    ? `${preview.data.count} ${preview.data.count === 1 ? 'device' : 'devices'}`
                    : '…'}
                </Badge>
                {(preview.data?.devices ?? []).map((d) => (
                  <Anchor
                    key={d.guid}
                    component={Link}
                    to={`/devices/${encodeURIComponent(d.guid)}`}
                    size="sm"
                    className="fact-value"
                  >
                    {d.hostname}
                  </Anchor>
                ))}
                {preview.data && preview.data.count > preview.data.devices.length && (
                  <Text size="xs" c="dimmed">
                    and {preview.data.count - preview.data.devices.length} more
                  </Text>
                )}
              </Stack>
            )}
          </div>
        </Grid.Col>
      </Grid>
      <ConfirmDialog
        opened={deleting}
        title="Delete device filter"
        confirmLabel="Delete filter"
        loading={remove.isPending}
        onConfirm={onDelete}
        onClose={() => setDeleting(false)}
      >
        {`Delete the filter ${filter?.name ?? ''}? Devices are not affected.`}
      </ConfirmDialog>
    </>
  );
}
