// Failures the CLI reports: API errors (the engine's `{error, message}` body), local errors
// (TLS pinning, unreadable files, missing input) and usage errors. main.ts turns each into the
// line `error: <message> (<code>)` and an exit status: 2 for usage, 1 for everything else.

export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad arguments or options: exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super('usage', message, 2);
    this.name = 'UsageError';
  }
}

/** The engine answered with an error status; `code` is the body's `error` field. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly field?: string,
  ) {
    super(code, message, 1);
    this.name = 'ApiError';
  }
}
