// Scheduled job editor (/scheduled-jobs/new and /scheduled-jobs/:id), tabs as in the reference:
// Job Name, Assemblies, Targets, Schedule, Execution Context and (saved jobs) Job History.
// Operators Save (POST or PUT), Run now, Enable/Disable and Delete (confirmed); Viewers read only.
// An engine error is shown on the tab and field it names.
import type { ScheduledJob } from '@borealis/protocol';
import { Alert, Badge, Button, Loader, Stack, Switch, Tabs, Text, TextInput } from '@mantine/core';
import { SegmentedControl } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { ApiError, errorMessage } from '../../api/client';
import { notifySuccess } from '../../app/query-client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { PageHeader } from '../../components/PageHeader';
import { hasRole } from '../../lib/roles';
import { useAssemblyList } from '../assemblies/useAssemblies';
import { useMe } from '../auth/useSession';
import { useCredentials } from '../credentials/useCredentials';
import { ComponentsTab } from './ComponentsTab';
import { HistoryTab } from './HistoryTab';
import { bodyOf, draftFromJob, emptyDraft, type JobDraft } from './job-draft';
import { describeSchedule, formatInZone } from './schedule-text';
import { ScheduledStatusBadge } from './ScheduledStatusBadge';
import { jobPath } from './ScheduledJobsPage';
import { ScheduleTab } from './ScheduleTab';
import { TargetsTab } from './TargetsTab';
import {
  useDeleteScheduledJob,
  useLiveScheduledJobs,
  useRunScheduledJobNow,
  useSaveScheduledJob,
  useScheduledJob,
  useToggleScheduledJob,
} from './useScheduledJobs';

type Tab = 'name' | 'assemblies' | 'targets' | 'schedule' | 'context' | 'history';

export function ScheduledJobEditorPage() {
  const { id } = useParams();
  const jobId = id && id !== 'new' ? id : null;
  const job = useScheduledJob(jobId);
  useLiveScheduledJobs();
  if (jobId && job.isPending) return <Loader aria-label="Loading job" />;
  if (jobId && job.isError)
    return (
      <Alert color="red" title="Job not available">
        {errorMessage(job.error)}
      </Alert>
    );
  // Re-mount the form when another job is opened (or the new one is saved).
  return <Editor key={jobId ?? 'new'} job={jobId ? (job.data ?? null) : null} />;
}

/** Where an engine error field belongs. */
function tabOfField(field: string): Tab {
  if (field.startsWith('components')) return 'assemblies';
  if (field.startsWith('targets')) return 'targets';
  if (field.startsWith('schedule') || field.startsWith('duration')) return 'schedule';
  if (field === 'execution_context') return 'context';
  return 'name';
}

