import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { errorMessage } from '../api/errors';
import { Alert } from '../ui/Alert';
import { useDateTime } from '../ui/format';
import { KIND_TEXT, STATUS_TEXT, useTimeline } from './Activities';
import { useAuthorName } from './Notes';

/** The record's history: every activity and note entry the role may see, newest first. */
export function History({ clientId }: { clientId: string }) {
  const { _ } = useLingui();
  const dateTime = useDateTime();
  const author = useAuthorName();
  const timeline = useTimeline(clientId);
  const items = timeline.data?.items ?? [];
  return (
    <section className="panel" aria-labelledby="history-title">
      <h2 id="history-title"><Trans>History</Trans></h2>
      <Alert>{timeline.isError ? _(errorMessage(timeline.error)) : null}</Alert>
      {timeline.isPending ? <p className="muted" aria-busy="true"><Trans>Loading…</Trans></p> : items.length === 0 ? <p className="muted"><Trans>Nothing has happened yet.</Trans></p> : (
        <ol className="rows timeline">
          {items.map((item) => (
            <li key={item.activity?.id ?? item.note?.id ?? item.at} className="row">
              <span className="agenda-time">{dateTime(item.at)}</span>
              <span className="row-main">
                {_(KIND_TEXT[item.type] ?? msg`Entry`)}
                {item.activity ? <span className="muted"> · {_(STATUS_TEXT[item.activity.status] ?? msg`recorded`)}</span> : null}
                {item.note ? <span className="muted"> · <Trans>by {author(item.note.author_id)}</Trans></span> : null}
                {item.activity?.details?.summary ? <span className="agenda-summary pii">{item.activity.details.summary}</span> : null}
                {item.activity?.details?.outcome ? <span className="agenda-summary pii"><Trans>Outcome: {item.activity.details.outcome}</Trans></span> : null}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
