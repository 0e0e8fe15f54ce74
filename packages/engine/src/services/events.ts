// What services may ask of the realtime layer: broadcast to operator UIs, and drop a device's
// agent sockets (revoke/quarantine). Services depend on this interface only; ws/ attaches the
// Socket.IO implementation at start-up.
export interface EventSink {
  /** Broadcast to every signed-in operator UI. */
  toUi(event: string, payload: unknown): void;
  /** Disconnect every agent socket of `guid`, telling the agent why first. */
  disconnectDevice(guid: string, reason: string): void;
}

/** Forwards to whatever is attached; drops calls while nothing is (tests, CLI tools). */
export class SwitchableEventSink implements EventSink {
  private ui: ((event: string, payload: unknown) => void) | null = null;
  private devices: ((guid: string, reason: string) => void) | null = null;

  attachUi(fn: ((event: string, payload: unknown) => void) | null): void {
    this.ui = fn;
  }

  attachDevices(fn: ((guid: string, reason: string) => void) | null): void {
    this.devices = fn;
  }

  toUi(event: string, payload: unknown): void {
    this.ui?.(event, payload);
  }

  disconnectDevice(guid: string, reason: string): void {
    this.devices?.(guid, reason);
  }
}
