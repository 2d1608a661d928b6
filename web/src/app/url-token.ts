/**
 * Takes a one-time token (setup, invitation) from the address bar and removes it from the URL and
 * from the history entry at once (history.replaceState), so it is not left in the history, a
 * bookmark or a screenshot; the caller keeps it in memory only. Null when the URL has none.
 */
export function takeUrlToken(): string | null {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (token === null) return null;
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  return token;
}
