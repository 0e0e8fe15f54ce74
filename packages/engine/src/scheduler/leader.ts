// Leader election for the scheduler: exactly one engine node ticks. A node tries the lock at
// start and then every `retryMs` (default 15 s); the leader re-checks its lock connection just as
// often and steps down the moment it is lost. With PostgreSQL's session advisory lock a dead
// leader's lock goes with its connection, so another node takes over within one retry interval.
import type { LeaderLock } from '../db/repositories/scheduler-lock.repository.js';
import type { Logger } from '../logging/log-manager.js';

export interface LeaderElectorOptions {
  lock: LeaderLock;
  retryMs: number;
  log: Logger;
  /** This node's name in logs. */
  nodeId: string;
  onElected(): void;
  onDeposed(reason: string): void;
}

export class LeaderElector {
  private timer: NodeJS.Timeout | null = null;
  private leader = false;
  private running = false;
  private round: Promise<void> = Promise.resolve();

  constructor(private readonly o: LeaderElectorOptions) {}

  get isLeader(): boolean {
    return this.leader;
  }

  /** Whether this node still holds the lock right now (asks the lock). */
  async confirm(): Promise<boolean> {
    if (!this.leader) return false;
    if (await this.o.lock.check()) return true;
    this.depose('lock lost');
    return false;
  }

  private depose(reason: string): void {
    if (!this.leader) return;
    this.leader = false;
    this.o.log.warn(`scheduler: node ${this.o.nodeId} is no longer the leader (${reason})`);
    this.o.onDeposed(reason);
  }

  /** Called by the lock when its connection dies between checks. */
  lost(reason: string): void {
    this.depose(reason);
  }

  private async attempt(): Promise<void> {
    try {
      if (this.leader) {
        await this.confirm();
        return;
      }
      if (await this.o.lock.tryAcquire()) {
        if (!this.running) {
          await this.o.lock.release();
          return;
        }
        this.leader = true;
        this.o.log.info(`scheduler: node ${this.o.nodeId} is the leader`);
        this.o.onElected();
      }
    } catch (err) {
      this.o.log.error(`scheduler: leader election failed: ${String(err)}`);
    }
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.round = this.attempt().finally(() => this.schedule());
    }, this.o.retryMs);
    this.timer.unref();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.round = this.attempt().finally(() => this.schedule());
  }

  /** Stops trying, waits for an attempt in progress and releases the lock. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.round.catch(() => undefined);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.depose('stopping');
    await this.o.lock.release();
  }
}
