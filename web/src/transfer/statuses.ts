import type { Status } from '../clients/fields';

/** Words other systems use for a client's stage, and the status each most likely means (lower case). */
const WORDS: Record<Status, readonly string[]> = {
  lead: ['lead', 'leads', 'prospect', 'subscriber', 'new', 'opportunity', 'mql', 'sql', 'marketing qualified lead', 'sales qualified lead', 'interessent', 'interessentin', 'neu', 'anfrage'],
  active: ['active', 'customer', 'client', 'member', 'evangelist', 'current', 'aktiv', 'kunde', 'kundin', 'klient', 'klientin', 'mitglied'],
  inactive: ['inactive', 'paused', 'dormant', 'on hold', 'inaktiv', 'pausiert', 'ruhend'],
  former: ['former', 'churned', 'lost', 'closed', 'cancelled', 'canceled', 'ex-client', 'past', 'ehemalig', 'ehemals', 'gekündigt', 'verloren', 'abgeschlossen'],
};

/** The status a word most likely means, or null when nothing suggests one. */
export function guessStatus(word: string): Status | null {
  const w = word.trim().toLowerCase();
  for (const [status, words] of Object.entries(WORDS) as [Status, readonly string[]][]) if (words.includes(w)) return status;
  return null;
}

/** The distinct words of a column (trimmed, first spelling kept, compared case-folded), in order of first appearance. */
export function distinctWords(cells: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const cell of cells) {
    const word = cell.trim();
    if (word !== '' && !seen.has(word.toLowerCase())) seen.set(word.toLowerCase(), word);
  }
  return [...seen.values()];
}
