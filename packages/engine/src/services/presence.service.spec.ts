// Presence rules without a database: Online/Offline transitions from sockets, contact and the
// sweep's threshold, each emitted once as device_status_changed.
import { describe, expect, it } from 'vitest';
import { OFFLINE_AFTER_MS } from '@borealis/protocol';
import { FakeClock } from '../../test/support/fake-clock.js';
import type { Logger } from '../logging/log-manager.js';
import { SwitchableEventSink } from './events.js';
import { PresenceService, presenceOf } from './presence.service.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function setup(seed: { guid: string; hostname: string; last_seen: number }[] = []) {
  const clock = new FakeClock();
  const events = new SwitchableEventSink();
  const emitted: { event: string; payload: any }[] = [];
  events.attachUi((event, payload) => emitted.push({ event, payload }));
  const touches: [string, number][] = [];
  const presence = new PresenceService({
    seenSince: async (since) => seed.filter((s) => s.last_seen >= since),
    touch: (guid, ts) => touches.push([guid, ts]),
    events,
    clock,
    log: silent,
  });
  return { clock, presence, emitted, touches };
}

describe('presenceOf', () => {
  it('is Online within the threshold or while connected', () => {
    const now = 1_000_000_000;
    expect(presenceOf(now - OFFLINE_AFTER_MS, now)).toBe('Online');
    expect(presenceOf(now - OFFLINE_AFTER_MS - 1, now)).toBe('Offline');
    expect(presenceOf(null, now)).toBe('Offline');
    expect(presenceOf(null, now, true)).toBe('Online');
  });
});

describe('PresenceService', () => {
  it('emits Online on first contact and Offline once the sweep sees the threshold pass', async () => {
    const { clock, presence, emitted } = setup();
    presence.seen('g1', 'alpha', clock.now());
    presence.seen('g1', 'alpha', clock.now() + 1000);
    expect(emitted).toEqual([
      {
        event: 'device_status_changed',
        payload: { guid: 'g1', hostname: 'alpha', status: 'Online', last_seen: clock.now() },
      },
    ]);
    clock.advance(OFFLINE_AFTER_MS);
    await presence.sweep();
    expect(emitted).toHaveLength(1);
    clock.advance(1001);
    await presence.sweep();
    expect(emitted[1]).toEqual({
      event: 'device_status_changed',
      payload: {
        guid: 'g1',
        hostname: 'alpha',
        status: 'Offline',
        last_seen: clock.now() - OFFLINE_AFTER_MS - 1,
      },
    });
    await presence.sweep();
    expect(emitted).toHaveLength(2);
  });

  it('keeps a socket-connected device Online and refreshes its contact', async () => {
    const { clock, presence, emitted, touches } = setup();
    presence.socketConnected('g2', 'bravo');
    expect(presence.isConnected('g2')).toBe(true);
    expect(emitted.map((e) => e.payload.status)).toEqual(['Online']);
    expect(touches).toEqual([['g2', clock.now()]]);
    clock.advance(OFFLINE_AFTER_MS * 2);
    await presence.sweep();
    expect(emitted).toHaveLength(1);
    expect(touches).toHaveLength(2);
    expect(touches[1]).toEqual(['g2', clock.now()]);
    presence.socketDisconnected('g2');
    expect(presence.isConnected('g2')).toBe(false);
    expect(emitted).toHaveLength(1);
    clock.advance(OFFLINE_AFTER_MS + 1);
    await presence.sweep();
    expect(emitted.map((e) => e.payload.status)).toEqual(['Online', 'Offline']);
  });

  it('counts sockets per device: one of two disconnecting keeps it connected', () => {
    const { presence } = setup();
    presence.socketConnected('g3', 'charlie');
    presence.socketConnected('g3', 'charlie');
    presence.socketDisconnected('g3');
    expect(presence.isConnected('g3')).toBe(true);
    presence.socketDisconnected('g3');
    expect(presence.isConnected('g3')).toBe(false);
  });

  it('seeds from recently seen devices after a restart, so they can go Offline', async () => {
    const clock0 = new FakeClock().now();
    const { clock, presence, emitted } = setup([
      { guid: 'g4', hostname: 'delta', last_seen: clock0 - 1000 },
      { guid: 'g5', hostname: 'echo', last_seen: clock0 - OFFLINE_AFTER_MS * 10 },
    ]);
    await presence.sweep();
    expect(emitted).toEqual([]);
    clock.advance(OFFLINE_AFTER_MS);
    await presence.sweep();
    expect(emitted.map((e) => [e.payload.guid, e.payload.status])).toEqual([['g4', 'Offline']]);
  });

  it('statusOf honours live sockets over a stale last_seen', () => {
    const { clock, presence } = setup();
    expect(presence.statusOf('g6', clock.now() - OFFLINE_AFTER_MS * 5)).toBe('Offline');
    presence.socketConnected('g6', 'foxtrot');
    expect(presence.statusOf('g6', clock.now() - OFFLINE_AFTER_MS * 5)).toBe('Online');
  });

  it('forgets a deleted device without emitting', async () => {
    const { clock, presence, emitted } = setup();
    presence.seen('g7', 'golf', clock.now());
    presence.forget('g7');
    clock.advance(OFFLINE_AFTER_MS * 2);
    await presence.sweep();
    expect(emitted).toHaveLength(1);
  });

  it('reports contact seen in memory before the buffered last_seen reaches the row', () => {
    const { clock, presence } = setup();
    const stale = clock.now() - OFFLINE_AFTER_MS * 5;
    expect(presence.statusOf('g7', stale)).toBe('Offline');
    presence.seen('g7', 'host-7', clock.now());
    expect(presence.lastContact('g7', stale)).toBe(clock.now());
    expect(presence.statusOf('g7', stale)).toBe('Online');
    expect(presence.lastContact('g7', clock.now() + 1)).toBe(clock.now() + 1);
    expect(presence.lastContact('unknown', null)).toBeNull();
  });
});
