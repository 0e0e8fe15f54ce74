// @borealis/protocol: every shape that crosses a process boundary, defined once (zod v4, no I/O).
export * from './http/common.js';
export * from './http/auth.js';
export * from './http/users.js';
export * from './http/sites.js';
export * from './http/server.js';
export * from './http/audit.js';
export * from './http/agent.js';
export * from './http/approvals.js';
export * from './http/devices.js';
export * from './ws/agent.js';
export * from './ws/jobs.js';
export * from './http/assemblies.js';
export * from './http/credentials.js';
export * from './http/jobs.js';
export * from './http/filters.js';
export * from './http/scheduled-jobs.js';
