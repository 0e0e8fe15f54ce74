// Assembly editor (/assemblies/new, /assemblies/:guid): name, summary, category, kind, type, the
// CodeMirror script editor, variables, files and timeout; save (POST/PUT), clone into the user
// domain, export (JSON download) and delete. Official and community assemblies are read-only
// unless an admin has Dev Mode on; viewers only read. API errors show on the input they name.
import type { Assembly } from '@borealis/protocol';
import { Alert, Anchor, Badge, Button, Center, Loader, Stack } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Link, useBlocker, useNavigate, useParams } from 'react-router-dom';
import { ApiError, errorMessage } from '../../api/client';
import { notifyError, notifySuccess } from '../../app/query-client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { PageHeader } from '../../components/PageHeader';
import { downloadJson, safeFileName } from '../../lib/files';
import { hasRole } from '../../lib/roles';
import { useMe } from '../auth/useSession';
import { useCredentials } from '../credentials/useCredentials';
import { AssemblyForm } from './AssemblyForm';
import {
  blankDraft,
  createBody,
  DOMAIN_LABELS,
  draftOf,
  isShownField,
  updateBody,
  type AssemblyDraft,
} from './assembly-draft';
import {
  assemblyKey,
  fetchAssemblyExport,
  useAssembly,
  useCloneAssembly,
  useDeleteAssembly,
  useDevMode,
  useSaveAssembly,
} from './useAssemblies';

function BackLink() {
  return (
    <Anchor component={Link} to="/assemblies" size="sm">
      ← Assemblies
    </Anchor>
  );
}

export function AssemblyEditorPage() {
  const { guid } = useParams();
  const assembly = useAssembly(guid ?? null);
  if (!guid) return <AssemblyEditor assembly={null} />;
  if (assembly.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading assembly" />
      </Center>
    );
  }
  if (assembly.isError) {
    const missing = assembly.error instanceof ApiError && assembly.error.status === 404;
    return (
      <Stack gap="md" maw={560}>
        <BackLink />
        <Alert color={missing ? 'orange' : 'red'} variant="light" title="Assembly not found">
          {missing ? 'There is no assembly with this id.' : errorMessage(assembly.error)}
        </Alert>
      </Stack>
    );
  }
  const a = assembly.data;
  return <AssemblyEditor key={`${a.assembly_guid}:${a.version}`} assembly={a} />;
}

interface ApiProblem {
  field?: string;
  message: string;
}

