// One assembly variable as a typed input for a run: string → text, number → number, boolean →
// switch, credential → a stored credential (admins pick from the list; other operators paste the
// credential id an admin gave them). Values start at the variable's default.
import type { AssemblyVariable, Credential } from '@borealis/protocol';
import { NumberInput, Select, Switch, TextInput } from '@mantine/core';

export type RunValue = string | number | boolean | null;

interface RunVariableInputProps {
  variable: AssemblyVariable;
  value: RunValue;
  onChange: (value: RunValue) => void;
  error?: string;
  /** Null when the operator may not list credentials. */
  credentials: Credential[] | null;
}

/** The initial value of every variable: its default. */
export function initialRunValues(variables: AssemblyVariable[]): Record<string, RunValue> {
  return Object.fromEntries(variables.map((v) => [v.name, v.default]));
}

/** What is sent: unset values are left out so the engine applies defaults and `required`. */
export function runValuesBody(
  variables: AssemblyVariable[],
  values: Record<string, RunValue>,
): Record<string, string | number | boolean> {
  const body: Record<string, string | number | boolean> = {};
  for (const v of variables) {
    const value = values[v.name];
    if (value === null || value === undefined || value === '') continue;
    body[v.name] = value;
  }
  return body;
}

export function RunVariableInput(props: RunVariableInputProps) {
  const { variable: v, value, onChange, error, credentials } = props;
  const common = {
    label: v.label || v.name,
    description: v.description || undefined,
    required: v.required,
    error,
  };
  switch (v.type) {
    case 'string':
      return (
        <TextInput
          {...common}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case 'number':
      return (
        <NumberInput
          {...common}
          value={typeof value === 'number' ? value : ''}
          onChange={(n) => onChange(typeof n === 'number' ? n : null)}
        />
      );
    case 'boolean':
      return (
        <Switch
          label={common.label}
          description={common.description}
          error={error}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
        />
      );
    case 'credential':
      return credentials ? (
        <Select
          {...common}
          placeholder="Pick a stored credential"
          data={credentials.map((c) => ({
            value: c.id,
            label: c.username ? `${c.name} (${c.username})` : c.name,
          }))}
          value={typeof value === 'string' ? value : null}
          onChange={(id) => onChange(id)}
          clearable
          searchable
          nothingFoundMessage="No credential matches"
        />
      ) : (
        <TextInput
          {...common}
          placeholder="Credential id (from an administrator)"
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value.trim())}
          className="mono"
        />
      );
  }
}
