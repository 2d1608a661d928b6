import type { ReactNode } from 'react';
import { Preferences } from '../app/Preferences';

/** The centred panel of the sign-in screens, with the app's name above it. */
export function Card({ title, children }: { title: ReactNode; children: ReactNode }) {
  return (
    <main id="main" className="auth-page">
      <p className="brand" aria-hidden="true">Confidant</p>
      <section className="card" aria-labelledby="card-title">
        <h1 id="card-title">{title}</h1>
        {children}
      </section>
      <footer className="auth-footer"><Preferences /></footer>
    </main>
  );
}
