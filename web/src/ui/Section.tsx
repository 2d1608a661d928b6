import type { ReactNode } from 'react';

/** A titled panel of a settings page. */
export function Section({ title, id, children, description }: { title: ReactNode; id: string; description?: ReactNode; children: ReactNode }) {
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {description ? <p className="muted">{description}</p> : null}
      {children}
    </section>
  );
}
