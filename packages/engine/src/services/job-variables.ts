// Quick-run variables (reference §6/§7): assembly defaults overlaid by the run's variable_values,
// type-checked per declaration (string, number, boolean, credential id), frozen by value — and
// credentials by id only — with the environment name each becomes (uppercased, non-alphanumerics
// → `_`). Any problem is a 400 invalid_variable naming the field.
import type { AssemblyVariable, QuickRunValue } from '@borealis/protocol';
import { AppError, badRequest } from '../http/errors.js';
import type { StoredVariable } from './job-dispatch.service.js';

const NUMERIC = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

/** The environment variable a variable becomes. */
export const envNameOf = (name: string) => name.toUpperCase().replace(/[^A-Z0-9]/g, '_');

const invalid = (name: string, message: string) =>
  badRequest('invalid_variable', message, `variable_values.${name}`);

async function coerce(
  def: AssemblyVariable,
  raw: QuickRunValue,
  credentials: { get(id: string): Promise<unknown> },
): Promise<string | number | boolean> {
  if (typeof raw === 'string' && raw.includes('\u0000')) {
    throw invalid(def.name, `Variable "${def.name}" contains a NUL character.`);
  }
  switch (def.type) {
    case 'string':
      if (typeof raw !== 'string')
        throw invalid(def.name, `Variable "${def.name}" expects a string.`);
      return raw;
    case 'number': {
      const n =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && NUMERIC.test(raw)
            ? Number(raw)
            : NaN;
      if (!Number.isFinite(n)) throw invalid(def.name, `Variable "${def.name}" expects a number.`);
      return n;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const s = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
      if (s === 'true' || s === 'false') return s === 'true';
      throw invalid(def.name, `Variable "${def.name}" expects true or false.`);
    }
    case 'credential': {
      if (typeof raw !== 'string')
        throw invalid(def.name, `Variable "${def.name}" expects a credential id.`);
      try {
        await credentials.get(raw);
      } catch (err) {
        if (err instanceof AppError && err.statusCode === 404) {
          throw invalid(def.name, `Variable "${def.name}": no credential with id ${raw}.`);
        }
        throw err;
      }
      return raw;
    }
  }
}

/**
 * The variables to freeze into the quick job: every declared variable once, with its value (or
 * null when optional and unset). Unknown names, wrong types, missing required values, unknown
 * credentials and two names mapping to one environment variable are rejected.
 */
export async function resolveVariables(
  defs: readonly AssemblyVariable[],
  values: Readonly<Record<string, QuickRunValue>>,
  credentials: { get(id: string): Promise<unknown> },
): Promise<StoredVariable[]> {
  const declared = new Set(defs.map((v) => v.name));
  for (const name of Object.keys(values)) {
    if (!declared.has(name)) throw invalid(name, `The assembly has no variable "${name}".`);
  }
  const envs = new Map<string, string>();
  const out: StoredVariable[] = [];
  for (const def of defs) {
    const env = envNameOf(def.name);
    const clash = envs.get(env);
    if (clash !== undefined) {
      throw invalid(def.name, `Variables "${clash}" and "${def.name}" both become ${env}.`);
    }
    envs.set(env, def.name);
    const raw = Object.hasOwn(values, def.name) ? values[def.name] : def.default;
    if (raw === null || raw === undefined || raw === '') {
      if (def.required) throw invalid(def.name, `Variable "${def.name}" is required.`);
      // An explicitly empty optional string is still set (to ''); other unset values are not.
      out.push({
        name: def.name,
        env,
        type: def.type,
        value: def.type === 'string' && raw === '' ? '' : null,
      });
      continue;
    }
    out.push({ name: def.name, env, type: def.type, value: await coerce(def, raw, credentials) });
  }
  return out;
}
