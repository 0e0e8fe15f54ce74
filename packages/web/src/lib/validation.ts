// Client-side form validation with the same zod schemas the engine uses, so a form shows the
// engine's rules (e.g. "at least 12 characters") before the request is even sent.
import type { z } from 'zod';

export type FieldErrors = Partial<Record<string, string>>;

/** Parses `values`; returns the data or the first message per top-level field. */
export function validate<S extends z.ZodType>(
  schema: S,
  values: unknown,
): { ok: true; data: z.output<S> } | { ok: false; errors: FieldErrors } {
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? 'form');
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}
