import { useEffect, useState } from 'react';
import { Plural, Trans } from '@lingui/react/macro';
import { ApiError, api, data } from '../api/client';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { lastServerContact, onServerContact } from './activity';

/** The warning shows this long before the lock. */
const WARN_MS = 60_000;
/** While the person is active, the session is kept alive with a request at most this often. */
const KEEPALIVE_MS = 30_000;
const ACTIVITY = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

function keepAlive(onGone: () => void): Promise<void> {
  return data(api.GET('/api/v1/auth/me')).then(
    () => undefined,
    (e: unknown) => {
      if (e instanceof ApiError && e.status === 401) onGone();
    },
  );
}

/**
 * The idle lock's clock. The server ends a session after the organisation's idle timeout without a
 * request; this counts from the server's last answer, keeps the session alive while the person uses
 * the page, shows a countdown in the last minute and calls `onLock` when the time is up.
 */
export function IdleWatch({ timeoutMs, onLock }: { timeoutMs: number; onLock: () => void }) {
  const [deadline, setDeadline] = useState(() => lastServerContact() + timeoutMs);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => onServerContact(() => setDeadline(lastServerContact() + timeoutMs)), [timeoutMs]);
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, []);
  useEffect(() => {
    let inFlight = false;
    const active = () => {
      if (inFlight || Date.now() - lastServerContact() < KEEPALIVE_MS) return;
      inFlight = true;
      void keepAlive(onLock).finally(() => {
        inFlight = false;
      });
    };
    for (const event of ACTIVITY) window.addEventListener(event, active, { capture: true, passive: true });
    return () => {
      for (const event of ACTIVITY) window.removeEventListener(event, active, { capture: true });
    };
  }, [onLock]);
  const remaining = deadline - now;
  const expired = remaining <= 0;
  useEffect(() => {
    if (expired) onLock();
  }, [expired, onLock]);
  const seconds = Math.max(0, Math.ceil(remaining / 1000));
  return (
    <Dialog title={<Trans>Still there?</Trans>} isOpen={!expired && remaining <= WARN_MS} onOpenChange={() => void keepAlive(onLock)} isDismissable={false}>
      <p role="timer" aria-live="off">
        <Plural value={seconds} one="Confidant locks in # second: client information leaves the screen, and you sign in again to go on where you were." other="Confidant locks in # seconds: client information leaves the screen, and you sign in again to go on where you were." />
      </p>
      <div className="actions">
        <Button onPress={() => void keepAlive(onLock)}><Trans>Stay signed in</Trans></Button>
      </div>
    </Dialog>
  );
}
