// Credentials store (admin): secrets for credential variables, sealed at rest and never returned
// after creation (`has_secret` only). GET/POST /api/credentials, PUT/DELETE /api/credentials/:id.
import { z } from 'zod';

export const CREDENTIAL_TYPES = ['password', 'token', 'ssh_key'] as const;
export const CredentialTypeSchema = z.enum(CREDENTIAL_TYPES);
export type CredentialType = z.infer<typeof CredentialTypeSchema>;

/** Secrets up to 16 KiB (room for a private key with its armour). */
export const CREDENTIAL_SECRET_MAX_CHARS = 16384;

export const CredentialSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  credential_type: CredentialTypeSchema,
  username: z.string().nullable(),
  site_id: z.string().nullable(),
  /** Always true: a credential cannot exist without its secret, which is never sent back. */
  has_secret: z.literal(true),
  created_by: z.string(),
  created_at: z.number(),
  updated_at: z.number(),
});
export type Credential = z.infer<typeof CredentialSchema>;
export const CredentialListSchema = z.object({ credentials: z.array(CredentialSchema) });

const secret = z.string().min(1).max(CREDENTIAL_SECRET_MAX_CHARS);

export const CredentialCreateSchema = z.object({
  name: z.string().trim().min(1).max(128),
  description: z.string().trim().max(1024).default(''),
  credential_type: CredentialTypeSchema,
  username: z.string().trim().max(256).nullable().optional(),
  secret,
  site_id: z.string().min(1).max(64).nullable().optional(),
});
export type CredentialCreate = z.infer<typeof CredentialCreateSchema>;

/** Every field optional; `secret` replaces the stored one only when given. */
export const CredentialUpdateSchema = z.object({
  name: z.string().trim().min(1).max(128).optional(),
  description: z.string().trim().max(1024).optional(),
  credential_type: CredentialTypeSchema.optional(),
  username: z.string().trim().max(256).nullable().optional(),
  secret: secret.optional(),
  site_id: z.string().min(1).max(64).nullable().optional(),
});
export type CredentialUpdate = z.infer<typeof CredentialUpdateSchema>;
