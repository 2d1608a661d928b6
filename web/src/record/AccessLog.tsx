import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import { useMutation } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { useDateTime } from '../ui/format';

const ACTION_TEXT: Record<string, MessageDescriptor> = {
  'client.read': msg`read`,
  'client.search': msg`found in a list or search`,
  'client.update': msg`changed`,
  'client.create': msg`created`,
  'client.export': msg`exported`,
  'access.break_glass': msg`emergency access`,
  'access.change': msg`access changed`,
  'access.denied': msg`refused`,
  'client.disclose': msg`disclosed`,
};

/** "Who looked at this record": read from the audit log when the person asks (it is itself a read). */
export function AccessLog({ clientId }: { clientId: string }) {
  const { _ } = useLingui();
  const dateTime = useDateTime();
  const log = useMutation({ mutationFn: () => data(api.GET('/api/v1/clients/{id}/access-log', { params: { path: { id: clientId } } })) });
  const entries = [...(log.data?.entries ?? [])].reverse();
  return (
    <section className="panel" aria-labelledby="access-title">
      <h2 id="access-title"><Trans>Who looked at this record</Trans></h2>
      <p className="muted small"><Trans>Every read, change and refusal, from the tamper-evident audit log.</Trans></p>
      <Alert>{log.isError ? _(errorMessage(log.error)) : null}</Alert>
      {log.data ? (
        <ol className="rows access-log">
          {entries.map((e) => (
            <li key={e.index} className="row">
              <span className="row-main">
                {e.who.name ?? (e.who.type === 'operator' ? _(msg`the operator`) : _(msg`someone no longer on the staff`))}
                <span className="muted"> · {_(ACTION_TEXT[e.action] ?? msg`other access`)}{e.parts.length ? ` · ${e.parts.join(', ')}` : ''}</span>
                {e.why ? <span className="agenda-summary"><Trans>Reason: {e.why}</Trans></span> : null}
              </span>
              <span className="agenda-time">{dateTime(e.time)}</span>
            </li>
          ))}
        </ol>
      ) : (
        <Button variant="quiet" onPress={() => log.mutate()} isDisabled={log.isPending}><Trans>Show who looked at it</Trans></Button>
      )}
    </section>
  );
}
