// useState that survives leaving and re-entering a page within the browser tab (sessionStorage),
// e.g. the device list's filters while the operator opens a device and comes back. What is read
// back goes through `sanitize`, so a stale or hand-edited entry can never break the page.
import { useEffect, useState, type Dispatch, type SetStateAction } from 'react';

function read<T>(key: string, initial: T, sanitize: (raw: unknown) => T): T {
  try {
    const text = window.sessionStorage.getItem(key);
    return text === null ? initial : sanitize(JSON.parse(text));
  } catch {
    return initial;
  }
}

export function useSessionState<T>(
  key: string,
  initial: T,
  sanitize: (raw: unknown) => T,
): [T, Dispatch<SetStateAction<T>>] {
  const [value, setValue] = useState<T>(() => read(key, initial, sanitize));
  useEffect(() => {
    try {
      window.sessionStorage.setItem(key, JSON.stringify(value));
    } catch {
      // Storage full or disabled: the state simply does not survive navigation.
    }
  }, [key, value]);
  return [value, setValue];
}
