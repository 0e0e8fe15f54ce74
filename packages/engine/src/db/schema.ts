// Kysely table types. Timestamps are integer epoch-ms; booleans are 0/1 integers; JSON is text.
import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  role: string;
  mfa_enabled: number;
  mfa_secret_enc: string | null;
  /** Last accepted TOTP time step: a code is never accepted twice. */
  mfa_last_step: number | null;
  last_login: number | null;
  created_at: number;
  updated_at: number;
}

export interface OperatorSessionsTable {
  id: string; // SHA-256 hex of the cookie token
  user_id: string;
  csrf_token: string;
  source_ip: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
}

export interface AuthChallengesTable {
  id: string; // SHA-256 hex of the pending token
  user_id: string;
  stage: string; // setup | verify
  secret_enc: string | null;
  attempts: number;
  created_at: number;
  expires_at: number;
}

export interface LoginThrottleTable {
  key: string; // user:<name> | ip:<addr>
  failures: number;
  locked_until: number;
  updated_at: number;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  role: string;
  prefix: string;
  key_hash: string;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface SetupTokensTable {
  id: string; // SHA-256 hex of the token
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface SitesTable {
  id: string;
  name: string;
  description: string;
  enrollment_code: string;
  auto_approve: number;
  created_at: number;
  updated_at: number;
}

export interface InstallCodesTable {
  id: string;
  code: string;
  site_id: string | null;
  expires_at: number;
  max_uses: number;
  use_count: number;
  last_used_at: number | null;
  used_by_guid: string | null;
  created_by: string;
  created_at: number;
}

export interface DevicesTable {
  guid: string;
  hostname: string;
  site_id: string | null;
  description: string;
  created_at: number;
  updated_at: number | null;
  last_seen: number | null;
  agent_id: string | null;
  agent_hash: string | null;
  agent_build_id: string | null;
  /** JSON object: role name → health report. */
  agent_role_health: string | null;
  service_mode: string | null;
  /** JSON objects/arrays as reported in details (reference §6). */
  summary: string | null;
  cpu: string | null;
  memory: string | null;
  storage: string | null;
  network: string | null;
  /** JSON: the latest heartbeat metrics. */
  metrics: string | null;
  device_type: string | null;
  domain: string | null;
  external_ip: string | null;
  internal_ip: string | null;
  last_user: string | null;
  operating_system: string | null;
  connection_type: string | null;
  ssl_key_fingerprint: string | null;
  last_reboot: number | null;
  uptime: number | null;
  key_added_at: number | null;
  token_version: Generated<number>;
  /** active | quarantined | revoked */
  status: Generated<string>;
}

export interface DeviceKeysTable {
  id: string;
  guid: string;
  ssl_key_fingerprint: string;
  public_key: string;
  added_at: number;
  retired_at: number | null;
}

export interface DeviceApprovalsTable {
  id: string;
  approval_reference: string;
  guid: string | null;
  hostname_claimed: string;
  ssl_key_fingerprint_claimed: string;
  agent_pubkey: string;
  code_kind: string;
  install_code_id: string | null;
  site_id: string | null;
  status: string;
  client_nonce: string;
  server_nonce: string;
  conflict_resolution: string | null;
  approved_by: string | null;
  source_ip: string;
  created_at: number;
  updated_at: number;
  expires_at: number;
  finalized_at: number | null;
}

export interface RefreshTokensTable {
  id: string;
  guid: string;
  family_id: string;
  token_hash: string;
  dpop_jkt: string;
  created_at: number;
  expires_at: number;
  rotated_at: number | null;
  revoked_at: number | null;
}

export interface DpopJtiTable {
  jti_hash: string;
  expires_at: number;
}

export interface DeviceSoftwareTable {
  id: Generated<number>;
  device_guid: string;
  name: string;
  name_normalized: string;
  version: string;
  source: string;
  captured_at: number;
}

export interface DeviceMetricsTable {
  guid: string;
  ts: number;
  cpu_percent: number | null;
  memory_percent: number | null;
}

export interface DeviceListViewsTable {
  id: string;
  name: string;
  columns_json: string;
  filters_json: string;
  sort_json: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface AuditLogTable {
  id: string;
  ts: number;
  seq: Generated<number>;
  username: string | null;
  auth: string | null;
  action: string;
  method: string;
  path: string;
  target: string | null;
  source_ip: string;
  outcome: string;
  status_code: number;
}

export interface AssembliesTable {
  assembly_guid: string;
  domain: string;
  display_name: string;
  summary: string;
  category: string;
  assembly_kind: string;
  assembly_type: string;
  version: number;
  payload_json: string;
  tags_json: string;
  checksum: string;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface CredentialsTable {
  id: string;
  name: string;
  description: string;
  credential_type: string;
  username: string | null;
  /** SecretBox-sealed, purpose 'credential'; never returned by the API. */
  secret_enc: string;
  site_id: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface DeviceFiltersTable {
  id: string;
  name: string;
  site_scope: string;
  site_id: string | null;
  groups_json: string;
  last_edited_by: string;
  created_at: number;
  updated_at: number;
}

export interface QuickJobsTable {
  id: string;
  assembly_guid: string | null;
  script_name: string;
  script_path: string;
  script_type: string;
  script_b64: string;
  script_sha256: string;
  variables_json: string;
  run_mode: string;
  timeout_seconds: number;
  source: string;
  scheduled_job_id: string | null;
  scheduled_run_id: string | null;
  created_by: string;
  created_at: number;
  expires_at: number;
}

export interface ActivityHistoryTable {
  id: string;
  quick_job_id: string;
  device_guid: string;
  hostname: string;
  script_name: string;
  script_path: string;
  script_type: string;
  status: string;
  ran_at: number;
  delivered_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  exit_code: number | null;
  stdout: string;
  stderr: string;
  stdout_truncated: number;
  stderr_truncated: number;
  error: string | null;
  cancel_requested_at: number | null;
  updated_at: number;
}

export interface ScheduledJobsTable {
  id: string;
  name: string;
  components_json: string;
  targets_json: string;
  schedule_type: string;
  start_ts: number | null;
  start_local: string | null;
  end_ts: number | null;
  cron: string | null;
  timezone: string;
  duration_stop_enabled: number;
  expiration: string;
  execution_context: string;
  enabled: number;
  cursor_ts: number;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface ScheduledJobOccurrencesTable {
  id: string;
  job_id: string;
  scheduled_ts: number;
  trigger: string;
  status: string;
  skip_reason: string | null;
  error: string | null;
  quick_job_ids_json: string;
  fired_by: string;
  dispatched_at: number | null;
  started_ts: number | null;
  finished_ts: number | null;
  created_at: number;
  updated_at: number;
}

export interface ScheduledJobRunsTable {
  id: string;
  occurrence_id: string;
  job_id: string;
  device_guid: string | null;
  hostname: string;
  status: string;
  skip_reason: string | null;
  error: string | null;
  dispatch_error: string | null;
  started_ts: number | null;
  finished_ts: number | null;
  created_at: number;
  updated_at: number;
}

export interface DB {
  users: UsersTable;
  operator_sessions: OperatorSessionsTable;
  auth_challenges: AuthChallengesTable;
  login_throttle: LoginThrottleTable;
  api_keys: ApiKeysTable;
  setup_tokens: SetupTokensTable;
  sites: SitesTable;
  enrollment_install_codes: InstallCodesTable;
  devices: DevicesTable;
  device_keys: DeviceKeysTable;
  device_approvals: DeviceApprovalsTable;
  refresh_tokens: RefreshTokensTable;
  dpop_jti: DpopJtiTable;
  device_software_inventory: DeviceSoftwareTable;
  device_metrics: DeviceMetricsTable;
  device_list_views: DeviceListViewsTable;
  audit_log: AuditLogTable;
  assemblies: AssembliesTable;
  credentials: CredentialsTable;
  device_filters: DeviceFiltersTable;
  quick_jobs: QuickJobsTable;
  activity_history: ActivityHistoryTable;
  scheduled_jobs: ScheduledJobsTable;
  scheduled_job_occurrences: ScheduledJobOccurrencesTable;
  scheduled_job_runs: ScheduledJobRunsTable;
}
