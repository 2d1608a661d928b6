/**
 * Unsaved text, kept in memory only (never in browser storage): when the idle lock ends the session,
 * the screen is taken away and client data leaves the page, but what the person was typing waits here
 * for them. Signing in again as the same person brings it back; anyone else, or signing out, clears it.
 */
import { useEffect, useState } from 'react';

const drafts = new Map<string, string>();
let owner: string | null = null;

/** Called when a session opens: keeps the drafts only if the same person signed in again. */
export function claimDrafts(userId: string): void {
  if (owner !== userId) drafts.clear();
  owner = userId;
}

export function clearDrafts(): void {
  drafts.clear();
  owner = null;
}

/** Like useState for a text field, but the value survives the idle lock (in memory, per key). */
export function useDraft(key: string, initial = ''): [string, (value: string) => void, () => void] {
  const [value, setValue] = useState(() => drafts.get(key) ?? initial);
  useEffect(() => {
    if (value === initial) drafts.delete(key);
    else drafts.set(key, value);
  }, [key, value, initial]);
  const discard = () => {
    drafts.delete(key);
    setValue(initial);
  };
  return [value, setValue, discard];
}
