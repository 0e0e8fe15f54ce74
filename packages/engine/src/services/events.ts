// What services may ask of the realtime layer: broadcast to operator UIs (or to the UI sockets in
// given rooms, e.g. a job's live output), and drop a device's agent sockets (revoke/quarantine).
// Services depend on this interface only; ws/ attaches the Socket.IO implementation at start-up.
export interface EventSink {
  /** Broadcast to every signed-in operator UI. */
  toUi(event: string, payload: unknown): void;
  /** Emit to the UI sockets in `room` (or in any of `room`s, once per socket). */
  toUiRoom(room: string | readonly string[], event: string, payload: unknown): void;
  /** Disconnect every agent socket of `guid`, telling the agent why first. */
  disconnectDevice(guid: string, reason: string): void;
}

type RoomEmitter = (rooms: readonly string[], event: string, payload: unknown) => void;

/** Forwards to whatever is attached; drops calls while nothing is (tests, CLI tools). */
export class SwitchableEventSink implements EventSink {
  private ui: ((event: string, payload: unknown) => void) | null = null;
  private devices: ((guid: string, reason: string) => void) | null = null;
  private uiRooms: RoomEmitter | null = null;

  attachUi(fn: ((event: string, payload: unknown) => void) | null): void {
    this.ui = fn;
  }

  attachUiRooms(fn: RoomEmitter | null): void {
    this.uiRooms = fn;
  }

  attachDevices(fn: ((guid: string, reason: string) => void) | null): void {
    this.devices = fn;
  }

  toUi(event: string, payload: unknown): void {
    this.ui?.(event, payload);
  }

  toUiRoom(room: string | readonly string[], event: string, payload: unknown): void {
    this.uiRooms?.(typeof room === 'string' ? [room] : room, event, payload);
  }

  disconnectDevice(guid: string, reason: string): void {
    this.devices?.(guid, reason);
  }
}
