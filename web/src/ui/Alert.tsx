import type { ReactNode } from 'react';

/** A message that says what went wrong and what to do; announced to screen readers. */
export function Alert({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <div role="alert" className="alert">
      {children}
    </div>
  );
}
