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
  last_seen: number | null;
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
  audit_log: AuditLogTable;
}
