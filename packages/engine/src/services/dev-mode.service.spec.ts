// Dev Mode: per admin, restarts its TTL when switched on again, ends at the TTL or when switched off.
import { describe, expect, it } from 'vitest';
import { AppError } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';
import { DevModeService } from './dev-mode.service.js';

class Tick implements Clock {
  t = 1_000_000;
  now(): number {
    return this.t;
  }
}

function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string) => lines.push(m);
  return { lines, debug: push, info: push, warn: push, error: push };
}

describe('DevModeService', () => {
  it('is per admin and lasts exactly the TTL', () => {
    const clock = new Tick();
    const log = recorder();
    const dev = new DevModeService(clock, 60, log);
    const alice = { username: 'alice', role: 'Admin' as const };
    expect(dev.status('alice')).toEqual({ enabled: false, expires_at: null, ttl_seconds: 60 });
    expect(dev.set(alice, true)).toEqual({ enabled: true, expires_at: 1_060_000, ttl_seconds: 60 });
    expect(dev.isEnabled('bob')).toBe(false);
    clock.t += 59_999;
    expect(dev.isEnabled('alice')).toBe(true);
    clock.t += 1;
    expect(dev.isEnabled('alice')).toBe(false);
    expect(log.lines.at(-1)).toBe('dev mode expired for alice');
  });

  it('restarts the TTL when switched on again and ends at once when switched off', () => {
    const clock = new Tick();
    const dev = new DevModeService(clock, 60, recorder());
    const alice = { username: 'alice', role: 'Admin' as const };
    dev.set(alice, true);
    clock.t += 30_000;
    expect(dev.set(alice, true).expires_at).toBe(clock.t + 60_000);
    expect(dev.set(alice, false)).toEqual({ enabled: false, expires_at: null, ttl_seconds: 60 });
    expect(dev.isEnabled('alice')).toBe(false);
  });

  it('refuses non-admins', () => {
    const dev = new DevModeService(new Tick(), 60, recorder());
    expect(() => dev.set({ username: 'op', role: 'Operator' }, true)).toThrow(AppError);
    expect(dev.isEnabled('op')).toBe(false);
  });
});
