// Operator access services: accounts, sign-in/sessions/MFA (also the route guard's
// Authenticator) and API keys, wired to their repositories.
import { ApiKeyRepository } from '../db/repositories/api-key.repository.js';
import { AuthRepository } from '../db/repositories/auth.repository.js';
import { UserRepository } from '../db/repositories/user.repository.js';
import { ApiKeyService } from './api-key.service.js';
import { AuthService } from './auth.service.js';
import type { ServiceDeps } from './index.js';
import { UserService } from './user.service.js';

export function buildAccessServices(d: ServiceDeps) {
  const log = d.logs.service('auth');
  const userRepo = new UserRepository(d.db);
  const authRepo = new AuthRepository(d.db);
  const keyRepo = new ApiKeyRepository(d.db);
  const users = new UserService(userRepo, authRepo, keyRepo, d.clock, log);
  const apiKeys = new ApiKeyService(keyRepo, userRepo, d.clock, log);
  const auth = new AuthService({
    users: userRepo,
    repo: authRepo,
    userService: users,
    apiKeys,
    clock: d.clock,
    secrets: d.secrets,
    config: d.config,
    log,
  });
  return { auth, users, apiKeys };
}
