// Operator authentication: login, MFA, session, first-admin setup, API keys.
import { z } from 'zod';
import { RoleSchema } from './common.js';

export const USERNAME_RE = /^[A-Za-z0-9._@-]{1,64}$/;
export const UsernameSchema = z
  .string()
  .regex(USERNAME_RE, 'letters, digits and . _ @ - only (1-64)');
export const PasswordSchema = z.string().min(12, 'at least 12 characters').max(1024);

export const LoginRequestSchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

export const SessionInfoSchema = z.object({
  status: z.literal('ok'),
  username: z.string(),
  display_name: z.string(),
  role: RoleSchema,
  csrf_token: z.string(),
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

export const MfaRequiredSchema = z.object({
  status: z.literal('mfa_required'),
  stage: z.enum(['setup', 'verify']),
  pending_token: z.string(),
  username: z.string(),
  role: RoleSchema,
  secret: z.string().optional(),
  otpauth_url: z.string().optional(),
  qr_image: z.string().optional(),
});
export type MfaRequired = z.infer<typeof MfaRequiredSchema>;

export const LoginResponseSchema = z.union([SessionInfoSchema, MfaRequiredSchema]);
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

export const MfaVerifyRequestSchema = z.object({
  pending_token: z.string().min(1).max(256),
  code: z.string().regex(/^\d{6}$/, 'six digits'),
});

export const MeSchema = z.object({
  username: z.string(),
  display_name: z.string(),
  role: RoleSchema,
  auth: z.enum(['session', 'api_key']),
  csrf_token: z.string().optional(),
});
export type Me = z.infer<typeof MeSchema>;

export const SetupStatusSchema = z.object({ setup_required: z.boolean() });
export const SetupRequestSchema = z.object({
  token: z.string().min(1).max(256),
  username: UsernameSchema,
  display_name: z.string().max(128).optional(),
  password: PasswordSchema,
});

export const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  role: RoleSchema,
  prefix: z.string(),
  created_by: z.string(),
  created_at: z.number(),
  last_used_at: z.number().nullable(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;
export const ApiKeyListSchema = z.object({ api_keys: z.array(ApiKeySchema) });
export const ApiKeyCreateSchema = z.object({
  name: z.string().trim().min(1).max(128),
  role: RoleSchema,
});
export const ApiKeyCreatedSchema = ApiKeySchema.extend({ key: z.string() });
export type ApiKeyCreated = z.infer<typeof ApiKeyCreatedSchema>;
