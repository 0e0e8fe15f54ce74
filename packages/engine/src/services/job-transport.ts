// How job services reach agents: send one signed `quick_job_run` to a device and wait for its
// receipt ack, or tell it to cancel a run. ws/agent.gateway.ts implements it on the `/agents`
// namespace and attaches it at start-up; until then (tests, CLI tools) every device is unreachable.
import type { QuickJobAck, QuickJobRun } from '@borealis/protocol';

/** How long a send waits for the agent's receipt ack before the run stays Pending. */
export const JOB_ACK_TIMEOUT_MS = 10_000;

export interface JobTransport {
  /** The agent's ack, or null when the device has no connected socket or did not ack in time. */
  sendJob(guid: string, payload: QuickJobRun): Promise<QuickJobAck | null>;
  /** Emits `quick_job_cancel {job_id}` to the device's sockets (fire and forget). */
  cancelJob(guid: string, jobId: string): void;
}

/** Forwards to the attached transport; with none attached, sends report "not connected". */
export class SwitchableJobTransport implements JobTransport {
  private impl: JobTransport | null = null;
  /** Read by the transport on every send; tests shorten it. */
  ackTimeoutMs = JOB_ACK_TIMEOUT_MS;

  attach(impl: JobTransport | null): void {
    this.impl = impl;
  }

  sendJob(guid: string, payload: QuickJobRun): Promise<QuickJobAck | null> {
    return this.impl ? this.impl.sendJob(guid, payload) : Promise.resolve(null);
  }

  cancelJob(guid: string, jobId: string): void {
    this.impl?.cancelJob(guid, jobId);
  }
}