function Editor({ job }: { job: ScheduledJob | null }) {
  const navigate = useNavigate();
  const { data: me } = useMe();
  const canEdit = hasRole(me?.role, 'Operator');
  const isAdmin = hasRole(me?.role, 'Admin');
  const readOnly = !canEdit;
  const assemblies = useAssemblyList();
  const credentials = useCredentials(isAdmin);
  const save = useSaveScheduledJob();
  const toggle = useToggleScheduledJob();
  const runNow = useRunScheduledJobNow();
  const remove = useDeleteScheduledJob();
  const [draft, setDraft] = useState<JobDraft>(() => (job ? draftFromJob(job) : emptyDraft()));
  const [tab, setTab] = useState<Tab>('name');
  const [error, setError] = useState<{ field: string; message: string } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const update = (patch: Partial<JobDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const fieldError = (prefix: string) =>
    error && error.field.startsWith(prefix) ? error.message : undefined;

  const fail = (field: string, message: string) => {
    setError({ field, message });
    setTab(tabOfField(field));
  };

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (!draft.name.trim()) return fail('name', 'Give the job a name.');
    if (draft.components.length === 0) return fail('components', 'Add at least one assembly.');
    if (draft.targets.length === 0) return fail('targets', 'Choose at least one target.');
    setError(null);
    save.mutate(
      { id: job?.id ?? null, body: bodyOf(draft, assemblies.data ?? []) },
      {
        onSuccess: ({ job: saved }) => {
          notifySuccess(`${saved.name} saved.`);
          if (!job) void navigate(jobPath(saved.id), { replace: true });
        },
        onError: (err) => {
          const field = err instanceof ApiError ? (err.field ?? '') : '';
          fail(field, errorMessage(err));
        },
      },
    );
  };

  const variableErrors: Record<string, string> = {};
  const m = error ? /^components\.(\d+)\.variable_values\.(.+)$/.exec(error.field) : null;
  if (m && error) variableErrors[`${m[1]}.${m[2]}`] = error.message;

  const actions = canEdit && (
    <>
      {job && (
        <>
          <Switch
            label={job.enabled ? 'Enabled' : 'Disabled'}
            aria-label="Enabled"
            checked={job.enabled}
            disabled={toggle.isPending}
            onChange={(e) =>
              toggle.mutate(
                { id: job.id, enabled: e.currentTarget.checked },
                {
                  onSuccess: ({ job: j }) =>
                    notifySuccess(`${j.name} ${j.enabled ? 'enabled' : 'disabled'}.`),
                },
              )
            }
          />
          <Button
            variant="light"
            loading={runNow.isPending}
            onClick={() =>
              runNow.mutate(job.id, {
                onSuccess: () => {
                  notifySuccess(`${job.name} started.`);
                  setTab('history');
                },
              })
            }
          >
            Run now
          </Button>
          <Button variant="light" color="red" onClick={() => setConfirmDelete(true)}>
            Delete
          </Button>
        </>
      )}
      <Button variant="gradient" onClick={() => submit()} loading={save.isPending}>
        Save
      </Button>
    </>
  );

  return (
    <form onSubmit={submit} aria-label="Scheduled job">
      <PageHeader
        title={job ? job.name : 'New scheduled job'}
        subtitle={
          job ? (
            <>
              {describeSchedule(job.schedule)} · next run{' '}
              {job.enabled ? formatInZone(job.next_run_ts, job.schedule.timezone) : '— (disabled)'}{' '}
              · last status <ScheduledStatusBadge status={job.last_status} />
            </>
          ) : (
            'Runs script assemblies on devices, sites or device filters on a schedule.'
          )
        }
        actions={actions}
      />
      {readOnly && (
        <Badge variant="light" color="gray" mb="md">
          Read only: Viewers cannot change scheduled jobs.
        </Badge>
      )}
      {error && tabOfField(error.field) !== tab && (
        <Alert color="red" variant="light" mb="md" title="Not saved">
          {error.message}
        </Alert>
      )}
      <Tabs value={tab} onChange={(v) => v && setTab(v as Tab)} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="name">Job Name</Tabs.Tab>
          <Tabs.Tab value="assemblies">Assemblies</Tabs.Tab>
          <Tabs.Tab value="targets">Targets</Tabs.Tab>
          <Tabs.Tab value="schedule">Schedule</Tabs.Tab>
          <Tabs.Tab value="context">Execution Context</Tabs.Tab>
          {job && <Tabs.Tab value="history">Job History</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="name">
          <Stack w={480}>
            <TextInput
              label="Job name"
              value={draft.name}
              onChange={(e) => update({ name: e.currentTarget.value })}
              readOnly={readOnly}
              required
              error={fieldError('name')}
              data-autofocus
            />
            {!job && (
              <Switch
                label="Enabled after saving"
                checked={draft.enabled}
                onChange={(e) => update({ enabled: e.currentTarget.checked })}
                disabled={readOnly}
              />
            )}
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="assemblies">
          <ComponentsTab
            components={draft.components}
            onChange={(components) => update({ components })}
            assemblies={assemblies.data ?? []}
            loading={assemblies.isPending}
            readOnly={readOnly}
            credentials={isAdmin ? (credentials.data ?? []) : null}
            error={m ? undefined : fieldError('components')}
            variableErrors={variableErrors}
          />
        </Tabs.Panel>
        <Tabs.Panel value="targets">
          <TargetsTab
            jobId={job?.id ?? null}
            targets={draft.targets}
            onChange={(targets) => update({ targets })}
            readOnly={readOnly}
            error={fieldError('targets')}
          />
        </Tabs.Panel>
        <Tabs.Panel value="schedule">
          <ScheduleTab
            draft={draft}
            update={update}
            readOnly={readOnly}
            canPreview={canEdit}
            errors={{
              type: fieldError('schedule_type') ?? fieldError('schedule.type'),
              start: fieldError('schedule.start'),
              cron: fieldError('schedule.cron'),
              timezone: fieldError('schedule.timezone'),
              end: fieldError('schedule.end'),
              expiration: fieldError('duration'),
            }}
          />
        </Tabs.Panel>
        <Tabs.Panel value="context">
          <Stack gap={6} w={480}>
            <Text size="sm" fw={500}>
              Execution context
            </Text>
            <SegmentedControl
              aria-label="Execution context"
              data={[
                { value: 'system', label: 'System' },
                { value: 'current_user', label: 'Current user' },
              ]}
              value={draft.executionContext}
              onChange={(v) => update({ executionContext: v })}
              disabled={readOnly}
            />
            <Text size="xs" c="dimmed">
              {draft.executionContext === 'system'
                ? 'Runs as the agent service account (root on Linux).'
                : 'Runs in the signed-in user’s session; fails on devices where nobody is signed in.'}
            </Text>
            {fieldError('execution_context') && (
              <Text size="sm" c="red">
                {fieldError('execution_context')}
              </Text>
            )}
          </Stack>
        </Tabs.Panel>
        {job && (
          <Tabs.Panel value="history">
            <HistoryTab jobId={job.id} timezone={job.schedule.timezone} canCancel={canEdit} />
          </Tabs.Panel>
        )}
      </Tabs>
      <ConfirmDialog
        opened={confirmDelete}
        title="Delete scheduled job"
        confirmLabel="Delete job"
        loading={remove.isPending}
        onClose={() => setConfirmDelete(false)}
        onConfirm={() =>
          job &&
          remove.mutate(job.id, {
            onSuccess: () => {
              notifySuccess(`${job.name} deleted.`);
              void navigate('/scheduled-jobs');
            },
          })
        }
      >
        Delete &quot;{job?.name}&quot; and its whole run history? Runs already sent to devices
        finish on their own.
      </ConfirmDialog>
    </form>
  );
}
