// vitest globalSetup: one PostgreSQL server for the whole run; each test file makes its own database.
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const pg = await startPostgres();
  project.provide('pgAdminUrl', pg.url);
  return () => pg.stop();
}
