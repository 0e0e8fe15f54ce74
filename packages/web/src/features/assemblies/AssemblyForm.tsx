// The assembly editor's inputs: name, summary and the code editor (lazy-loaded CodeMirror) on the
// left; domain (new only), kind, type, category and timeout on the right; then the variables and
// attached files. Pure form: the page owns the draft, saving and errors.
import {
  TIMEOUT_MAX_SECONDS,
  type AssemblyKind,
  type AssemblyPayload,
  type Credential,
} from '@borealis/protocol';
import {
  Grid,
  Input,
  Loader,
  NumberInput,
  Select,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { lazy, Suspense, type ReactNode } from 'react';
import { formatDuration } from '../../lib/format';
import {
  DOMAIN_LABELS,
  KIND_LABELS,
  TYPE_LABELS,
  TYPES_BY_KIND,
  type AssemblyDraft,
} from './assembly-draft';
import { FilesEditor } from './FilesEditor';
import { VariablesEditor } from './VariablesEditor';

const CodeEditor = lazy(() => import('./CodeEditor'));

interface AssemblyFormProps {
  draft: AssemblyDraft;
  onChange: (patch: Partial<AssemblyDraft>) => void;
  isNew: boolean;
  readOnly: boolean;
  /** Admin with Dev Mode on: may create in the official and community domains. */
  devModeOn: boolean;
  workflowDefinition: AssemblyPayload['definition'] | null;
  credentials: Credential[] | null;
  errorFor: (field: string) => string | undefined;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="glass form-section">
      <Title order={4} mb="sm">
        {title}
      </Title>
      {children}
    </div>
  );
}

export function AssemblyForm(props: AssemblyFormProps) {
  const { draft, onChange, isNew, readOnly, devModeOn, workflowDefinition } = props;
  const { credentials, errorFor } = props;
  const isWorkflow = draft.assembly_kind === 'workflow';
  const kinds: AssemblyKind[] = isWorkflow ? ['workflow'] : ['script', 'playbook'];

  const setKind = (kind: AssemblyKind) => {
    const types = TYPES_BY_KIND[kind];
    onChange({
      assembly_kind: kind,
      assembly_type: types.includes(draft.assembly_type)
        ? draft.assembly_type
        : (types[0] ?? draft.assembly_type),
    });
  };

  return (
    <Stack gap="md">
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Section title="Script">
            <Stack gap="sm">
              <TextInput
                label="Name"
                value={draft.display_name}
                maxLength={256}
                readOnly={readOnly}
                error={errorFor('display_name')}
                onChange={(e) => onChange({ display_name: e.currentTarget.value })}
                withAsterisk
              />
              <Textarea
                label="Summary"
                value={draft.summary}
                maxLength={4096}
                readOnly={readOnly}
                error={errorFor('summary')}
                onChange={(e) => onChange({ summary: e.currentTarget.value })}
                autosize
                minRows={2}
                maxRows={5}
              />
              {isWorkflow ? (
                <Text size="sm" c="dimmed">
                  {`Workflow graph: ${workflowDefinition?.nodes.length ?? 0} nodes, ${workflowDefinition?.edges.length ?? 0} edges. Saving here keeps the graph unchanged.`}
                </Text>
              ) : (
                <Input.Wrapper
                  label={`Code (${TYPE_LABELS[draft.assembly_type]})`}
                  error={errorFor('script')}
                  withAsterisk
                >
                  <Suspense
                    fallback={
                      <div className="code-editor-loading">
                        <Loader size="sm" aria-label="Loading editor" />
                      </div>
                    }
                  >
                    <CodeEditor
                      value={draft.script}
                      onChange={(script) => onChange({ script })}
                      type={draft.assembly_type}
                      readOnly={readOnly}
                      label="Script code"
                      invalid={errorFor('script') !== undefined}
                    />
                  </Suspense>
                </Input.Wrapper>
              )}
            </Stack>
          </Section>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Section title="Settings">
            <Stack gap="sm">
              {isNew && (
                <Select
                  label="Domain"
                  description={
                    devModeOn ? undefined : 'Official and community need an admin in Dev Mode.'
                  }
                  data={(['user', 'community', 'official'] as const).map((d) => ({
                    value: d,
                    label: DOMAIN_LABELS[d],
                    disabled: d !== 'user' && !devModeOn,
                  }))}
                  value={draft.domain}
                  onChange={(d) => d && onChange({ domain: d })}
                  error={errorFor('domain')}
                  allowDeselect={false}
                />
              )}
              <Select
                label="Kind"
                data={kinds.map((k) => ({ value: k, label: KIND_LABELS[k] }))}
                value={draft.assembly_kind}
                onChange={(k) => k && setKind(k)}
                disabled={readOnly || isWorkflow}
                error={errorFor('assembly_kind')}
                allowDeselect={false}
              />
              <Select
                label="Type"
                data={TYPES_BY_KIND[draft.assembly_kind].map((t) => ({
                  value: t,
                  label: TYPE_LABELS[t],
                }))}
                value={draft.assembly_type}
                onChange={(t) => t && onChange({ assembly_type: t })}
                disabled={readOnly}
                error={errorFor('assembly_type')}
                allowDeselect={false}
              />
              <TextInput
                label="Category"
                value={draft.category}
                maxLength={64}
                readOnly={readOnly}
                error={errorFor('category')}
                onChange={(e) => onChange({ category: e.currentTarget.value })}
              />
              <NumberInput
                label="Timeout (seconds)"
                description={`The run is stopped after ${formatDuration(draft.timeout_seconds || 0)}.`}
                value={draft.timeout_seconds}
                min={1}
                max={TIMEOUT_MAX_SECONDS}
                allowDecimal={false}
                readOnly={readOnly}
                error={errorFor('timeout_seconds')}
                onChange={(n) => onChange({ timeout_seconds: typeof n === 'number' ? n : 0 })}
              />
            </Stack>
          </Section>
        </Grid.Col>
      </Grid>
      <Section title="Variables">
        <VariablesEditor
          variables={draft.variables}
          onChange={(variables) => onChange({ variables })}
          readOnly={readOnly}
          credentials={credentials}
          errorFor={errorFor}
        />
      </Section>
      <Section title="Files">
        <FilesEditor
          files={draft.files}
          onChange={(files) => onChange({ files })}
          readOnly={readOnly}
          errorFor={errorFor}
        />
      </Section>
    </Stack>
  );
}
