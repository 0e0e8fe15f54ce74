// Operator accounts (admin only).
import { z } from 'zod';
import { RoleSchema } from './common.js';
import { PasswordSchema, UsernameSchema } from './auth.js';

export const UserSchema = z.object({
  username: z.string(),
  display_name: z.string(),
  role: RoleSchema,
  mfa_enabled: z.boolean(),
  last_login: z.number().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
});
export type User = z.infer<typeof UserSchema>;
export const UserListSchema = z.object({ users: z.array(UserSchema) });

export const UserCreateSchema = z.object({
  username: UsernameSchema,
  display_name: z.string().trim().max(128).optional(),
  password: PasswordSchema,
  role: RoleSchema,
});
export type UserCreate = z.infer<typeof UserCreateSchema>;
export const ResetPasswordSchema = z.object({ password: PasswordSchema });
export const SetRoleSchema = z.object({ role: RoleSchema });
export const SetMfaSchema = z.object({
  enabled: z.boolean(),
  reset_secret: z.boolean().optional(),
});
export const UsernameParamsSchema = z.object({ username: UsernameSchema });
