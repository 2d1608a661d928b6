/**
 * The server's idle clock, mirrored: the session ends after the organisation's idle timeout without a
 * request, so the idle lock counts from the last answer the server gave (client.ts reports each one).
 */
let lastContact = Date.now();
const listeners = new Set<() => void>();

export function noteServerContact(): void {
  lastContact = Date.now();
  for (const listener of listeners) listener();
}

export function lastServerContact(): number {
  return lastContact;
}

export function onServerContact(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
