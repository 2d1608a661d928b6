import { useEffect, useRef, useState } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import { Autocomplete, Input, Menu, MenuItem, TextField, useFilter } from 'react-aria-components';
import { useNavigate } from '@tanstack/react-router';
import { useMutation } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { displayName } from '../clients/fields';
import { Alert } from '../ui/Alert';
import { Dialog } from '../ui/Dialog';
import { applyPrivacy, applyTheme, isPrivacyOn, storedTheme } from './preferences';
import { useCan } from './session';

type Command = { id: string; label: MessageDescriptor; keys?: string; run: () => void; needs?: string };

/** Whether a key press belongs to a text field (shortcuts leave typing alone). */
function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

/**
 * The keyboard: Ctrl/Cmd+K opens the command palette (go to a screen, find a client by name, run an
 * action), "?" lists the shortcuts, "g" then a letter goes to a screen. Finding a client is a search
 * like the list's — the name travels in a request body — and runs only when the person presses Enter.
 */
export function Keyboard() {
  const navigate = useNavigate();
  const can = useCan();
  const [palette, setPalette] = useState(false);
  const [help, setHelp] = useState(false);
  const pendingG = useRef(false);
  const commands: Command[] = [
    { id: 'home', label: msg`Go to Today`, keys: 'g h', run: () => void navigate({ to: '/' }) },
    { id: 'clients', label: msg`Go to clients`, keys: 'g c', run: () => void navigate({ to: '/clients' }), needs: 'client.search' },
    { id: 'alerts', label: msg`Go to alerts`, keys: 'g l', run: () => void navigate({ to: '/alerts' }), needs: 'alerts.read' },
    { id: 'staff', label: msg`Go to staff`, keys: 'g s', run: () => void navigate({ to: '/staff' }), needs: 'staff.read' },
    { id: 'account', label: msg`Go to your account`, keys: 'g a', run: () => void navigate({ to: '/account' }) },
    { id: 'privacy', label: msg`Privacy mode on or off (blur names in lists)`, run: () => applyPrivacy(!isPrivacyOn(), true) },
    { id: 'theme', label: msg`Switch between light and dark`, run: () => applyTheme(storedTheme() === 'dark' ? 'light' : 'dark', true) },
    { id: 'shortcuts', label: msg`Show keyboard shortcuts`, keys: '?', run: () => setHelp(true) },
  ].filter((c) => !c.needs || can(c.needs));

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setPalette(true);
        return;
      }
      if (typing(e.target) || e.metaKey || e.ctrlKey || e.altKey) return;
      if (pendingG.current) {
        pendingG.current = false;
        const command = commands.find((c) => c.keys === `g ${e.key.toLowerCase()}`);
        if (command) {
          e.preventDefault();
          command.run();
        }
        return;
      }
      if (e.key === 'g') pendingG.current = true;
      else if (e.key === '?') setHelp(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  return (
    <>
      {palette ? <Palette commands={commands} onClose={() => setPalette(false)} /> : null}
      <Dialog title={<Trans>Keyboard shortcuts</Trans>} isOpen={help} onOpenChange={setHelp}>
        <Shortcuts commands={commands} />
      </Dialog>
    </>
  );
}

function Shortcuts({ commands }: { commands: Command[] }) {
  const { _ } = useLingui();
  return (
    <dl className="facts compact shortcuts">
      <div>
        <dt><kbd>Ctrl</kbd> / <kbd>⌘</kbd> + <kbd>K</kbd></dt>
        <dd><Trans>Open the command palette: go anywhere, find a client by name</Trans></dd>
      </div>
      {commands.filter((c) => c.keys).map((c) => (
        <div key={c.id}>
          <dt>{c.keys!.split(' ').map((k, i) => <kbd key={i}>{k}</kbd>)}</dt>
          <dd>{_(c.label)}</dd>
        </div>
      ))}
    </dl>
  );
}

function Palette({ commands, onClose }: { commands: Command[]; onClose: () => void }) {
  const { _ } = useLingui();
  const navigate = useNavigate();
  const can = useCan();
  const { contains } = useFilter({ sensitivity: 'base' });
  const [text, setText] = useState('');
  const find = useMutation({ mutationFn: (name: string) => data(api.POST('/api/v1/clients/search', { body: { name, limit: 10 } })) });
  const searchable = can('client.search') && text.trim().length > 1;
  const items = [
    ...(searchable ? [{ id: 'find', label: _(msg`Find clients named “${text.trim()}”`) }] : []),
    ...(find.data?.clients ?? []).map((c) => ({ id: `client:${c.id}`, label: _(msg`Open ${displayName(c)}`) })),
    ...commands.map((c) => ({ id: c.id, label: _(c.label) })),
  ];
  const run = (id: string) => {
    if (id === 'find') {
      find.mutate(text.trim());
      return;
    }
    if (id.startsWith('client:')) {
      onClose();
      void navigate({ to: '/clients/$clientId', params: { clientId: id.slice(7) } });
      return;
    }
    const command = commands.find((c) => c.id === id);
    onClose();
    command?.run();
  };
  return (
    <Dialog title={<Trans>Go to or do</Trans>} isOpen onOpenChange={(o) => (o ? undefined : onClose())}>
      <Autocomplete filter={(textValue, input) => textValue.startsWith(_(msg`Open`)) || textValue.startsWith(_(msg`Find clients named`)) || contains(textValue, input)} inputValue={text} onInputChange={setText}>
        <TextField className="field" aria-label={_(msg`Command or client name`)} autoFocus>
          <Input className="field-input" placeholder={_(msg`Type a command or a client's name`)} />
        </TextField>
        <Menu className="listbox palette-list" aria-label={_(msg`Commands`)} items={items} onAction={(key) => run(String(key))} renderEmptyState={() => <p className="muted"><Trans>No command matches.</Trans></p>}>
          {(item) => <MenuItem id={item.id} className="listbox-item" textValue={item.label}>{item.label}</MenuItem>}
        </Menu>
      </Autocomplete>
      <Alert>{find.isError ? _(errorMessage(find.error)) : null}</Alert>
      {find.data && find.data.clients.length === 0 ? <p className="muted"><Trans>No client of yours has that name.</Trans></p> : null}
    </Dialog>
  );
}