function AssemblyEditor({ assembly }: { assembly: Assembly | null }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { data: me } = useMe();
  const canOperate = hasRole(me?.role, 'Operator');
  const isAdmin = hasRole(me?.role, 'Admin');
  const devMode = useDevMode();
  const credentials = useCredentials(isAdmin);
  const save = useSaveAssembly();
  const clone = useCloneAssembly();
  const remove = useDeleteAssembly();
  const [draft, setDraft] = useState<AssemblyDraft>(() =>
    assembly ? draftOf(assembly) : blankDraft(),
  );
  const [dirty, setDirty] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [deleting, setDeleting] = useState(false);
  /** Set just before navigating away on purpose (after save, clone or delete). */
  const leaving = useRef(false);
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      dirty && !leaving.current && currentLocation.pathname !== nextLocation.pathname,
  );

  const devModeOn = isAdmin && devMode.data?.enabled === true;
  const writable = canOperate && (draft.domain === 'user' || devModeOn);
  const guid = assembly?.assembly_guid ?? null;

  const change = (patch: Partial<AssemblyDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setDirty(true);
    // Editing the input an error points at clears that error.
    const top = problem?.field?.split('.')[0];
    if (top && top in patch) setProblem(null);
  };
  const leave = (to: string) => {
    leaving.current = true;
    void navigate(to, { replace: assembly === null });
  };

  const onSave = () => {
    setProblem(null);
    save.mutate(
      { guid, body: assembly ? updateBody(draft) : createBody(draft) },
      {
        onSuccess: (saved) => {
          notifySuccess(`${saved.display_name} saved (version ${saved.version}).`);
          setDirty(false);
          queryClient.setQueryData(assemblyKey(saved.assembly_guid), saved);
          if (!assembly) leave(`/assemblies/${encodeURIComponent(saved.assembly_guid)}`);
        },
        onError: (err) =>
          setProblem({
            field: err instanceof ApiError ? err.field : undefined,
            message: errorMessage(err),
          }),
      },
    );
  };

  const onClone = () => {
    if (!guid) return;
    clone.mutate(
      { guid, domain: 'user' },
      {
        onSuccess: (copy) => {
          notifySuccess(`Cloned into your user assemblies as ${copy.display_name}.`);
          leave(`/assemblies/${encodeURIComponent(copy.assembly_guid)}`);
        },
      },
    );
  };

  const onExport = async () => {
    if (!guid) return;
    try {
      const doc = await fetchAssemblyExport(guid);
      downloadJson(safeFileName(doc.assembly.display_name, 'json'), doc);
    } catch (err) {
      notifyError(err, 'Export failed');
    }
  };

  const onDelete = () => {
    if (!guid) return;
    remove.mutate(guid, {
      onSuccess: () => {
        notifySuccess(`${draft.display_name} deleted.`);
        setDeleting(false);
        leave('/assemblies');
      },
      onError: () => setDeleting(false),
    });
  };

  const errorFor = (field: string) => (problem?.field === field ? problem.message : undefined);
  const readOnlyReason =
    assembly && !writable && canOperate
      ? `${DOMAIN_LABELS[draft.domain]} assemblies are read-only. Clone this one into your user assemblies to change a copy${isAdmin ? ', or turn on Dev Mode on the Assemblies page' : ''}.`
      : null;

  return (
    <>
      <BackLink />
      <PageHeader
        title={assembly ? assembly.display_name : 'New assembly'}
        subtitle={
          assembly ? (
            <>
              <Badge variant="dot" color="orchid" size="sm" mr="xs" component="span">
                {DOMAIN_LABELS[assembly.domain]}
              </Badge>
              {`version ${assembly.version} · by ${assembly.created_by}`}
              {dirty ? ' · unsaved changes' : ''}
            </>
          ) : (
            'Scripts run on devices as the type’s interpreter; variables arrive as environment variables.'
          )
        }
        actions={
          <>
            {assembly && (
              <Button variant="default" onClick={() => void onExport()}>
                Export
              </Button>
            )}
            {assembly && canOperate && (
              <Button variant="default" onClick={onClone} loading={clone.isPending}>
                Clone
              </Button>
            )}
            {assembly && writable && (
              <Button variant="light" color="red" onClick={() => setDeleting(true)}>
                Delete
              </Button>
            )}
            {writable && (
              <Button variant="gradient" onClick={onSave} loading={save.isPending}>
                {assembly ? 'Save' : 'Create assembly'}
              </Button>
            )}
          </>
        }
      />
      <Stack gap="md">
        {readOnlyReason && (
          <Alert color="yellow" variant="light" title="Read-only">
            {readOnlyReason}
          </Alert>
        )}
        {problem && !isShownField(problem.field) && (
          <Alert color="red" variant="light" title="Not saved">
            {problem.message}
          </Alert>
        )}
        {problem && isShownField(problem.field) && (
          <Alert color="red" variant="light" title="Not saved">
            {problem.message} The field is marked below.
          </Alert>
        )}
        <AssemblyForm
          draft={draft}
          onChange={change}
          isNew={assembly === null}
          readOnly={!writable}
          devModeOn={devModeOn}
          workflowDefinition={assembly?.payload.definition ?? null}
          credentials={isAdmin ? (credentials.data ?? []) : null}
          errorFor={errorFor}
        />
      </Stack>
      <ConfirmDialog
        opened={deleting}
        title="Delete assembly"
        confirmLabel="Delete assembly"
        loading={remove.isPending}
        onConfirm={onDelete}
        onClose={() => setDeleting(false)}
      >
        {`Delete ${draft.display_name}? Jobs already sent keep their frozen copy of the script.`}
      </ConfirmDialog>
      <ConfirmDialog
        opened={blocker.state === 'blocked'}
        title="Discard changes?"
        confirmLabel="Discard changes"
        onConfirm={() => blocker.proceed?.()}
        onClose={() => blocker.reset?.()}
      >
        This assembly has unsaved changes. Leave the page and lose them?
      </ConfirmDialog>
    </>
  );
}
