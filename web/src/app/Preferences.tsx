import { useState } from 'react';
import { useLingui } from '@lingui/react';
import { msg } from '@lingui/core/macro';
import { Button } from '../ui/Button';
import { activate, type Locale } from '../i18n/i18n';
import { applyTheme, storedTheme, type Theme } from './preferences';

const NEXT_THEME: Record<Theme, Theme> = { system: 'dark', dark: 'light', light: 'system' };

/** Language and theme switches; both are stored as UI preferences. */
export function Preferences() {
  const { _, i18n } = useLingui();
  const [theme, setTheme] = useState(storedTheme());
  const themeLabel = { system: msg`Theme: system`, dark: msg`Theme: dark`, light: msg`Theme: light` }[theme];
  const other: Locale = i18n.locale === 'de' ? 'en' : 'de';
  return (
    <>
      <Button variant="quiet" onPress={() => { const next = NEXT_THEME[theme]; applyTheme(next, true); setTheme(next); }}>{_(themeLabel)}</Button>
      <Button variant="quiet" onPress={() => void activate(other, true)}>{other === 'de' ? 'Deutsch' : 'English'}</Button>
    </>
  );
}
